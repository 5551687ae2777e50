"""Bench: national portal sync of 10,000 changes over 1,000 dossiers, 10% of calls failing at random.

Run by hand on a migrated database with the demo loaded (`manage.py migrate && manage.py seed_demo`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/bench_national.py \
        --dossiers 1000 --workers 1 --fail-rate 0.1

1. Makes N dossiers by counter intake (the real service: one `DongBoHoSoMC` row each), then nine more
   changes per dossier written as the services write them (a timeline event and `record_dossier_event` in
   one transaction per change; `supplement` and `decide` also resend the dossier): ten rows per dossier.
   The time of `record_dossier_event` alone is the extra cost of an action for its outbox row.
2. Starts the stand-in national portal (a real HTTP server, in this process) failing the given share of
   calls, and W worker processes that each loop over every dossier calling `national.services.deliver`
   (the Celery task's body) until nothing waits: with W > 1 every dossier is contended by every worker.
3. Checks the stand-in's log: every row accepted exactly once, each dossier's in the order written.

Figures on the 2-core development machine shared with the other jobs of the session (December 2026),
10% of calls failing, the stand-in on the same machine:
- load average ~5 (a bare `SELECT 1` round trip 0.11 ms median), 1,000 dossiers, 10,000 changes:
  outbox row one INSERT, median 0.68 ms, mean 1.07 ms, p99 5.5 ms (the action's own timeline INSERT:
  median 0.52 ms); 1 worker: 10,000 changes delivered in 6,000 calls (consecutive progress entries travel
  together), 683 calls refused on purpose and retried, 1,000/1,000 dossiers exactly in order with no
  change twice; 152.5 s = 66 changes/s per worker.
- 200 dossiers, 2 workers both looping over every dossier (lease contention on each): 2,000 changes,
  200/200 in order, none twice; 130 changes/s, 65 per worker; outbox row median 0.47 ms, mean 0.65 ms.
- under load average 14 (`SELECT 1` 2.7 ms): outbox row median 4.9 ms; 1 worker 30 changes/s, the same
  guarantees. Delivery costs about six database round trips and one HTTP call per call sent.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

# The status changes after receipt, as (action, from, to); supplement and decide also resend the dossier.
CHANGES = [("transfer", 2, 4), ("request-payment", 4, 6), ("confirm-payment", 6, 4), ("request-supplement", 4, 5),
           ("supplement", 5, 4), ("decide", 4, 9), ("return", 9, 10)]


def make(n: int) -> tuple[list[int], list[float]]:
    from django.contrib.auth import get_user_model

    from dossiers import services
    from dossiers.models import Dossier, TimelineEvent
    from national.models import ProcedureMapping
    from national.services import record_dossier_event
    from procedures.models import Procedure

    desk = get_user_model().objects.get(username="motcua")
    procedure = Procedure.objects.get(code="1.004873")
    ProcedureMapping.objects.get_or_create(procedure=procedure, defaults={"national_code": "1.004873"})
    run = uuid.uuid4().hex[:6]
    ids, costs, events, pings = [], [], [], []
    started = time.perf_counter()
    for i in range(n):
        d = services.intake(actor=desk, procedure=procedure, idempotency_key=f"bench-national-{run}-{i}",
                            applicant={"full_name": f"Người nộp {i}", "id_number": f"{i:012d}",
                                       "phone": f"09{i:08d}"})
        ids.append(d.pk)
        for action, before, after in CHANGES:
            with transaction.atomic():
                locked = Dossier.objects.select_for_update().get(pk=d.pk)
                locked.status = after
                locked.save(update_fields=["status"])
                t0 = time.perf_counter()
                event = TimelineEvent.objects.create(dossier=locked, at=timezone.now(), action=action, actor=desk,
                                                     actor_name="motcua", from_status=before, to_status=after)
                t1 = time.perf_counter()
                record_dossier_event(locked, event)
                t2 = time.perf_counter()
                with connection.cursor() as cursor:  # one round trip to the database, for scale
                    cursor.execute("SELECT 1")
                t3 = time.perf_counter()
                events.append(t1 - t0)
                costs.append(t2 - t1)
                pings.append(t3 - t2)
        if (i + 1) % 100 == 0:
            print(f"  made {i + 1} dossiers ({time.perf_counter() - started:.0f} s)", flush=True)
    for name, values in (("the action's own event INSERT", events), ("a bare SELECT 1 round trip", pings)):
        values = sorted(v * 1000 for v in values)
        print(f"  for scale, {name}: median {statistics.median(values):.3f} ms", flush=True)
    return ids, costs


def work(ids: list[int], url: str, fail_seen) -> None:
    """One worker process: deliver every dossier's rows until none waits."""
    import logging

    from national import services
    from national.models import OutboxEntry
    from national.services import Outcome, deliver

    django.db.connections.close_all()
    settings.DVCQG_URL = url
    logging.getLogger("national.services").setLevel(logging.ERROR)
    services.publish = lambda *args, **kwargs: True  # no broker here: this loop is the worker

    while True:
        waiting = set(OutboxEntry.objects.filter(dossier_id__in=ids, sent_at__isnull=True)
                      .values_list("dossier_id", flat=True).distinct())
        if not waiting:
            return
        for dossier_id in sorted(waiting):
            if deliver(dossier_id) == Outcome.RETRY:
                fail_seen.value += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--fail-rate", type=float, default=0.1)
    args = parser.parse_args()

    from national import client
    from national.models import OutboxEntry
    from national.standin import StandIn

    print(f"making {args.dossiers} dossiers: intake and {len(CHANGES)} status changes each ...", flush=True)
    ids, costs = make(args.dossiers)
    costs_ms = sorted(c * 1000 for c in costs)
    rows = OutboxEntry.objects.filter(dossier_id__in=ids).count()
    print(f"outbox rows: {rows}; record_dossier_event mean {statistics.mean(costs_ms):.3f} ms, "
          f"median {statistics.median(costs_ms):.3f} ms, p99 {costs_ms[int(len(costs_ms) * 0.99)]:.3f} ms")

    standin = StandIn(username="bench", password="bench").start()
    standin.configure(fail_rate=args.fail_rate, seed=11)
    settings.DVCQG_USERNAME = os.environ["DVCQG_USERNAME"] = "bench"
    settings.DVCQG_PASSWORD = os.environ["DVCQG_PASSWORD"] = "bench"
    settings.DVCQG_RETRY_BASE_SECONDS = 0.05
    settings.DVCQG_RETRY_MAX_SECONDS = 0.2
    client._sessions.clear()
    connection.close()
    fails = multiprocessing.Value("i", 0)
    started = time.perf_counter()
    procs = [multiprocessing.Process(target=work, args=(ids, standin.url, fails)) for _ in range(args.workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    took = time.perf_counter() - started
    snapshot = standin.snapshot()
    standin.stop()

    sent = {}
    for call in snapshot["accepted"]:
        for item in call["data"]:
            sent.setdefault(item["MaHoSo"], []).append(call["service"])
    expected = {}
    from dossiers.models import Dossier

    codes = dict(Dossier.objects.filter(pk__in=ids).values_list("pk", "code"))
    for dossier_id, service in OutboxEntry.objects.filter(dossier_id__in=ids).order_by("id").values_list(
            "dossier_id", "service"):
        expected.setdefault(codes[dossier_id], []).append(service)
    in_order = sum(1 for code, services in expected.items() if sent.get(code) == services)
    accepted = sum(len(services) for services in sent.values())
    print(f"delivered: {accepted} changes accepted for {rows} rows, in {len(snapshot['accepted'])} calls; "
          f"{len(snapshot['refused'])} calls refused (failed on purpose) and retried; "
          f"dossiers exactly in order, each change once: {in_order}/{len(expected)}")
    print(f"{args.workers} worker(s): {took:.1f} s, {rows / took:.0f} changes/s, "
          f"{rows / took / args.workers:.0f} changes/s per worker")
    assert accepted == rows and in_order == len(expected), "lost, doubled or out of order"


if __name__ == "__main__":
    main()
