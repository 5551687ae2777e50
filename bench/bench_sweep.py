"""Benchmark of the deadline sweep (dossiers/deadlines.py), run by hand, never by the test suite:

    .venv/bin/python bench/bench_sweep.py                       # generate 1,000,000 open dossiers, sweep
    .venv/bin/python bench/bench_sweep.py --database-url postgres://…/motcua_bench_sweep0 --generate-only
    .venv/bin/python bench/bench_sweep.py --template motcua_bench_sweep0   # a fresh copy of it, migrated
    .venv/bin/python bench/bench_sweep.py --template motcua_bench_1m --now 2026-11-21T09:00:00+07:00
    .venv/bin/python bench/bench_sweep.py --keep                # the data of an earlier run as it is
    .venv/bin/python bench/bench_sweep.py --drop                # remove the scratch database

It (re)creates the scratch database `motcua_bench_sweep` (or --database-url; the name must start with
`motcua_bench`), migrates it and generates the dossiers and one step each inside PostgreSQL
(bench/sweep_data.py, ~8 min on a busy machine): of every 1,000 dossiers one passes its due-soon point
and one its appointment just before "now", one step of each kind likewise, and 2% were flagged late
by earlier sweeps. `--template` copies a database instead (a pristine generated one, so that every run
starts from the same data; or `generate_dossiers.py`'s province-shaped data) and migrates the copy.
Then: ANALYZE and the index each phase's selection reads (`deadlines.selection`, EXPLAIN), the first
sweep timed phase by phase, idle sweeps (nothing new: the steady state every SWEEP_INTERVAL_MINUTES),
some of them after a fresh ANALYZE with the plans again, and EXPLAIN ANALYZE of the selections.

Target: "within seconds" for a million open dossiers, and plans that do not flip.

Figures, 2 Dec 2026, PostgreSQL 15, the 2-core development machine shared with three other sessions
(run 1 with a 10M-dossier build going on, load average 5-9; run 2 at load ~1-3). "Before" is the code
before migration 0022_hB_sweep_plans, "after" this commit (which also writes the history rows and bumps
the versions), each on a fresh copy of the same generated database (1,000,000 open dossiers and
steps, 6,000 rows crossing); six idle sweeps, with a fresh ANALYZE before the 2nd, 4th and 6th:

                            before                              after
    first sweep, run 1      2434 / 1800 / 1204 / 513 = 5.95 s   1708 / 1212 / 1369 / 929 = 5.22 s
    first sweep, run 2      1461 / 527 / 580 / 280 = 2.85 s     1047 / 390 / 487 / 275 = 2.20 s
      (by phase, ms: dossiers due soon / late / steps due soon / late)
    idle sweeps, run 1      720, 485, 476, 333, 378, 29 ms      49, 67, 71, 22, 93, 63 ms
    idle sweeps, run 2      15, 12, 7, 13, 10, 10 ms            31, 24, 23, 10, 8, 12 ms
    dossier selections      the plain (status, due_soon_at) and the partial indexes after all 8 ANALYZEs
      read                  (status, appointment_at) indexes    (EXPLAIN ANALYZE of each idle selection:
                            after 3 of 8 ANALYZEs (run 1: the   0.4-1.4 ms)
                            first three), the partial ones
                            after 5

Before, when the planner took the plain indexes it read every open row past its point, flagged long ago
or not (~22,000 here, ever more in production): 333-720 ms an idle sweep instead of 7-29 ms. Now no other
index has those times as a key and the plan cannot flip. The issue's figures (a quieter day): idle 10-25
ms on the partial indexes, 228-291 ms on the plain ones (2 runs of 5); first sweep 1.5-2.3 s. The 0.98 s
this docstring used to claim for the first sweep was not reproduced: 2.2-5.2 s here, with the history.

On a copy of `generate_dossiers.py`'s 1,000,000 dossiers (8,072 open, 14,848 open steps; --now
2026-11-21T09:00+07:00: 1,183 due soon, 415 late): before, the dossier selections were BitmapAnds of
the partial index or `dossier_finished_at` with a plain (status, …) index, changing with each ANALYZE;
first sweep 1.10 s, idle 89, 122, 58, 46, 27 ms. After: the partial index alone every time; first
sweep 1.01 s, idle 22, 21, 14, 28, 9 ms.
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
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_sweep"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--dossiers", type=int, default=1_000_000)
    p.add_argument("--crossing-every", type=int, default=1000, help="one of this many crosses each deadline")
    p.add_argument("--keep", action="store_true", help="reuse the data of an earlier run (skip generation)")
    p.add_argument("--template", default="",
                   help="copy this database (CREATE DATABASE … TEMPLATE) instead of generating, and migrate it")
    p.add_argument("--now", default="", help="the sweep's now (ISO), default the generator's 2026-11-24 09:00+07")
    p.add_argument("--idle-runs", type=int, default=6, help="sweeps with nothing new after the first one")
    p.add_argument("--analyze-before", default="1,3,5",
                   help="idle runs (0-based) preceded by a fresh ANALYZE of the two tables")
    p.add_argument("--generate-only", action="store_true",
                   help="generate (and ANALYZE) and stop: a pristine database to copy with --template")
    p.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    return p.parse_args()


def recreate_database(url: str, drop_only: bool = False, template: str = "") -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if not name.startswith("motcua_bench"):
        raise SystemExit(f"refusing to drop {name!r}: scratch databases are named motcua_bench*")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<34} {elapsed * 1000:9.1f} ms   {result}")
    return result, elapsed


def analyze() -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        cursor.execute("ANALYZE dossiers_step")
    return time.perf_counter() - start


def plans(now) -> str:
    """The index each phase's selection reads (EXPLAIN, no ANALYZE), one line each."""
    from django.db import connection

    from dossiers import deadlines

    out = []
    with connection.cursor() as cursor:
        for phase in deadlines.PHASES:
            sql, params = deadlines.selection(phase, now)
            cursor.execute("EXPLAIN " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
            scans = [line.strip().split("  (")[0].lstrip("-> ") for line in lines
                     if " Scan " in line or line.strip().startswith("Seq Scan")]
            out.append(f"{phase}: {' / '.join(scans)}")
    return "\n    ".join(out)


def explain_analyze(now) -> None:
    from django.db import connection

    from dossiers import deadlines

    with connection.cursor() as cursor:
        for phase in deadlines.PHASES:
            sql, params = deadlines.selection(phase, now)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print(f"  {phase}:\n    " + "\n    ".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    args = parse_args()
    if args.drop:
        recreate_database(args.database_url, drop_only=True)
        print("dropped")
        return
    if args.template:
        start = time.perf_counter()
        recreate_database(args.database_url, template=args.template)
        print(f"copy of {args.template}: {time.perf_counter() - start:.1f} s")
    elif not args.keep:
        recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = ""  # the sweep's notices are in-app: nothing is published
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from dossiers import deadlines
    from dossiers.models import Dossier, Step

    now = datetime.fromisoformat(args.now) if args.now else NOW
    if not args.keep:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate                            {time.perf_counter() - start:9.3f} s")
    if not args.keep and not args.template:
        from sweep_data import generate

        timed(f"generate {args.dossiers:,} dossiers", lambda: generate(dossiers=args.dossiers,
                                                                        crossing_every=args.crossing_every, now=now))
    if args.generate_only:
        return
    open_ = Dossier.objects.filter(status__in=deadlines.SWEPT_STATUSES, finished_at__isnull=True).count()
    print(f"now {now.isoformat()}; open dossiers swept: {open_:,}; "
          f"open steps: {Step.objects.filter(finished_at__isnull=True).count():,}")
    print(f"ANALYZE {analyze():.1f} s; plans:\n    {plans(now)}")

    total = 0.0
    for label, phase in [("dossiers due soon", deadlines.sweep_dossiers_due_soon),
                         ("dossiers late", deadlines.sweep_dossiers_late),
                         ("steps due soon", deadlines.sweep_steps_due_soon),
                         ("steps late", deadlines.sweep_steps_late)]:
        _result, elapsed = timed(label + " (flagged, notices)", lambda phase=phase: phase(now))
        total += elapsed
    print(f"{'first sweep, total':<34} {total * 1000:9.1f} ms")
    fresh = {int(i) for i in args.analyze_before.split(",") if i.strip()}
    for run in range(args.idle_runs):
        if run in fresh:
            print(f"fresh ANALYZE {analyze():.1f} s; plans:\n    {plans(now)}")
        timed(f"idle sweep {run + 1}", lambda: deadlines.sweep(now).as_dict())
    print("EXPLAIN ANALYZE of the selections (idle):")
    explain_analyze(now)


if __name__ == "__main__":
    main()
