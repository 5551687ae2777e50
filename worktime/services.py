"""The actions that edit the working calendar: holidays, working days, office sessions, the yearly sync of
the `holidays` package. Each edit bumps the calendar version (`calendars.bump_calendar_version`), so no
cached calendar outlives it.

The calendar as the portal reads it (`calendar_for`, the appointment and working-hours questions) is
`worktime.calendars`; this module re-exports those names, so `from worktime import services` keeps
working for every caller.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime

import holidays
from django.db import transaction
from django.utils.translation import gettext as _

from organisation.errors import ValidationFailed

from . import calendars
from .models import CalendarDay, OfficeSession

log = logging.getLogger(__name__)

# The reads (`worktime.calendars`), re-exported: `from worktime import services` serves callers of both.
SOURCE_ADMIN = calendars.SOURCE_ADMIN
SOURCE_HOLIDAYS = calendars.SOURCE_HOLIDAYS
SOURCE_REMOVED = calendars.SOURCE_REMOVED
VERSION_KEY = calendars.VERSION_KEY
VERSION_TTL = calendars.VERSION_TTL
CALENDAR_TIMEOUT = calendars.CALENDAR_TIMEOUT
_agency_id = calendars._agency_id
_default_weekend = calendars._default_weekend
_memo = calendars._memo
add_working_hours = calendars.add_working_hours
bump_calendar_version = calendars.bump_calendar_version
calendar_for = calendars.calendar_for
calendar_version = calendars.calendar_version
compute_appointment_for = calendars.compute_appointment_for
configured_same_day_cutoff = calendars.configured_same_day_cutoff
format_sessions = calendars.format_sessions
parse_sessions = calendars.parse_sessions
subtract_working_hours = calendars.subtract_working_hours
supplement_deadlines_for = calendars.supplement_deadlines_for
working_seconds_between = calendars.working_seconds_between

_SUBSTITUTED_VI = re.compile(r"thay cho ngày (\d{1,2})/(\d{1,2})/(\d{4})")


# --- editing the calendar ------------------------------------------------------------------------


def _require_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        msg = _("Nhập lý do (tên ngày lễ hoặc ghi chú).")
        raise ValidationFailed(msg, code="label_required", fields={"label": [msg]})
    if len(label) > 200:
        msg = _("Lý do dài tối đa 200 ký tự.")
        raise ValidationFailed(msg, code="label_too_long", fields={"label": [msg]})
    return label


def _require_date(value) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        msg = _("Ngày không hợp lệ.")
        raise ValidationFailed(msg, code="invalid_date", fields={"date": [msg]})
    return value


def _set_day(day: date, agency, *, working: bool, label: str, sessions: str = "") -> CalendarDay:
    agency_id = _agency_id(agency)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day, agency_id=agency_id).first()
        if row is None:
            row = CalendarDay(date=day, agency_id=agency_id)
        row.working = working
        row.label = label
        row.sessions = sessions
        row.source = SOURCE_ADMIN
        row.save()
        bump_calendar_version()
    return row


def add_holiday(day: date, label: str, agency=None) -> CalendarDay:
    """Make `day` a day off (nationally, or only for `agency`), whatever it was before."""
    return _set_day(_require_date(day), agency, working=False, label=_require_label(label))


def mark_working_day(day: date, label: str, agency=None, sessions: str = "") -> CalendarDay:
    """Make `day` a working day (a swapped Saturday, a desk's extra opening), optionally with its own sessions."""
    day = _require_date(day)
    label = _require_label(label)
    parsed = parse_sessions(sessions)
    return _set_day(day, agency, working=True, label=label, sessions=format_sessions(parsed))


def _package_dates(year: int) -> set[date]:
    hol = holidays.VN(years=[year], language="vi")
    return set(hol) | {d for d in getattr(hol, "weekend_workdays", ()) if d.year == year}


def remove_day(day: date, agency=None) -> bool:
    """Give `day` back its ordinary weekday status. Returns False if there was nothing to remove.

    An agency's row is simply deleted. A national day that the `holidays` package knows is kept as a
    REMOVED marker instead, so the next sync does not bring it back.
    """
    day = _require_date(day)
    agency_id = _agency_id(agency)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day, agency_id=agency_id).first()
        if row is None or row.source == SOURCE_REMOVED:
            return False
        if agency_id is None and (row.source == SOURCE_HOLIDAYS or day in _package_dates(day.year)):
            row.label = _("Đã bỏ: %(label)s") % {"label": row.label}
            row.label = row.label[:200]
            row.working = not _default_weekend(day)
            row.sessions = ""
            row.source = SOURCE_REMOVED
            row.save()
        else:
            row.delete()
        bump_calendar_version()
    return True


@dataclass(frozen=True)
class SyncCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kept: int = 0  # rows an administrator set or removed: never touched by a sync

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _package_rows(years: list[int]) -> dict[date, tuple[bool, str]]:
    """{date: (working, label)} from the `holidays` package, in Vietnamese."""
    rows: dict[date, tuple[bool, str]] = {}
    hol = holidays.VN(years=sorted(set(years)), language="vi")
    paid_back: dict[date, date] = {}
    for d, name in sorted(hol.items()):
        rows[d] = (False, name[:200])
        m = _SUBSTITUTED_VI.search(name)
        if m:
            dd, mm, yyyy = map(int, m.groups())
            paid_back[date(yyyy, mm, dd)] = d
    for d in sorted(getattr(hol, "weekend_workdays", ())):
        if d.year not in years or d in rows:
            continue
        other = paid_back.get(d)
        if other:
            label = _("Ngày làm việc bù (cho ngày nghỉ %(date)s)") % {"date": other.strftime("%d/%m/%Y")}
        else:
            label = _("Ngày làm việc bù")
        rows[d] = (True, label)
    return rows


def sync_holidays(years: list[int]) -> SyncCounts:
    """Seed the national calendar of `years` from the `holidays` package (country VN).

    Public holidays and days off in lieu become days off; the Saturdays the government swaps into
    working days become working days. Rows an administrator edited or removed are left alone; rows
    an earlier sync wrote and the package no longer lists are deleted.
    """
    years = sorted({int(y) for y in years})
    if not years:
        return SyncCounts()
    for y in years:
        if not 1990 <= y <= 2100:
            msg = _("Năm %(year)s nằm ngoài khoảng 1990–2100.") % {"year": y}
            raise ValidationFailed(msg, code="invalid_year", fields={"years": [msg]})
    wanted = _package_rows(years)
    created = updated = unchanged = deleted = kept = 0
    with transaction.atomic():
        existing = {
            row.date: row
            for row in CalendarDay.objects.select_for_update().filter(
                agency__isnull=True, date__year__in=years
            )
        }
        for d, (working, label) in sorted(wanted.items()):
            row = existing.get(d)
            if row is None:
                CalendarDay.objects.create(date=d, agency=None, working=working, label=label, source=SOURCE_HOLIDAYS)
                created += 1
            elif row.source != SOURCE_HOLIDAYS:
                kept += 1
            elif (row.working, row.label, row.sessions) != (working, label, ""):
                row.working, row.label, row.sessions = working, label, ""
                row.save()
                updated += 1
            else:
                unchanged += 1
        for d, row in existing.items():
            if d not in wanted and row.source == SOURCE_HOLIDAYS:
                row.delete()
                deleted += 1
        if created or updated or deleted:
            bump_calendar_version()
    return SyncCounts(created, updated, unchanged, deleted, kept)


def set_office_sessions(sessions: str, agency=None) -> list[OfficeSession]:
    """Replace the office sessions of `agency` (or the default ones) with `"07:00-11:30,13:30-17:00"`.

    Empty text removes the agency's own sessions, so it falls back to the default ones.
    """
    parsed = parse_sessions(sessions)
    if agency is None and not parsed:
        msg = _("Cần ít nhất một buổi làm việc.")
        raise ValidationFailed(msg, code="invalid_sessions", fields={"sessions": [msg]})
    agency_id = _agency_id(agency)
    with transaction.atomic():
        OfficeSession.objects.filter(agency_id=agency_id).delete()
        rows = [OfficeSession.objects.create(agency_id=agency_id, start=s.start, end=s.end) for s in parsed]
        bump_calendar_version()
    return rows
