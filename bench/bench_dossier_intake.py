"""Bench: the counter intake, in process: SQL queries and CPU per intake (portal and PostgreSQL).

Run by hand on a migrated database with the demo loaded (`manage.py migrate && manage.py seed_demo`),
never from the test suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/bench_dossier_intake.py 300 [--profile]

Settings `config.settings.prod` (DEBUG off). It takes N dossiers at the demo commune's desk (officer
`motcua`, procedure 1.004873, an applicant with phone and e-mail: received at once, with its code,
appointment, steps, timeline event, national outbox row and two notices published to the broker on
commit), once through the API (`POST /api/v1/dossiers/` with the officer's token, Django's test client,
so the whole request: authentication, DRF parsing, the service, the 201 detail) and once through the
service alone (`dossiers.services.intake`), after 20 warm-up intakes of each. Per intake it reports
the CPU of this process (`time.process_time`) and of the PostgreSQL backend serving it (/proc/<pid>/stat
of `pg_backend_pid()`, so the server must be local), the wall time, and the SQL queries of one more
intake (CaptureQueriesContext; BEGIN/COMMIT and savepoints included). A bare Django view through the
same client and middleware (`bench/bare_urls.py`) is the reference. `--profile` prints a cProfile of the
API intakes in CPU time (cumulative and own time; BENCH_CALLERS=<regex> adds the callers of those).

Figures, 2 Dec 2026: the 2-core development machine shared with three other sessions, PostgreSQL 15
local, Redis broker, the demo database; 200 intakes each; "before" is the code before issue 15 item 6
(commit 6f3f6a7, `git archive` + this script), "after" this commit; CPU per intake, portal + PostgreSQL,
two runs each, alternating:

                    queries          quiet machine (load < 1)             under load (load 8-11)
                    before  after    before             after             before             after
    bare view          0      0      0.2-0.4            0.2-0.3           0.5                0.5-0.8
    API intake        20     14      16.6-24.2 + 10-14  10.5-13.2 + 5-6.6 22.7-23.2 + 11.3   17.9-23.9 + 8-11
      wall                           28-40 ms           16-21 ms
    service intake    17     11      10.0-12.2 + 9-10   6.6-7.2 + 5.5-5.7 16.1-19.4 + 9-11   9.5-12.9 + 6-8
      wall                           19-24 ms           13-14 ms

What went: the history rows of the new dossier and its steps (2 INSERTs; the timeline event records the creation), the look-up of the idempotency key before the
transaction and the savepoint around the dossier's INSERT (a used key now rolls the intake back and
the first dossier is answered), one of the two sequence upserts (code and register number in one
statement), one on-commit callback per notice (one for the transaction), and the calendar version is
read once per intake outside a request too.

Session 24 (2026-12-03, a faster machine, load ~1-2, the database of bench/api_data.py, 300 intakes): bare view
0.3 ms; API intake 10 queries, 6.7 ms of CPU + 5.0 of PostgreSQL, 12.5 ms wall; service intake 11 queries, 5.7 +
4.8 ms, 11.2 ms wall. The target below is met (bench/profile_api.py's layers say where the 6.7 ms go).

Target (issue 15): ≤ 10 queries and ≤ 10 ms of CPU per intake. The service alone is at 11 queries
(BEGIN and COMMIT counted) and 6.6-7.2 ms in process (+ 5.5 ms in PostgreSQL); the API is not there
(14 queries, 10.5-13.2 ms + 5-6.6 ms).
Where the API's time goes (`--profile`, CPU): the service ~57% (the ORM compiling and sending the
INSERTs of a 50-column dossier, its steps, event, outbox and notice rows; the procedure's steps and
department read from the catalogue; the Celery publish on commit, ~1-2 ms; redis-py builds a new
client object twice per request, ~0.3 ms each); the 201's detail ~24%, almost all of it the national sync state
(`national.selectors.sync_state`, one more query); DRF parsing and the middleware the rest. The
remaining queries of the API beyond the service's: the token, the procedure and the desk's agency, the
sync state: the read path's (dossiers/api, organisation/api/auth.py), not the intake's.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from dossiers import services  # noqa: E402
from procedures.models import Procedure  # noqa: E402

PROCEDURE = "1.004873"
TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float:
    """Seconds of CPU the PostgreSQL backend of this connection has used."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def applicant(run: str, i: int) -> dict:
    return {"full_name": f"Nguyễn Văn Thử {i}", "id_number": f"0790{i % 10**8:08d}",
            "phone": f"09{i % 10**8:08d}", "email": f"thu{run}{i}@example.vn", "address": "Thôn 1"}


def measure(label: str, send, n: int, *, warmup: int = 20, profile: bool = False) -> None:
    for i in range(warmup):
        send(f"w{i}")
    with CaptureQueriesContext(connection) as ctx:
        send("q")
    queries = len(ctx.captured_queries)
    if os.environ.get("BENCH_SHOW_SQL"):
        for q in ctx.captured_queries:
            print(f"    [{label}] {q['sql'][:160]}")
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    pg0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(n):
        send(str(i))
    if profiler:
        profiler.disable()
    wall, cpu, pg = time.perf_counter() - wall0, time.process_time() - cpu0, backend_cpu() - pg0
    print(f"{label:<14} {queries:>3} queries   CPU {1000 * cpu / n:5.1f} + {1000 * pg / n:4.1f} ms"
          f"   wall {1000 * wall / n:5.1f} ms  ({n} in {wall:.1f} s)")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(60)
        stats.sort_stats("tottime").print_stats(25)
        if os.environ.get("BENCH_CALLERS"):
            stats.print_callers(os.environ["BENCH_CALLERS"])
        print(out.getvalue())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("n", type=int, nargs="?", default=300)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--only", default="", help="bare, api or service")
    args = p.parse_args()
    logging.disable(logging.WARNING)  # the access log of every request
    settings.ROOT_URLCONF = "bench.bare_urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    desk = get_user_model().objects.get(username="motcua")
    procedure = Procedure.objects.get(code=PROCEDURE)
    token, _ = Token.objects.get_or_create(user=desk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    run = uuid.uuid4().hex[:6]

    def bare(i):
        response = client.get("/bench/bare/", secure=True)
        assert response.status_code == 200, response.status_code

    def api(i):
        response = client.post("/api/v1/dossiers/", {
            "procedure": PROCEDURE, "channel": "counter", "summary": "Hồ sơ đo tải",
            "applicant": applicant(run, hash(i) % 10**8)}, format="json", secure=True, HTTP_IDEMPOTENCY_KEY=f"bench-a{run}-{i}")
        assert response.status_code == 201, response.content[:300]

    def service(i):
        services.intake(actor=desk, procedure=procedure, idempotency_key=f"bench-s{run}-{i}",
                        applicant=applicant(run, hash(i) % 10**8), summary="Hồ sơ đo tải")

    for label, send in (("bare view", bare), ("API intake", api), ("service intake", service)):
        if args.only and not label.startswith(args.only):
            continue
        measure(label, send, args.n, profile=args.profile and send is api)


if __name__ == "__main__":
    main()
