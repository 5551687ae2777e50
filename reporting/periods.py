"""Reporting periods: whole local days, from the first to the last day inclusive.

Pure Python (no Django) so the period arithmetic is tested on its own. A period's end is the
midnight after its last day: a dossier is "finished in the period" when it finished before then,
and "pending late" when its appointment fell before then.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("month", "quarter", "year", "custom")
MAX_YEARS = 10  # a longer period is refused (400): it names no management question and scans everything
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # the dates a report accepts


def range_errors(start: date, end: date) -> dict[str, str]:
    """What is wrong with a period, by parameter ("from", "to"); empty when it is fine."""
    errors = {}
    if not FIRST_DAY <= start <= LAST_DAY:
        errors["from"] = "out_of_range"
    if not FIRST_DAY <= end <= LAST_DAY:
        errors["to"] = "out_of_range"
    if errors:
        return errors
    if start > end:
        return {"from": "after_to", "to": "after_to"}
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_YEARS, day=28)
    if end >= limit:
        return {"to": "too_long"}
    return {}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day, inclusive
    kind: str = "custom"

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("start after end")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def start_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=tz)

    def end_at(self, tz: ZoneInfo) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)

    def previous(self) -> Period:
        """The period just before, of the same kind: the previous month, quarter or year, or as many days."""
        if self.kind == "month":
            first = (self.start - timedelta(days=1)).replace(day=1)
            return month(first.year, first.month)
        if self.kind == "quarter":
            prev = self.start - timedelta(days=1)
            return quarter(prev.year, (prev.month - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, "custom")

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, cur = [], self.start.replace(day=1)
        while cur <= self.end:
            out.append(cur)
            cur = (cur + timedelta(days=32)).replace(day=1)
        return out


def month(y: int, m: int) -> Period:
    return Period(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), "month")


def month_closed(first: date, now: datetime, tz: ZoneInfo) -> bool:
    """Whether the month starting `first` has ended at `now` in the zone `tz` (its facts may be rolled up)."""
    return month(first.year, first.month).end_at(tz) <= now


def quarter(y: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    first = 3 * (q - 1) + 1
    return Period(date(y, first, 1), month(y, first + 2).end, "quarter")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year")


def trailing_months(end: date, count: int = 12) -> Period:
    """The `count` whole months ending with the month of `end` (cut at `end`)."""
    first = end.replace(day=1)
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(first, end, "custom")
