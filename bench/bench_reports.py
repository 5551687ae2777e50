"""Benchmark of the report reads at volume, run by hand against the scratch database.

    .venv/bin/python bench/generate_dossiers.py              # once: 1,000,000 dossiers
    .venv/bin/python bench/bench_reports.py                  # timings, warm, median of --rounds
    .venv/bin/python bench/bench_reports.py --explain        # also the plan of the main aggregate
    .venv/bin/python bench/generate_dossiers.py --drop       # when done

Times, warm (one untimed call first), the dashboard selector as the page calls it (counts, apologies
and ratings for the period and the previous one, feedback, the agency tree), the 12-month trend the
page loads next, GET /api/v1/reports/on-time/ and GET /api/v1/reports/index-766/ through the full
Django/DRF stack, for a superuser (everything), a province manager (50 agencies) and a commune manager, over a
month, a quarter and a year. Target: < 300 ms each at 1,000,000 dossiers on the 2-core machine.
MEASURED (2026-11-21, the shared 2-core machine with other test runs going, load average 3–4;
PostgreSQL 15, shared_buffers 128 MB; 1,000,000 dossiers, 2,000,436 components, 326,806 ratings,
27,350 apologies, 19,917 feedback; median of 5 warm runs, ms; target < 300):

                                         superuser   province (50 agencies)   commune
    month (Oct 2026, ~44k dossiers)
      dashboard selector (the page)          202            235                 133
      12-month trend (loaded after)          347            273                 161
      GET reports/on-time/                   127             85                  55
      GET reports/index-766/                 304            210                 126
    quarter (Q3 2026, ~125k dossiers)
      dashboard selector                     508            549                 264
      12-month trend                         320            289                  98
      GET reports/on-time/                   203            179                 104
      GET reports/index-766/                 520            449                 200
    year (2026 to 20 Nov, ~460k dossiers)
      dashboard selector                    1699           2792                 888
      12-month trend                         483            529                 156
      GET reports/on-time/                  1242            524                 227
      GET reports/index-766/                 944            701                 479

Before the reporting indexes and query changes the same month cost 3,190 ms (dashboard),
816 ms (on-time) and 2,481 ms (766). What got there: a covering index on received_at (migration
reporting/0001) read by index-only scans; counting COUNT(received_at) so that no query needs the
table; apologies and ratings as hashed `id IN (...)` sets instead of joins; a partial index of
unscanned components (reporting/0002); JIT and parallel workers off for report transactions.
A per-day pre-aggregate table was measured and rejected: at this shape (13.7 dossiers per agency per
day) agency × day × field × channel already has 624k rows for 1M dossiers, and 951k once it must be
exact at any period end (finish and due days in the key), so it would not shrink the scan.
Year-long views stay over target: see the report for what the dossier table would need.

h10 (2026-12-02, same machine, load average 4–11 from the other helpers; 1,000,000 dossiers generated with
the report facts; median of 3 warm runs, ms). The rules changed (finished in the period whenever received,
open at its end, both supplement readings, apology outcomes), which makes the live reads heavier; the
monthly fact table (reporting.ReportMonth, ~27,000 rows a month at this uniform shape, 8 min to build 25
months with `rebuild_report_months`) now serves whole closed months:

                                         live (new rules)        from the fact table
                                                                superuser  province  commune
    month (Oct 2026)
      dashboard selector                 2,060 / 1,987 / –         243       204       49
      12-month trend                     7,076 (superuser)         318       248       42
      GET reports/on-time/ by agency       –                        53        28       13
      GET reports/index-766/ (live)        –                       758       603      357
    quarter (Q3 2026)
      dashboard selector                                           387       182       25
      GET reports/on-time/                                          75        63       13
      12-month trend                                               330       266       42
    year to date (1 Jan – 20 Nov 2026: Jan–Oct from the table, 1–20 Nov live)
      dashboard selector                                         2,139     1,215      251
      GET reports/on-time/                                       1,367       846      200
      12-month trend                                             1,721     1,096      201

Left over target: the live tail of a period that ends inside a month (its correlated supplement and
apology sub-queries over the dossiers open at its end) and the 766 endpoint, still read live.

hC (2026-12-02, issue 10's targets; 1,000,000 dossiers of the Zipf generator, about 6,700 fact-table rows a
month, 8,072 open dossiers; the fact table built with `rebuild_report_months --from 2024-11 --to 2026-11`;
Redis cache; median of 5 warm runs, load average 4–8 from the other helpers):

    .venv/bin/python bench/bench_reports.py --database-url .../motcua_bench_hC --redis-url redis://.../1
    BENCH_ROOT=<checkout before> .venv/bin/python bench/bench_reports.py ...   # the same script, the old code
    ... --dump DIR                         # every endpoint's JSON at a frozen moment: before and after identical
    ... --cold                             # the closed months' sums read again on every call (after a write)

The year (Jan–Nov from the table, December live: the open dossiers) was where the time went: per open dossier
about ten correlated sub-queries (supplement rounds, apologies), hashed sets of every dissatisfied rating,
complaint and unscanned component whatever the scope, and in Python building the same 45 metric conditions
for each of the 20–40 counts. Now: the conditions are built once per window, each AND tests the dossier row
before a sub-query (an explicit `finished_at IS NOT NULL`, `supplement_count > 0` before the supplement
look-ups, the national due time before the waiting ones), and the look-ups are probes by the dossier's key.

                                   p50 ms before -> after   portal CPU ms   PostgreSQL CPU ms
    year  dashboard selector  superuser   325 -> 196          118 -> 66        122 -> 72
                              province    374 -> 189          123 -> 72         96 -> 56
                              commune     129 ->  50           65 -> 25         24 -> 16
          GET /bao-cao/ page  province    517 -> 205          202 -> 139        94 -> 64
          GET on-time/        superuser   275 -> 202          101 -> 62        122 -> 62
                              province    218 -> 107           88 -> 47         86 -> 54
          GET index-766/      superuser   276 -> 141           72 -> 34         98 -> 74
                              province    157 ->  96           66 -> 35         78 -> 60
    month, quarter: 4–60 ms for the endpoints and the selector before and after (closed months, cached sums);
    the page 46–156 ms, most of it Django rendering about 900 drill-down links (60–110 ms of portal CPU).

At 10,000,000 dossiers (the shared `motcua_bench_10m`, read-only: `--build-months 2026-01:2026-11` builds the
months in a transaction rolled back at the end, 40–135 s a month; 80,720 open dossiers), after, p50 / PostgreSQL
CPU ms: month endpoints 9–18 / 0–3 (on-time), 69–168 / 13–63 (766), selector 20–118 / 0–10; quarter on-time 26–64,
766 139–209 / 17–80; year (dashboard not run: 2025 was not built) on-time 159 / 23 (commune), 703 / 390
(province), 1,156 / 663 (superuser), 766 167 / 57, 1,106 / 620, 1,588 / 997. The year's live December is the
80,720 open dossiers read row by row: the < 500 ms target at 10M needs the open dossiers' state kept as facts
too (see the report of this session).

hr (2026-12-02, the same 1,000,000-dossier database, `motcua_bench_1m`, 8,072 open dossiers; median of 5 warm runs,
ms, wall / portal CPU / PostgreSQL CPU; load average 2–5 from the other helpers, so compare the CPU columns). The
year's live December was one GROUP BY of every dossier it touches with all forty filtered counts, compiled by
Django on every call (a running period ends now, so nothing of it was cached: 40–60 ms of Python), and the
8,072 open dossiers read from the table (one page each, 7,500 pages, most not in shared buffers). Now the live
part is two parts in one UNION ALL statement: the dossiers received or finished in the window with every count,
and those received before it and not finished with the eight conditions of the open family
(selectors._live_grouped; tests/reporting/test_live_parts.py walks every metric), compiled once per shape with a
stand-in for the end; migration reporting/0007 (not on the shared databases: the lead applies it) adds a covering
partial index of the unfinished dossiers (an index-only scan instead of the table pages) and a partial index of
the dissatisfied ratings (the complaint count probed the whole ratings index once per open dossier). The page's
1,000 drill-down links are built by the {% cells %} tag in Python (the HTML is byte for byte the same).
Every endpoint's JSON (--dump, the year) is identical before and after at 1M and at 100,000.

                                          before (main)          after (without 0007)
    year  dashboard selector  superuser   501 / 237 / 140        147 /  81 /  62
                              province    242 / 153 /  88        156 /  84 /  52
                              commune      91 /  64 /  32         80 /  15 /  24
          GET /bao-cao/ page  superuser   678 / 359 / 152        338 / 106 /  64
                              province    378 / 308 /  64        441 / 162 /  58
                              commune     167 / 134 /  32        111 /  41 /  20
          GET on-time/        superuser   297 / 137 /  64        228 /  62 /  56
                              province    389 / 172 /  70        173 /  41 /  50
                              commune     120 /  91 /  28         51 /  11 /  18
          GET index-766/      superuser   237 / 111 / 112        251 /  37 /  86
                              province    344 / 131 /  80        176 /  33 /  60
                              commune     137 / 105 /  26         76 /  22 /  18
    month GET /bao-cao/ page  superuser   144 / 129 /   6        148 /  65 /   4
                              province    184 / 177 /   6        216 / 103 /   4
                              commune      83 /  78 /   4         79 /  37 /   2
    quarter page              province    321 / 302 /   8        152 / 110 /   4
    month and quarter endpoints and selector: 8–120 ms wall, 7–57 ms portal CPU before and after (the fact table).

On a 100,000-dossier database of the same generator (the only place 0007 could be applied), the open dossiers'
part of the statement: 24 ms (a bitmap heap scan of 791 pages) -> 4.7 ms (index-only, no heap fetch). Whole
requests, main without 0007 -> this branch with it (load average 3–4), wall / portal CPU:

    year  dashboard selector  superuser 187 / 84 -> 62 / 49    province 198 / 96 -> 72 / 60   commune 129 / 54 -> 26 / 16
          GET /bao-cao/ page  superuser 341 / 149 -> 83 / 71   province 479 / 221 -> 115 / 106  commune 251 / 111 -> 60 / 47
          GET on-time/        superuser 196 / 87 -> 40 / 32    province 182 / 78 -> 30 / 22   commune 148 / 64 -> 27 / 18
          GET index-766/      superuser 148 / 63 -> 40 / 30    province 180 / 69 -> 50 / 36   commune 115 / 59 -> 50 / 36
    month GET /bao-cao/ page  superuser 157 / 74 -> 51 / 48    province 300 / 144 -> 81 / 77  commune 108 / 51 -> 56 / 53

Session 22 (2026-12-02, a new machine; the 1,000,000 generated afresh and multiplied to 10,000,000 by
replicate_dossiers.py, report months rebuilt; 80,720 open dossiers; Redis cache; median of 5 warm runs; load 1.5-3
from one helper). "Before" is main at the start of the session (BENCH_ROOT=<its checkout>), "after" this commit:
the dashboard groups units, fields and channels each apart (the fact table's cached sums grouped by one key each,
the open month read once and folded into each: a province's agency x field x channel rows were folded twice in
Python for every page), percent in integer arithmetic, the rows' rate cells formatted directly. p50 ms / portal
CPU / SQL ms:

                                          before                 after
    10M month  GET /bao-cao/ province      74 /  59 /   13        54 /  44 /   8
               GET /bao-cao/ superuser     38 /  27 /   11        35 /  25 /   9
               GET /bao-cao/ commune       40 /  36 /    3        28 /  25 /   2
               GET index-766 superuser    100 /  24 /   77        84 /  17 /   68
               GET index-766 province     106 /  29 /   79        82 /  20 /   63
    10M year   dashboard selector super   640 /  86 /  569       541 /  73 /  457
               dashboard selector prov    526 /  76 /  444       428 /  56 /  371
               GET /bao-cao/ superuser    661 / 104 /  556       568 / 100 /  474
               GET /bao-cao/ province     532 / 107 /  419       569 / 113 /  454
               GET on-time/ superuser     514 /  63 /  466       450 /  55 /  407
               GET index-766 superuser    692 /  30 /  664       567 /  28 /  546
               GET index-766 province     488 /  34 /  454       579 /  39 /  543
               commune: every year endpoint 40-90 ms before and after

At 1M every endpoint's JSON (--dump, month and year, the three scopes: 42 files) is byte for byte the same before
and after. The year at 10M is PostgreSQL's: the live December is the 80,720 open dossiers (an index-only scan of
27 ms, a sort that spills 7 MB to disk, then ~5 us a row for the open family's eight filtered counts and 141,900
probes of the apology index: at this data's "now", 12 days after its last dossier, 61,180 of them are late). A
report transaction with work_mem 32 MB sorted in memory but turned the commune's year from 79 to 328 ms (hashed
plans over every apology): not kept. The < 500 ms target at 10M needs the open dossiers' state kept as facts.

Session 23 (2026-12-03, a new machine: the 1,000,000 generated afresh and multiplied to 10,000,000; 80,720 open
dossiers; median of 5-7 warm runs, bare view 0.9-1.6 ms: the host's speed varied through the day, so compare within
a run). The open dossiers' state as facts of the dossier, written by the services in the same transaction: the
apology's issue time and new date (dossiers/0024), the first complaint (dossiers/0026), whether a complaint repeats
one (citizens/0007); the covering index of the open dossiers holds them (reporting/0008); the open dossiers' counts
use the open family's conditions with the families put in (`_open_rules`); feedback counted from covering indexes
and only its window (reporting/0010); extended statistics of (agency, procedure, channel) so PostgreSQL hashes the
open dossiers instead of sorting them to disk (reporting/0011). Per statement at 10M (in process): the 766's live
statement 280-590 -> 66-98 ms (161,440 probes of the ratings and feedback gone), the dashboard's 160-180 -> 107-128
(a 7 MB external sort gone), a province's feedback figures 171 -> 2 ms (30,490 probes gone), the feedback summary
66-76 -> 22-45. p50 ms, wall / portal CPU / PostgreSQL CPU (`--queries NAME` prints a scenario's slowest queries):

                                          before                   after
    10M year   dashboard selector super   379 / 111 / 276          302 / 132 / 164
               dashboard selector prov    309 /  86 / 208          252 /  95 / 153
               GET /bao-cao/ superuser    372 / 132 / 234          303 / 159 / 147
               GET /bao-cao/ province     331 / 129 / 188          273 / 128 / 144
               GET on-time/ superuser     305 /  84 / 220          227 /  93 / 126
               GET index-766 superuser    648 /  46 / 664          202 /  46 / 161
               GET index-766 province     452 /  44 / 432          311 /  45 / 253
               commune: every year endpoint 44-123 ms
    10M month  every endpoint and page 11-90 ms (the province's page 90: its ~1,000 drill-down links)
    1M  year   dashboard 40-157, pages 57-198, on-time 24-98, 766 55-94; month 11-72

"Before" is the session's first run at 10M, with the apology's facts already in (main as the session found it measured
the same within the noise on that database: 766 606 / 475, dashboard 320 / 276, on-time 244 / 164); every
endpoint's JSON at 1M (--dump, month and year, three scopes: 42 files) is byte for byte the same from main at the
start of the session and from this commit.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

# BENCH_ROOT: measure another checkout's code (the "before" figures: BENCH_ROOT=/work/main) with this script.
ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_reports"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--redis-url", default="", help="the cache the cached closed-month sums go to (default: the file cache)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--explain", action="store_true")
    p.add_argument("--only", default="", help="run only scenarios whose name contains this")
    p.add_argument("--skip", default="", help="skip the scenarios whose name matches this regular expression")
    p.add_argument("--periods", default="month,quarter,year",
                   help="month (the last whole month), quarter, year (the calendar year, as the page's year)")
    p.add_argument("--cold", action="store_true",
                   help="clear the cache before every call: the closed months' sums are read again (as after a write)")
    p.add_argument("--dump", default="", help="write the JSON of every endpoint and the dashboard to this directory")
    p.add_argument("--dump-at", default="2026-12-02T12:00:00+07:00",
                   help="the moment the dumps are computed at (the open month's counts move with the clock)")
    p.add_argument("--queries", default="", help="print the six slowest queries of the scenarios whose name contains this")
    p.add_argument("--profile", default="", help="cProfile the scenarios whose name contains this (top 25 by cumtime)")
    p.add_argument("--build-months", default="",
                   help="YYYY-MM:YYYY-MM: build these months of the fact table first, inside one transaction that is "
                        "rolled back at the end (a shared database read-only, e.g. the 10,000,000-dossier one)")
    return p.parse_args()


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["REDIS_URL"] = args.redis_url
    import django

    django.setup()
    if args.build_months:
        from django.db import transaction

        from reporting import rollup

        start, end = (date.fromisoformat(f"{m}-01") for m in args.build_months.split(":"))
        with transaction.atomic():
            cur = start
            while cur <= end:
                t0 = time.perf_counter()
                rows = rollup.rebuild_month(cur)
                print(f"built {cur:%Y-%m}: {rows} rows in {time.perf_counter() - t0:.0f} s (rolled back at the end)", flush=True)
                cur = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
            rollup.analyze()
            _measure(args)
            transaction.set_rollback(True)
        return
    _measure(args)


def _measure(args) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from dossiers.models import Dossier
    from reporting import periods, selectors

    settings.ROOT_URLCONF = "bench.bare_urls"
    settings.ALLOWED_HOSTS = ["*"]
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench_")}
    total = Dossier.objects.count()
    last = Dossier.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    end = last.date()
    # The last whole month and quarter before the end of the data, and the year so far.
    month = periods.month(end.year, end.month - 1) if end.month > 1 else periods.month(end.year - 1, 12)
    q = (end.month - 1) // 3 + 1
    quarter = periods.quarter(end.year, q - 1) if q > 1 else periods.quarter(end.year - 1, 4)
    year = periods.year(end.year)  # the page's year: closed months from the fact table, the open one live
    print(f"{total:,} dossiers; last received {end}; month {month.start}..{month.end}, "
          f"quarter {quarter.start}..{quarter.end}, year {year.start}..{year.end}; "
          f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1]}{' cleared before every call' if args.cold else ''}")
    print(f"PostgreSQL jit={_setting(connection, 'jit')} work_mem={_setting(connection, 'work_mem')} "
          f"max_parallel_workers_per_gather={_setting(connection, 'max_parallel_workers_per_gather')}")
    backend = _setting(connection, "pg_backend_pid()", select=True)
    print(f"{'':4} {'scenario':<50} {'p50':>7} {'p99':>7} {'cpu py':>7} {'cpu pg':>7} {'sql':>7}  queries  (ms)")

    def run(name, fn):
        if (args.only and args.only not in name) or (args.skip and re.search(args.skip, name)):
            return
        fn()  # warm: plans, caches, the agency tree
        times, py_cpu, pg_cpu, sql, queries = [], [], [], [], 0
        for _ in range(args.rounds):
            if args.cold:
                cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                pg0, c0, t0 = _cpu_seconds(backend), time.process_time(), time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1000)
                py_cpu.append((time.process_time() - c0) * 1000)
                pg_cpu.append((_cpu_seconds(backend) - pg0) * 1000)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            queries = len(ctx.captured_queries)
        if args.queries and args.queries in name:
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:6]:
                print(f"     {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
        if args.profile and args.profile in name:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(fn)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        limit = 100 if " month" in name else 300
        mark = "ok " if statistics.median(times) < limit else "SLOW"
        print(f"{mark:<4} {name:<50} {statistics.median(times):7.1f} {_percentile(times, 0.99):7.1f} "
              f"{statistics.median(py_cpu):7.1f} {statistics.mean(pg_cpu):7.1f} {statistics.median(sql):7.1f}  {queries:3d}",
              flush=True)

    scopes = {
        "superuser": None,
        "province": selectors.reporting_scope(users["bench_province"]),
        "commune": selectors.reporting_scope(users["bench_commune"]),
    }
    who = {"superuser": "bench_admin", "province": "bench_province", "commune": "bench_commune"}
    bare = APIClient()

    def bare_view():
        r = bare.get("/bench/bare/")
        assert r.status_code == 200

    run("bare Django view GET /bench/bare/", bare_view)
    dump = Path(args.dump) if args.dump else None
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
    wanted = args.periods.split(",")
    for label, period in (("month", month), ("quarter", quarter), ("year", year)):
        if label not in wanted:
            continue
        for scope_name, scope in scopes.items():
            run(f"dashboard selector {scope_name:<9} {label}",
                lambda s=scope, p=period: selectors.dashboard(s, p, with_trend=False))
            if dump:
                with _frozen(args.dump_at):
                    data = _dashboard_json(selectors.dashboard(scope, period))
                _dump(dump / f"dashboard-{scope_name}-{label}.json", data)
        for scope_name in scopes:
            client = APIClient()
            client.force_authenticate(users[who[scope_name]])
            page = APIClient()
            page.force_login(users[who[scope_name]])
            params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
            page_params = {"kind": "year", "year": period.start.year}
            if label == "quarter":
                page_params = {"kind": "quarter", "quarter": (period.start.month - 1) // 3 + 1, "year": period.start.year}
            if label == "month":
                page_params = {"kind": "month", "month": period.start.strftime("%Y-%m")}

            def dashboard_page(c=page, q=page_params):
                r = c.get("/bao-cao/", q)
                assert r.status_code == 200, r.content[:300]

            def on_time(c=client, q=params):
                r = c.get("/api/v1/reports/on-time/", {**q, "group_by": "agency"})
                assert r.status_code == 200, r.content[:300]

            def index(c=client, q=params):
                r = c.get("/api/v1/reports/index-766/", q)
                assert r.status_code == 200, r.content[:300]

            run(f"GET /bao-cao/ (page)      {scope_name:<9} {label}", dashboard_page)
            run(f"GET reports/on-time/      {scope_name:<9} {label}", on_time)
            run(f"GET reports/index-766/    {scope_name:<9} {label}", index)
            if dump:
                with _frozen(args.dump_at):
                    for group_by in selectors.GROUP_BY:
                        r = client.get("/api/v1/reports/on-time/", {**params, "group_by": group_by})
                        (dump / f"on-time-{group_by}-{scope_name}-{label}.json").write_bytes(r.content)
                    r = client.get("/api/v1/reports/index-766/", params)
                    (dump / f"index-766-{scope_name}-{label}.json").write_bytes(r.content)

    if args.explain:
        flt = selectors.ReportFilter(year)
        qs = selectors.touched_in(flt).values("agency_id").annotate(**selectors._aggregates(flt, selectors.ROW_COUNTS))
        print(qs.explain(analyze=True, buffers=True))


def _dashboard_json(dash) -> dict:
    """Every figure of the dashboard (the trend included), for a byte-for-byte comparison of two runs."""
    from reporting import selectors

    def rows(items):
        return [selectors.row_as_dict(r) | {"id": r.id} for r in items]

    return {
        "totals": selectors.row_as_dict(dash.totals), "previous": selectors.row_as_dict(dash.previous),
        "comparison": dash.comparison, "units": rows(dash.units),
        "units_previous": [selectors.row_as_dict(r.previous) if r.previous else None for r in dash.units],
        "breakdown": rows(dash.breakdown), "channels": rows(dash.channels), "trend": rows(dash.trend),
        "feedback": vars(dash.feedback),
    }


def _frozen(at: str):
    import time_machine  # a test requirement: only the dumps need it

    return time_machine.travel(at, tick=False)


def _dump(path: Path, data) -> None:
    import json

    path.write_text(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False, indent=1))


def _setting(connection, name, select=False):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {name}" if select else f"SHOW {name}")
        return cur.fetchone()[0]


if __name__ == "__main__":
    main()
