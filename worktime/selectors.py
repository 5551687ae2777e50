"""Reads of the working calendar: day statuses for a range, the stored exceptions, the agencies to pick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from organisation.models import Agency, Role
from organisation.selectors import scoped_agency_ids

from . import clock
from .calendars import SOURCE_REMOVED, calendar_for
from .clock import DayStatus, Session
from .models import CalendarDay

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class Day:
    date: date
    status: DayStatus
    sessions: tuple[Session, ...]


def calendar_days(start: date, end: date, agency=None) -> list[Day]:
    """Every date from `start` to `end` inclusive with its status and office sessions (cached calendar)."""
    cal = calendar_for(agency)
    return [Day(d, status, cal.sessions_on(d)) for d, status in clock.days(cal, start, end)]


def stored_days(start: date, end: date, agency=None):
    """The CalendarDay rows (national, and the agency's own if given) between two dates, removals included."""
    qs = CalendarDay.objects.filter(date__range=(start, end), agency__isnull=True)
    if agency is not None:
        qs = CalendarDay.objects.filter(date__range=(start, end), agency=agency) | qs
    return qs.select_related("agency").order_by("date", "agency_id")


def is_removed(row: CalendarDay) -> bool:
    return row.source == SOURCE_REMOVED


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code, is_active=True).first()


def selectable_agencies(user):
    """Agencies offered in the pages' agency pickers: the user's own (and those under them), or all."""
    qs = Agency.objects.filter(is_active=True).order_by("code")
    scope = scoped_agency_ids(user) if user.is_authenticated else None
    if scope:
        qs = qs.filter(id__in=scope)
    return qs.only("id", "code", "name")


def may_edit_calendar(user, agency=None) -> bool:
    """Superusers edit any calendar; an administrator edits the national one and those of agencies in scope."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    admin_scope = scoped_agency_ids(user, roles=[Role.ADMINISTRATOR])
    if not admin_scope:
        return False
    return agency is None or agency.pk in admin_scope
