"""Test helper: the real Vietnamese calendar from the ``holidays`` package.

Public holidays (with their English names) become ``non_working`` days and the
Saturdays the government swaps into working days
(``holidays.VN(...).weekend_workdays``) become ``extra_working`` days marked
as swapped.  Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache

import holidays

from worktime.clock import DEFAULT_SESSIONS, Session, WorkCalendar

YEARS = (2024, 2025, 2026, 2027)

# en_US names of substituted days off look like "Day off (substituted from 04/26/2025)".
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def vn_holidays(years: Iterable[int] = YEARS) -> holidays.HolidayBase:
    return holidays.VN(years=tuple(years), language="en_US")


def vn_calendar(
    years: Iterable[int] = YEARS,
    *,
    sessions: tuple[Session, ...] = DEFAULT_SESSIONS,
    session_overrides: Mapping[date, tuple[Session, ...]] | None = None,
    extra_working: Mapping[date, str] | None = None,
    extra_non_working: Mapping[date, str] | None = None,
) -> WorkCalendar:
    """A :class:`WorkCalendar` for Vietnam over ``years``.

    ``extra_working`` / ``extra_non_working`` add an agency's own opening days
    (e.g. a Saturday morning desk, with ``session_overrides``) or days off.
    """
    years = tuple(years)
    hol = vn_holidays(years)
    non_working = {d: name for d, name in sorted(hol.items())}
    # The swapped Saturday "pays back" a day off: name it after that day.
    paid_back: dict[date, date] = {}
    for day_off, name in non_working.items():
        m = _SUBSTITUTED.search(name)
        if m:
            month, day, year = map(int, m.groups())
            paid_back[date(year, month, day)] = day_off
    swapped = {}
    for d in sorted(hol.weekend_workdays):
        if d.year in years:
            other = paid_back.get(d)
            swapped[d] = (
                f"Swapped working day (for the day off on {other.isoformat()})"
                if other
                else "Swapped working day"
            )
    working = dict(swapped)
    working.update(extra_working or {})
    non_working.update(extra_non_working or {})
    return WorkCalendar(
        non_working=non_working,
        extra_working=working,
        sessions=sessions,
        session_overrides=dict(session_overrides or {}),
        swapped_working_days=frozenset(swapped),
    )


@lru_cache(maxsize=1)
def default_vn_calendar() -> WorkCalendar:
    """The shared 2024-2027 calendar with default sessions (cached)."""
    return vn_calendar()
