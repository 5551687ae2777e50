"""Forms of the calendar pages: the appointment calculator and the administrators' calendar edits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .clock import Unit

UNIT_CHOICES = [
    (Unit.WORKING_DAYS.value, _("ngày làm việc")),
    (Unit.WORKING_HOURS.value, _("giờ làm việc")),
    (Unit.DAYS.value, _("ngày (theo lịch)")),
    (Unit.SAME_DAY.value, _("trong ngày")),
]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def agency_choices(agencies, blank_label):
    return [("", blank_label)] + [(a.code, f"{a.name} ({a.code})") for a in agencies]


class CalculatorForm(forms.Form):
    received_at = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận"), input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    amount = forms.DecimalField(label=_("Thời hạn giải quyết"), min_value=0, max_digits=9, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    unit = forms.ChoiceField(label=_("Đơn vị"), choices=UNIT_CHOICES)
    agency = forms.ChoiceField(label=_("Cơ quan (lịch làm việc)"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices(agencies, _("Lịch chung toàn quốc"))


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=1990, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Tháng"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Cả năm"))] + [(m, _("Tháng %(m)s") % {"m": m}) for m in range(1, 13)],
    )
    agency = forms.ChoiceField(label=_("Lịch của"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices(agencies, _("Toàn quốc"))


class _DayForm(forms.Form):
    date = forms.DateField(label=_("Ngày"), input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class HolidayForm(_DayForm):
    label = forms.CharField(label=_("Tên ngày nghỉ"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("ví dụ: Nghỉ bù Quốc khánh")}))


class WorkingDayForm(_DayForm):
    label = forms.CharField(label=_("Lý do"), max_length=200, initial=_("Ngày làm việc bù"))
    sessions = forms.CharField(
        label=_("Giờ làm việc riêng (không bắt buộc)"), required=False, max_length=100,
        help_text=_("Ví dụ 07:30-11:30 cho buổi sáng thứ Bảy; để trống: giờ làm việc thường lệ."),
    )


class RemoveDayForm(_DayForm):
    pass
