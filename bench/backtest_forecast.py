"""Backtest of the lateness forecast on generated data (run by hand, never from the test suite).

    .venv/bin/python bench/generate_dossiers.py --dossiers 200000 --database-url postgres://…/motcua_bench_h10b
    .venv/bin/python bench/backtest_forecast.py --database-url postgres://…/motcua_bench_h10b

Replays time: for every dossier whose appointment falls in the last --days days of the data and that was
still open two working days (16 working hours) before its appointment, it forecasts at that moment with
only what was known then: the step statistics from the steps finished in the FORECAST_WINDOW_DAYS days
before that day (a snapshot per day, from midnight, so never a step finished after the moment), and the
dossier's steps as they stood (finished, the current one with its elapsed time, the ones not started).
Then it compares the flag with what happened: late when the dossier finished after its appointment, or
was still open at the end of the data past it.

Reports the base rate (late among the dossiers forecast), and for each threshold the dossiers flagged,
the precision (flagged that ended late) and the recall (late that were flagged); the same for a baseline
that knows only the legal step times (no statistics).

Last run (200,000 generated dossiers, appointments in the last 180 days, 2 December 2026): base rate 1,408
late of 22,214 (6.3 %); at threshold 0.5 the forecast flagged 5,128, 804 ended late: precision 15.7 %,
recall 57.1 % (0.3: 9.9 % / 87.8 %; 0.7: 26.5 % / 20.8 %); legal step times only: 9,230 flagged, precision
10.7 %, recall 70.5 %. The generator makes 36.5 % of the dossiers finish in the last 6 hours before their
appointment and draws lateness independently of the agency, which caps the precision.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from bisect import bisect_left
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LEAD_HOURS = 16  # two working days


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                            "postgres://postgres@127.0.0.1:5432/motcua_bench_h10b"))
    p.add_argument("--days", type=int, default=180, help="appointments in the last DAYS days of the data")
    p.add_argument("--thresholds", default="0.3,0.5,0.7")
    return p.parse_args()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("REDIS_URL", "")
    import django

    django.setup()


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.db.models import Max

    from dossiers import forecast as fc
    from dossiers.lateness import Forecaster, Hours, OpenStep, stats_from_durations
    from dossiers.models import Dossier, Status, Step

    t0 = time.perf_counter()
    hours = Hours()
    cut_short = {Status.REFUSED, Status.WITHDRAWAL_REQUESTED, Status.STOPPED}
    end_of_data = Dossier.objects.aggregate(m=Max("received_at"))["m"]
    eval_from = end_of_data - timedelta(days=args.days)
    window = timedelta(days=settings.FORECAST_WINDOW_DAYS)

    # Every step once, with the facts the statistics need (as `lateness.finished_step_rows` selects them).
    dossiers = {pk: (procedure_id, agency_id, status, appointment, finished, supp)
                for pk, procedure_id, agency_id, status, appointment, finished, supp in Dossier.objects.filter(
                    received_at__gte=eval_from - window - timedelta(days=60)).values_list(
                    "pk", "procedure_id", "agency_id", "status", "appointment_at", "finished_at", "supplement_count"
                ).iterator(chunk_size=20000)}
    steps_of: dict[int, list] = defaultdict(list)
    evidence = []  # (finished_at, procedure, name, agency, hours)
    for dossier_id, order, name, agency_id, allowance, started, finished in Step.objects.filter(
            dossier_id__in=list(dossiers)).values_list(
            "dossier_id", "order", "name", "agency_id", "allowance_seconds", "started_at", "finished_at").iterator(
            chunk_size=20000):
        steps_of[dossier_id].append((order, name, agency_id, allowance, started, finished))
        d = dossiers[dossier_id]
        if finished is not None and started is not None and d[2] not in cut_short and d[5] == 0:
            evidence.append((finished, d[0], name, agency_id, hours.between(started, finished, agency_id)))
    evidence.sort(key=lambda e: e[0])
    ends = [e[0] for e in evidence]
    print(f"loaded {len(dossiers):,} dossiers, {len(evidence):,} finished steps in {time.perf_counter() - t0:.1f} s")

    # The dossiers to forecast: appointment in the evaluation window, still open 16 working hours before it.
    cases = []
    for pk, (procedure_id, agency_id, _status, appointment, finished, _supp) in dossiers.items():
        if appointment is None or not (eval_from <= appointment <= end_of_data):
            continue
        at = hours.calendar(agency_id)
        from worktime import clock

        moment = clock.subtract_working_seconds(appointment, LEAD_HOURS * 3600, at)
        if finished is not None and finished <= moment:
            continue  # done before the forecast would run
        if not steps_of.get(pk) or min(s[4] or appointment for s in steps_of[pk]) > moment:
            continue  # not received yet at that moment
        late = finished > appointment if finished is not None else appointment < end_of_data
        cases.append((moment, pk, procedure_id, agency_id, appointment, late))
    cases.sort()
    print(f"{len(cases):,} dossiers open two working days before their appointment")

    thresholds = [float(t) for t in args.thresholds.split(",")]
    results = {"forecast": [], "legal time only": []}
    snapshot_day, forecaster, legal = None, None, None
    for moment, pk, procedure_id, agency_id, appointment, late in cases:
        day = moment.astimezone(hours.calendar(agency_id).zone).replace(hour=0, minute=0, second=0, microsecond=0)
        if day != snapshot_day:  # statistics as the nightly refresh would have left them that morning
            lo, hi = bisect_left(ends, day - window), bisect_left(ends, day)
            stats = stats_from_durations((p, n, a, h) for _f, p, n, a, h in evidence[lo:hi])
            forecaster = Forecaster(stats, fc.Settings(), hours)
            legal = Forecaster({}, fc.Settings(), hours)
            snapshot_day = day
        open_steps = [OpenStep(order, name, step_agency, allowance, started if started and started <= moment else None)
                      for order, name, step_agency, allowance, started, finished in steps_of[pk]
                      if finished is None or finished > moment]
        for label, f in (("forecast", forecaster), ("legal time only", legal)):
            p = f.forecast(procedure_id=procedure_id, agency_id=agency_id, appointment_at=appointment,
                           steps=open_steps, now=moment).probability
            results[label].append((p, late))

    n = len(cases)
    late_total = sum(1 for *_rest, late in cases if late)
    print(f"\nbase rate: {late_total:,} late of {n:,} ({late_total / n:.1%})" if n else "no cases")
    print(f"{'method':<18} {'threshold':>9} {'flagged':>8} {'late':>6} {'precision':>9} {'recall':>7}")
    for label, rows in results.items():
        for t in thresholds:
            flagged = [late for p, late in rows if p >= t]
            hit = sum(flagged)
            precision = hit / len(flagged) if flagged else float("nan")
            recall = hit / late_total if late_total else float("nan")
            print(f"{label:<18} {t:>9.2f} {len(flagged):>8,} {hit:>6,} {precision:>9.1%} {recall:>7.1%}")
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
