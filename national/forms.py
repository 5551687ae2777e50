from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SyncFilterForm(forms.Form):
    """The period of the share synced (received in [from, to]) and the list filter."""

    WHICH = [("unsynced", _("Chưa đồng bộ")), ("failed", _("Đồng bộ lỗi")), ("all", _("Tất cả"))]
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    which = forms.ChoiceField(label=_("Hồ sơ"), choices=WHICH, required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or today.replace(day=1)
        data["end"] = data.get("end") or today
        data["which"] = data.get("which") or "unsynced"
        if data["end"] < data["start"]:
            self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        elif data["end"] - data["start"] > timedelta(days=3660):
            self.add_error("start", _("Kỳ xem tối đa 10 năm."))
        return data


def bounds(start: date, end: date):
    """[start 00:00, the day after end 00:00) in local time."""
    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))
