"""The period selector of the report pages: a month, a quarter, a year, or any range of days."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods
from .periods import Period

KIND_CHOICES = [
    ("month", _("Tháng")),
    ("quarter", _("Quý")),
    ("year", _("Năm")),
    ("custom", _("Tùy chọn")),
]
QUARTER_CHOICES = [(1, "I"), (2, "II"), (3, "III"), (4, "IV")]


def period_error(code: str, name: str) -> str:
    """The message for a `periods.range_errors` code on the parameter `name` ("from" or "to")."""
    if code == "after_to":
        if name == "from":
            return str(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        return str(_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
    if code == "too_long":
        return str(_("Kỳ báo cáo không được dài quá %(years)d năm.") % {"years": periods.MAX_YEARS})
    return str(_("Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."))


class PeriodForm(forms.Form):
    """Everything is optional: an empty form means this month so far."""

    kind = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=KIND_CHOICES, required=False)
    month = forms.CharField(label=_("Tháng"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    quarter = forms.TypedChoiceField(label=_("Quý"), choices=QUARTER_CHOICES, coerce=int, required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # "from" is a Python keyword: declared here so the query string stays ?from=&to=.
        self.fields["from"] = forms.DateField(label=_("Từ ngày"), required=False, input_formats=["%Y-%m-%d"],
                                              widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(label=_("Đến ngày"), required=False, input_formats=["%Y-%m-%d"],
                                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean_month(self):
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            return None
        try:
            y, m = (int(part) for part in raw.split("-"))
            first = date(y, m, 1)
            if not periods.FIRST_DAY <= first <= periods.LAST_DAY:
                raise ValueError
            return first
        except ValueError:
            raise forms.ValidationError(_("Nhập tháng theo dạng YYYY-MM.")) from None

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        kind = data.get("kind") or ("custom" if data.get("from") or data.get("to") else "month")
        data["kind"] = kind
        try:
            if kind == "month":
                first = data.get("month") or today.replace(day=1)
                data["period"] = periods.month(first.year, first.month)
            elif kind == "quarter":
                q = data.get("quarter") or (today.month - 1) // 3 + 1
                data["period"] = periods.quarter(data.get("year") or today.year, q)
            elif kind == "year":
                data["period"] = periods.year(data.get("year") or today.year)
            else:
                start = data.get("from") or today.replace(day=1)
                end = data.get("to") or today
                errors = periods.range_errors(start, end)
                for name, code in errors.items():
                    self.add_error(name, period_error(code, name))
                if not errors:
                    data["period"] = Period(start, end, "custom")
        except ValueError:
            self.add_error(None, _("Kỳ báo cáo không hợp lệ."))
        return data

    @property
    def period(self) -> Period | None:
        return self.cleaned_data.get("period") if self.is_valid() else None


def period_params(period: Period) -> dict[str, str]:
    """The query string that names a period exactly (used by every link behind a number)."""
    if period.kind == "month":
        return {"kind": "month", "month": period.start.strftime("%Y-%m")}
    if period.kind == "quarter":
        return {"kind": "quarter", "quarter": str((period.start.month - 1) // 3 + 1), "year": str(period.start.year)}
    if period.kind == "year":
        return {"kind": "year", "year": str(period.start.year)}
    return {"kind": "custom", "from": period.start.isoformat(), "to": period.end.isoformat()}
