"""Benchmark of the task sweep (assignments/deadlines.py), run by hand, never by the test suite:

    .venv/bin/python bench/bench_task_sweep.py                  # 200,000 tasks
    .venv/bin/python bench/bench_task_sweep.py --tasks 50000
    .venv/bin/python bench/bench_task_sweep.py --drop           # remove the scratch database

It (re)creates the scratch database `motcua_bench_tasks` (or --database-url), migrates it, and generates
a province, 100 communes with a head each, one directive and the tasks inside PostgreSQL: of every 1,000
tasks one passes its due-soon point and one its deadline just before "now", a third are done and 2% were
flagged late by earlier sweeps. Then it times one sweep (both phases) and a second one at the same time,
which must find nothing, and the weekly digest.

Measured on the 2-core development machine shared with seven other jobs (2 Dec 2026, PostgreSQL 16,
200,000 tasks of which 133,334 open; generation 13 s, migrate 17 s):

    first sweep                0.107 s   267 flagged due soon, 134 late, 267 notices
    second sweep               0.016 s   nothing new (the steady state every SWEEP_INTERVAL_MINUTES)
    weekly digest              0.74 s    100 heads told (one query for the counts, one per unit for its heads)
    weekly digest again        0.46 s    nothing written (the ISO week is in the dedupe key)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_tasks"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--tasks", type=int, default=200_000)
    p.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    return p.parse_args()


def recreate_database(url: str, drop_only: bool = False) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if not name.startswith("motcua_bench"):
        raise SystemExit(f"refusing to drop {name!r}: scratch databases are named motcua_bench*")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<32} {elapsed:8.3f} s   {result}")
    return result


def generate(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from assignments.models import Directive, Task
    from organisation.models import Agency, Role, StaffMembership

    province = Agency.objects.create(code="000.00.00.H99", name="UBND tỉnh", level="province")
    communes = Agency.objects.bulk_create([
        Agency(code=f"000.01.{i:02d}.H99", name=f"UBND xã {i}", level="commune", parent=province) for i in range(100)
    ])
    users = get_user_model().objects.bulk_create([get_user_model()(username=f"head{i}") for i in range(100)])
    StaffMembership.objects.bulk_create([StaffMembership(user=u, agency=a, role=Role.HEAD)
                                         for u, a in zip(users, communes, strict=True)])
    directive = Directive.objects.create(number="1/CT", issued_on=NOW.date(), signer="A", title="Chỉ thị",
                                         issuing_agency=province)
    first = communes[0].pk
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {Task._meta.db_table} (directive_id, title, description, assigner_id, lead_agency_id,
                assigned_at, deadline_kind, original_due_on, due_on, due_at, due_soon_at, is_due_soon, is_late,
                status, progress_percent, verdict, version, created_at, updated_at)
            SELECT %(directive)s, 'Nhiệm vụ ' || n, '', %(province)s, %(first)s + n %% 100,
                   %(now)s - interval '60 days', 'date', d, d, d + interval '1 day', s, FALSE, n %% 50 = 7,
                   CASE WHEN n %% 3 = 0 THEN 'done' ELSE 'open' END, 0, '', 1, %(now)s, %(now)s
            FROM (
                SELECT n,
                       CASE WHEN n %% 1000 = 1 THEN %(now)s - interval '1 hour'
                            WHEN n %% 1000 = 2 THEN %(now)s - interval '1 hour'
                            ELSE %(now)s + interval '30 days' END AS s,
                       (CASE WHEN n %% 1000 = 1 THEN %(now)s - interval '1 day'
                             WHEN n %% 1000 = 2 THEN %(now)s + interval '2 days'
                             ELSE %(now)s + interval '33 days' END)::date AS d
                FROM generate_series(1, %(count)s) AS n
            ) g
        """, {"directive": directive.pk, "province": province.pk, "first": first, "now": NOW, "count": count})
        cursor.execute(f"UPDATE {Task._meta.db_table} SET due_soon_at = due_at - interval '3 days' "
                       "WHERE due_on < %s", [NOW.date()])
        cursor.execute(f"ANALYZE {Task._meta.db_table}")


def main() -> None:
    args = parse_args()
    if args.drop:
        recreate_database(args.database_url, drop_only=True)
        print("dropped")
        return
    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from assignments import deadlines

    timed("migrate", lambda: call_command("migrate", verbosity=0))
    timed(f"generate {args.tasks:,} tasks", lambda: generate(args.tasks))
    timed("first sweep", lambda: deadlines.sweep(NOW).as_dict())
    timed("second sweep (nothing new)", lambda: deadlines.sweep(NOW).as_dict())
    timed("weekly digest", lambda: deadlines.weekly_digest(NOW))
    timed("weekly digest again", lambda: deadlines.weekly_digest(NOW))


if __name__ == "__main__":
    main()
