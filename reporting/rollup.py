"""Writing the monthly fact table (reporting/models.ReportMonth) from the dossier rows.

The counts are the live report's own (selectors._window_aggregates over the month as a window), grouped by
agency, procedure and channel, so a rebuilt month gives exactly the rows a live report counts
(tests/reporting/test_rollup.py). Only closed months are written: the open month is always read live.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import selectors
from .models import ReportMonth, ReportMonthBuilt
from .periods import month as month_period
from .selectors import month_closed as closed

# What a rollup row holds: every count of a report row (rated is the sum of the three ratings).
COUNTS = tuple(f.name for f in ReportMonth._meta.fields if f.name not in ("id", "agency", "procedure", "channel", "month"))


def live_rows(first: date) -> list[dict]:
    """The rows of one month computed from the dossiers, as the live reports count them."""
    window = selectors.ReportFilter(month_period(first.year, first.month))
    keys = {"a": selectors.F("agency_id"), "p": selectors.F("procedure_id"), "c": selectors.F("channel")}
    with selectors.analytic_queries():
        data = selectors._grouped(window, keys, COUNTS)
    out = []
    for d in data:
        counts = {k: int(d.get(k) or 0) for k in COUNTS}
        if any(counts.values()):
            out.append({"agency_id": d["a"], "procedure_id": d["p"], "channel": d["c"], "month": first, **counts})
    return out


def rebuild_month(first: date) -> int:
    """Replace a closed month's rows in one transaction; returns how many rows it has."""
    first = first.replace(day=1)
    if not closed(first):
        raise ValueError("only a closed month is rolled up")
    rows = live_rows(first)
    with transaction.atomic():
        ReportMonth.objects.filter(month=first).delete()
        ReportMonth.objects.bulk_create([ReportMonth(**r) for r in rows], batch_size=5000)
        ReportMonthBuilt.objects.update_or_create(month=first, defaults={"built_at": timezone.now(), "rows": len(rows)})
    return len(rows)


def recent_closed_months(count: int = 2, today: date | None = None) -> list[date]:
    """The last `count` closed months (their ratings and late corrections still arrive)."""
    first = (today or timezone.localdate()).replace(day=1)
    out = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def invalidate_from(moment: datetime) -> None:
    """Called by the dossier services in the action's transaction: an action dated in a closed month (a
    backdated entry) makes that month's rows and the later ones stale, so the reports read them live until
    the next rebuild. Actions of the open month cost no statement at all."""
    first = timezone.localtime(moment).date().replace(day=1)
    if closed(first):
        ReportMonthBuilt.objects.filter(month__gte=first).delete()
