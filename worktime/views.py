"""Pages of the calendar: the appointment calculator for desk officers and the calendar administrators edit."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from organisation.errors import ValidationFailed
from organisation.selectors import is_staff_member

from . import explain, selectors, services
from .clock import Skip
from .forms import CalculatorForm, HolidayForm, PeriodForm, RemoveDayForm, WorkingDayForm


def _apply_errors(form, exc: ValidationFailed) -> None:
    for name, msgs in (exc.fields or {"__all__": [exc.detail]}).items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


def _default_agency_code(request) -> str:
    """The agency of a desk officer's own desk, when they work at exactly one."""
    if not request.user.is_authenticated or request.user.is_superuser:
        return ""
    codes = set(request.user.memberships.values_list("agency__code", flat=True))
    return codes.pop() if len(codes) == 1 else ""


def calculator(request):
    """Tính ngày hẹn trả: the appointment a dossier received at a given time would get, and why."""
    agencies = list(selectors.selectable_agencies(request.user))
    result = None
    status = 200
    if "unit" in request.GET:
        form = CalculatorForm(request.GET, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            agency = next((a for a in agencies if a.code == data["agency"]), None)
            try:
                appointment = services.compute_appointment_for(data["received_at"], data["amount"], data["unit"],
                                                               agency)
            except ValidationFailed as exc:
                _apply_errors(form, exc)
            else:
                due = timezone.localtime(appointment.appointment_at)
                result = {
                    "appointment_at": due,
                    "weekday": explain.weekday_name(due.date()),
                    "start_at": timezone.localtime(appointment.start_at),
                    "received_at": timezone.localtime(data["received_at"]),
                    "agency": agency,
                    "rule": explain.rule_text(),
                    "explanation": [
                        {"date": e.date, "reason": e.reason,
                         "label": explain.entry_label(e, services.calendar_for(agency)),
                         "kind": "skip" if isinstance(e, Skip) else "note"}
                        for e in appointment.explanation
                    ],
                }
        if form.errors:
            status = 400
    else:
        form = CalculatorForm(agencies=agencies, initial={
            "received_at": timezone.localtime().replace(second=0, microsecond=0),
            "amount": 1, "unit": "working_days", "agency": _default_agency_code(request),
        })
    return render(request, "worktime/calculator.html", {"form": form, "result": result}, status=status)


def _month_weeks(days: list) -> list[list]:
    """Rows of seven cells (Monday first) for a month grid; None pads the first and last week."""
    if not days:
        return []
    cells = [None] * days[0].date.weekday() + [
        {"date": d.date, "working": d.status.working, "reason": d.status.reason,
         "label": explain.day_label(d.date, d.status)}
        for d in days
    ]
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


EDIT_FORMS = {"holiday": HolidayForm, "working": WorkingDayForm, "remove": RemoveDayForm}


def calendar_page(request):
    """Lịch nghỉ lễ và ngày làm bù: the national calendar (or an agency's), and the forms to edit it.

    Any staff member may look; only a superuser or an administrator (for the national calendar and the
    agencies in their scope) may edit.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_staff_member(request.user):
        raise PermissionDenied
    agencies = list(selectors.selectable_agencies(request.user))
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    period = PeriodForm(
        {"year": source.get("year") or today.year, "month": source.get("month", ""), "agency": source.get("agency", "")},
        agencies=agencies,
    )
    if not period.is_valid():
        period = PeriodForm({"year": today.year, "month": "", "agency": ""}, agencies=agencies)
        period.is_valid()
    year, month = period.cleaned_data["year"], period.cleaned_data["month"]
    agency = next((a for a in agencies if a.code == period.cleaned_data["agency"]), None)
    if request.method == "POST" and source.get("agency") and agency is None:
        raise PermissionDenied  # an agency outside the user's scope: never fall back to the national calendar
    may_edit = selectors.may_edit_calendar(request.user, agency)

    forms = {name: cls(prefix=name) for name, cls in EDIT_FORMS.items()}
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in EDIT_FORMS:
            raise PermissionDenied
        form = forms[action] = EDIT_FORMS[action](request.POST, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "holiday":
                    services.add_holiday(data["date"], data["label"], agency)
                    messages.success(request, _("Đã thêm ngày nghỉ %(date)s.") % {"date": f"{data['date']:%d/%m/%Y}"})
                elif action == "working":
                    services.mark_working_day(data["date"], data["label"], agency, sessions=data["sessions"])
                    messages.success(request, _("Đã đặt %(date)s là ngày làm việc.") % {"date": f"{data['date']:%d/%m/%Y}"})
                elif services.remove_day(data["date"], agency):
                    messages.success(request, _("Đã bỏ ngày %(date)s khỏi lịch.") % {"date": f"{data['date']:%d/%m/%Y}"})
                else:
                    messages.info(request, _("Ngày %(date)s không có trong lịch.") % {"date": f"{data['date']:%d/%m/%Y}"})
            except ValidationFailed as exc:
                _apply_errors(form, exc)
            else:
                query = {"year": data["date"].year, "month": data["date"].month}
                if agency:
                    query["agency"] = agency.code
                return redirect(f"{request.path}?{urlencode(query)}")
        status = 400

    start = date(year, month or 1, 1)
    end = date(year, month or 12, pycalendar.monthrange(year, month or 12)[1])
    days = selectors.calendar_days(start, end, agency)
    rows = list(selectors.stored_days(start, end, agency))
    months = []
    if not month:
        for m in range(1, 13):
            in_month = [d for d in days if d.date.month == m]
            months.append({"month": m, "working": sum(1 for d in in_month if d.status.working),
                           "off": sum(1 for d in in_month if not d.status.working)})
    context = {
        "period": period,
        "year": year,
        "month": month,
        "agency": agency,
        "may_edit": may_edit,
        "forms": forms,
        "weeks": _month_weeks(days) if month else [],
        "weekday_names": list(zip(explain.WEEKDAYS, explain.WEEKDAYS_SHORT, strict=True)),
        "special": [
            {"row": row, "weekday": explain.weekday_name(row.date), "removed": selectors.is_removed(row),
             "removable": not selectors.is_removed(row) and row.agency_id == (agency.pk if agency else None)}
            for row in rows
        ],
        "months": months,
        "working_count": sum(1 for d in days if d.status.working),
    }
    return render(request, "worktime/calendar.html", context, status=status)
