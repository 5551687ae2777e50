"""Writing the monthly fact table (reporting/models.ReportMonth) from the dossier rows.

The counts are the live report's own (selectors._window_aggregates over the month as a window), grouped by
agency, procedure and channel, so a rebuilt month gives exactly the rows a live report counts
(tests/reporting/test_rollup.py). Only closed months are written: the open month is always read live.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db import connection, transaction
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
        # A new stamp every time (the cached sums over the month are keyed by it), even within one clock tick.
        at = timezone.now()
        before = ReportMonthBuilt.objects.filter(month=first).values_list("built_at", flat=True).first()
        if before is not None and before >= at:
            at = before + timedelta(microseconds=1)
        ReportMonthBuilt.objects.update_or_create(month=first, defaults={"built_at": at, "rows": len(rows)})
    return len(rows)


def analyze() -> None:
    """Fresh planner statistics after a bulk rebuild: without them PostgreSQL estimates a few dozen rows a month
    and loops over the procedures, reading the month's index once per procedure (2 s instead of 0.2 s for a
    month at 1,000,000 dossiers, measured in bench/bench_reports.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ReportMonth._meta.db_table}, {ReportMonthBuilt._meta.db_table}")


def recent_closed_months(count: int = 2, today: date | None = None) -> list[date]:
    """The last `count` closed months (their ratings and late corrections still arrive)."""
    first = (today or timezone.localdate()).replace(day=1)
    out = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def months_of(dossier, now: datetime | None = None) -> list[date]:
    """The closed months whose rows a change of this dossier may move: from its receipt month (a later change of
    a fact with no date of its own, such as the supplement count or the restarted due time, moves the rows of
    every month it counted in) to the last closed month. Empty for a dossier received in the open month."""
    if dossier.received_at is None:
        return []
    first = timezone.localtime(dossier.received_at).date().replace(day=1)
    out = []
    while closed(first, now):
        out.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return out


def refresh_dossier(dossier, now: datetime | None = None) -> bool:
    """Keep the fact table current after a change of `dossier`, in the caller's transaction and in one
    statement: the rows of its (agency, procedure, channel) for the built closed months it counts in are
    recomputed from the dossiers (the same aggregates as `rebuild_month`), upserted, and the build stamp of
    every month whose rows changed is moved (which drops the cached comparisons over it). No statement at
    all for a dossier received in the open month (the open month is read live). Returns whether it ran.

    Cost (bench at 1,000,000 dossiers, a dossier received 7 months ago): the statement is compiled once per run
    of months (`_refresh_template`, 8 ms of Python after that instead of 260 ms) and reads only the key's
    dossiers through the (agency, procedure, channel) indexes of reporting/0006 (about 40–100 ms instead of
    0.6–1.6 s)."""
    months = months_of(dossier, now)
    if not months:
        return False
    if connection.vendor != "postgresql":
        # The embedded quick start (SQLite) has no upsert of this shape: its months are read live again until
        # the periodic rebuild (`rebuild_recent_report_months`) builds them anew.
        ReportMonthBuilt.objects.filter(month__in=months).delete()
        return True
    sql, params = _refresh_sql(dossier.agency_id, dossier.procedure_id, dossier.channel, months)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return True


# Stand-ins for the key while the statement is compiled once per run of months (compiling the month windows'
# aggregates cost 30-40 ms of Python a month, more than the statement itself): replaced by the real key's values.
_KEY = (-7_000_000_001, -7_000_000_002, "\x00key\x00")


def _refresh_sql(agency_id: int, procedure_id: int, channel: str, months: list[date]) -> tuple[str, list]:
    sql, params = _refresh_template(tuple(months))
    key = dict(zip(_KEY, (agency_id, procedure_id, channel), strict=True))
    return sql, [key.get(p, p) if isinstance(p, (int, str)) and not isinstance(p, bool) else p for p in params]


@lru_cache(maxsize=64)
def _refresh_template(months: tuple[date, ...]) -> tuple[str, tuple]:
    sql, params = _compile_refresh(*_KEY, list(months))
    return sql, tuple(params)


def _compile_refresh(agency_id: int, procedure_id: int, channel: str, months: list[date]) -> tuple[str, list]:
    from . import selectors

    table, built = ReportMonth._meta.db_table, ReportMonthBuilt._meta.db_table
    cols = ", ".join(f'"{c}"' for c in COUNTS)
    parts, params = [], []
    for m in months:
        window = selectors.ReportFilter(month_period(m.year, m.month))
        qs = (selectors.touched_in(window).filter(agency_id=agency_id, procedure_id=procedure_id, channel=channel)
              .values("agency_id").annotate(**selectors._window_aggregates(window, set(COUNTS))))
        inner, inner_params = qs.query.sql_with_params()
        parts.append(f"SELECT %s::date AS month, x.* FROM ({inner}) x")
        params += [m, *inner_params]
    fresh = " UNION ALL ".join(parts)
    values = ", ".join(["(%s::date)"] * len(months))
    counts = ", ".join(f'COALESCE(f."{c}", 0)' for c in COUNTS)
    sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in COUNTS)
    changed = f"({', '.join(f'{table}.{c}' for c in COUNTS)}) IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in COUNTS)})"
    sql = f"""
        WITH fresh AS ({fresh}),
        up AS (
            INSERT INTO {table} (agency_id, procedure_id, channel, month, {cols})
            SELECT %s, %s, %s, mm.month, {counts}
            FROM (VALUES {values}) AS mm(month)
            JOIN {built} b ON b.month = mm.month
            LEFT JOIN fresh f ON f.month = mm.month
            WHERE f.month IS NOT NULL OR EXISTS (
                SELECT 1 FROM {table} r WHERE r.month = mm.month AND r.agency_id = %s AND r.procedure_id = %s
                AND r.channel = %s)
            ON CONFLICT (month, agency_id, procedure_id, channel) DO UPDATE SET {sets} WHERE {changed}
            RETURNING month
        )
        UPDATE {built} SET built_at = GREATEST(clock_timestamp(), {built}.built_at + interval '1 microsecond')
        WHERE month IN (SELECT month FROM up)
    """
    params += [agency_id, procedure_id, channel, *months, agency_id, procedure_id, channel]
    return sql, params


def stored_rows(first: date) -> list[tuple]:
    """A month's rows as the table holds them (rows of nothing but zeros left out), sorted, for comparison."""
    return sorted((r.agency_id, r.procedure_id, r.channel, tuple(getattr(r, k) for k in COUNTS))
                  for r in ReportMonth.objects.filter(month=first) if any(getattr(r, k) for k in COUNTS))


def rebuilt_rows(first: date) -> list[tuple]:
    """The same month's rows as `rebuild_month` would write them now."""
    return sorted((r["agency_id"], r["procedure_id"], r["channel"], tuple(r[k] for k in COUNTS))
                  for r in live_rows(first))
