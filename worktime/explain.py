"""Human wording of the clock's results, in the request's language (Vietnamese by default).

The clock (pure, stdlib-only) writes English labels and machine `reason` codes with their
parameters; the API and the pages show the texts built here from those codes, so the wording is
translatable and the clock stays free of Django.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .clock import HOURS_PER_WORKING_DAY, Appointment, DayStatus, Note, Skip

WEEKDAYS = [
    gettext_lazy("Thứ Hai"),
    gettext_lazy("Thứ Ba"),
    gettext_lazy("Thứ Tư"),
    gettext_lazy("Thứ Năm"),
    gettext_lazy("Thứ Sáu"),
    gettext_lazy("Thứ Bảy"),
    gettext_lazy("Chủ nhật"),
]

WEEKDAYS_SHORT = [
    gettext_lazy("T2"),
    gettext_lazy("T3"),
    gettext_lazy("T4"),
    gettext_lazy("T5"),
    gettext_lazy("T6"),
    gettext_lazy("T7"),
    gettext_lazy("CN"),
]


def weekday_name(d: date) -> str:
    return str(WEEKDAYS[d.weekday()])


def _dmy(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def _moment(value: str) -> str:
    dt = datetime.fromisoformat(value)
    return f"{dt:%H:%M} {_dmy(dt.date())}"


def day_label(d: date, status: DayStatus) -> str:
    if status.reason == "working_day":
        return _("Ngày làm việc")
    if status.reason == "weekend":
        return _("Nghỉ cuối tuần (%(weekday)s)") % {"weekday": weekday_name(d)}
    return status.label


def _hours(value) -> str:
    return f"{value:g}".replace(".", ",")


def rule_text() -> str:
    """What a working day means in every computation (the API's `rule`, the calculator's note)."""
    return _("Một ngày làm việc tính %(hours)s giờ làm việc; hạn tính theo giờ làm việc của các buổi làm việc. "
             "Một ngày nghỉ được tính là ngày làm việc (làm bù) chỉ cộng số giờ của các buổi làm việc ngày đó, "
             "ví dụ buổi sáng thứ Bảy cộng 4 giờ.") % {"hours": HOURS_PER_WORKING_DAY}


def entry_label(entry, calendar=None) -> str:
    reason = entry.reason
    if isinstance(entry, Skip):
        if reason == "weekend":
            return _("%(weekday)s %(date)s: nghỉ cuối tuần") % {"weekday": weekday_name(entry.date),
                                                                 "date": _dmy(entry.date)}
        return _("%(weekday)s %(date)s: %(name)s") % {"weekday": weekday_name(entry.date), "date": _dmy(entry.date),
                                                      "name": entry.label}
    params = dict(entry.params) if isinstance(entry, Note) else {}
    try:
        if reason in ("swapped_working_day", "extra_working_day"):
            hours = day_hours(entry.date, calendar)
            if hours is not None:
                return _("%(weekday)s %(date)s: %(name)s – tính là ngày làm việc, %(hours)s giờ làm việc") % {
                    "weekday": weekday_name(entry.date), "date": _dmy(entry.date), "name": params.get("name", ""),
                    "hours": _hours(hours)}
            return _("%(weekday)s %(date)s: %(name)s – tính là ngày làm việc") % {
                "weekday": weekday_name(entry.date), "date": _dmy(entry.date), "name": params.get("name", "")}
        shifts = {
            "before_opening": _("Nhận trước giờ làm việc; bắt đầu tính từ %(moment)s"),
            "lunch_break": _("Nhận trong giờ nghỉ giữa hai buổi; bắt đầu tính từ %(moment)s"),
            "after_closing": _("Nhận sau giờ làm việc; bắt đầu tính từ %(moment)s"),
            "non_working_day": _("Nhận vào ngày nghỉ; bắt đầu tính từ %(moment)s"),
        }
        if reason in shifts:
            return shifts[reason] % {"moment": _moment(params["counted_from"])}
        if reason == "after_same_day_cutoff":
            return _("Nhận từ %(cutoff)s trở đi; hẹn trả vào cuối ngày làm việc tiếp theo") % {
                "cutoff": params["cutoff"]}
        if reason == "due_date_moved":
            return _("Thời hạn kết thúc vào ngày %(target)s là ngày nghỉ; hẹn trả vào cuối ngày làm việc "
                     "tiếp theo, %(due)s") % {"target": _dmy(params["target_date"]), "due": _dmy(params["due_date"])}
    except (KeyError, ValueError):
        pass
    return entry.label


def day_hours(d: date | None, calendar) -> float | None:
    """The working hours of that day's sessions in `calendar` (None without a calendar)."""
    if calendar is None or d is None:
        return None
    return sum(session.seconds for session in calendar.sessions_on(d)) / 3600


def entry_dict(entry, calendar=None) -> dict:
    data = entry.as_dict()
    data.setdefault("params", {})
    data["label"] = entry_label(entry, calendar)
    hours = day_hours(entry.date, calendar) if entry.reason in ("swapped_working_day", "extra_working_day") else None
    if hours is not None:
        data["params"] = {**data["params"], "working_hours": _hours(hours).replace(",", ".")}
    return data


def appointment_dict(appointment: Appointment, calendar=None) -> dict:
    return {
        "appointment_at": appointment.appointment_at.isoformat(),
        "start_at": appointment.start_at.isoformat(),
        "working_day_hours": HOURS_PER_WORKING_DAY,
        "rule": rule_text(),
        "explanation": [entry_dict(e, calendar) for e in appointment.explanation],
    }
