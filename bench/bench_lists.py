"""Bench: the staff lists, searches and worklist tabs at province scale, under gunicorn (config.settings.prod).

Run by hand, never from the test suite, on a scratch database made by bench/generate_dossiers.py (or a
clone of one) migrated to the code being measured:

    createdb -h 127.0.0.1 -U postgres -T motcua_bench_reports motcua_bench_lists
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_lists .venv/bin/python manage.py migrate
    .venv/bin/python bench/bench_lists.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench_lists
    .venv/bin/python bench/bench_lists.py --code /tmp/before ...   # the same data served by older code

Three users (made if missing): `bench_officer` (desk and processing officer of the commune of
`bench_commune`), `bench_commune` (manager of one commune) and `bench_province` (manager of the first
province: every commune under it). For each, the API list page of 100 (no filter, `late=true`,
`status=4`, a search by applicant name, by phone written `+84 9xx xxx xxx`, by code), each worklist tab
of the HTML screen (`/ho-so/?tab=...`, with its tab badges), the API detail of the dossier found by code
(`detail`), its officers' page (`page_detail`) and its public look-up with the right pair (`lookup`); and
`/bench/bare/`, a bare Django view served by the same workers (bench/bare_wsgi.py), as the reference.

Per scenario: the SQL queries of one request (in process, after a warm-up), then `--requests`
sequential requests from one client: p50, p99, and the CPU per request of the gunicorn workers and of
the PostgreSQL backends serving them (from /proc). Then `--concurrency` clients for `--duration` seconds
over every scenario at once (10 s time-out per request): requests, failures (non-2xx or time-outs), p50
and p99.

Issue 15, session 24 (a new machine, faster than session 23's: the bare view 1.0 ms p50 and 0.5 ms of CPU,
against 1.8 ms; the 1M generated afresh in 6.5 min, x10 by replicate_dossiers.py in 16 min), 3 sync workers, 20
requests per scenario, load ~2. "Before" is da62b46 (session 23's last commit) served from its own checkout,
"after" this commit, back to back on the same database (the query counts of the before runs are this checkout's:
the in-process count imported it; a tab page of the before code is 18 queries at 10M, 13 after). After: a
worklist page's badges and total in one statement and its rows in one load (lists.counts_capped,
worklists.UrgentList), dossiers/0028 (the late rows' index covers `direct`), a broad sparse name read from its
index entries (lists.name_window), a name-only list asking only for its page's window of the ids read first and
taking its total from them (Window.pick, known_count). p50 ms, before -> after:

    10,000,000      officer          commune          province
    list            12.8 -> 11.3     12.9 -> 11.7     13.1 -> 10.9
    list_late       11.6 -> 11.2     10.7 -> 10.1     13.5 -> 13.4
    list_status4    14.0 -> 14.8     10.3 ->  8.8      9.9 -> 11.3
    search_name     18.3 -> 15.8     17.5 -> 11.9     32.7 -> 18.4 (p99 69.9 -> 19.8)
    search_phone     7.0 ->  7.6      6.7 ->  7.5      6.8 ->  7.2
    search_code      7.0 ->  6.4      6.7 ->  6.4      6.5 ->  6.8
    tab cho-tiep-nhan 11.1 -> 8.5
    tab can-xu-ly   18.2 -> 16.1
    tab cho-tra     17.6 -> 15.1
    tab cho-bo-sung 11.3 ->  9.5
    tab tat-ca      18.7 -> 15.8     14.9 -> 14.2     18.5 -> 18.4 (p99 72.8 -> 22.2)
    detail 3.5-3.9 (CPU 2.5-3.5 + 0.5-2.5), lookup 2.9-4.3, page_detail 14-26, before and after alike.
    8 clients for 10 s: before 1,603 requests, after 1,767; 0 failed or timed out; p99 89 -> 80 ms.

    1,000,000       officer          commune          province
    list            12.9 -> 12.0     11.7 -> 13.1     13.1 -> 13.3
    list_late       10.9 -> 10.8      9.6 -> 12.2     13.5 -> 11.9
    list_status4     9.0 -> 11.6      9.8 ->  9.7     10.0 -> 10.9
    search_name     10.3 ->  9.2     10.1 ->  8.8     14.7 -> 14.0
    search_phone     6.6 ->  7.0      6.5 ->  7.6      7.4 ->  6.8
    search_code      7.3 ->  6.9      7.4 ->  6.8      6.3 ->  7.0
    tab cho-tiep-nhan 11.6 -> 8.1
    tab can-xu-ly   17.1 -> 14.7
    tab cho-tra     16.3 -> 14.5
    tab cho-bo-sung 10.7 ->  8.5
    tab tat-ca      18.2 -> 15.8     16.4 -> 13.4     20.8 -> 21.2
    8 clients for 10 s: before 1,743 requests, after 1,880; 0 failed or timed out.

Every list page and tab is under 30 ms p50 and 100 ms p99 in every scope at both sizes on this host, every search
under 50 ms p50 at 10M. In process (min CPU of 40 requests, the officer's "tất cả" tab): 15.7 -> 13.0 ms, 20 -> 14
queries. The province's full name "Vũ Thanh Hà" (7,150 matches at 10M): the page joined all 7,150 ids and the
count read them again (19 + 10 ms of PostgreSQL), now the page's 101 newest and no count: 31.6 -> 16.4 ms in
process. A broad name, M matches among a province's S = 7,000,000 rows, in process (wall, walk -> index entries):
"thanh ha" (~30,000) 59 -> 29 ms, "van hung" 57 -> 28, "tran thi" (~50,000) 41 -> 34; "nguyen" (~500,000) keeps
the walk (21 ms). The late rows' count of a commune (1M, 2,650 late, cold): 14.4 -> 0.6 ms (index-only); migrating
the 10M database to 0028 took 4.9 s.

Then the lists were made to be planned for their own values (lists.time_limited sets plan_cache_mode): prepared
after five runs (DATABASE_PREPARE_THRESHOLD), PostgreSQL had switched a province's "tất cả" tab searched by "thanh
ha" to a generic plan that walked the province, 237 ms in process instead of 41 (this bench's scenarios did not
meet it: its tabs are unfiltered). Re-run at 10M after it, p50 ms: lists 11.0-16.2, searches 6.4-21.2 (the
province's name 21.2), tabs 8.6-19.9, detail 3.5-4.2, lookup 3.1-3.6; 1,602 concurrent requests, 0 failed, p99
84 ms: planning every list again costs 0-3 ms against the figures above.

Issue 15, session 23, at 10,000,000 dossiers (a new machine, data generated afresh and replicated; 3 sync workers,
20 requests per scenario, load 2.5, bare view 1.8 ms: about 1.5x the host of session 22, whose bare view was 1.2).
The worklist tabs' indexes keyed by (agency, role, status, urgency) (dossiers/0025): the desk officer's "cần xử lý"
badge read the desk officer's 63,510 decided dossiers waiting to be returned to count its 1,000 (13-18 ms on every
worklist page, in process), now 1 ms; a tab page's SQL 24-27 -> 5-6 ms. p50 ms (portal CPU + PostgreSQL CPU):

    scenario        officer          commune          province         session 22 (officer)
    list            23 (17+5)        19 (15+5)        31 (22+6)        15 (12+3)
    list_late       34 (16+20)       19 (16+5)        27 (21+5)        28 (12+16)
    search_name     27 (17+10)       30 (22+10)       60 (37+27)       32 (18+9)
    search_phone    35 (9+27)        39 (10+31)       42 (11+31)       29 (8+22)
    search_code     10 (8+3)         14 (12+3)        13 (10+2)         8 (6+2)
    tab cho-tiep-nhan 16 (13+3)                                        26 (12+12)
    tab can-xu-ly   27 (22+5)                                          36 (17+19)
    tab cho-tra     27 (22+5)                                          36 (18+20)
    tab cho-bo-sung 19 (16+2)                                          29 (12+16)
    tab tat-ca      32 (25+7)        33 (27+6)        43 (34+10)       52 (23+31)
    detail 6-9 (5-7 + 1-5), lookup 5-8, page_detail 28-38

8 concurrent clients for 10 s: 572 requests, 0 failed. The tabs' PostgreSQL time is now 2-10 ms in every scope; what
is left above 30 ms is the portal's CPU on this slower host (a tab's page of 25 rows and its badges: 13-34 ms). The
phone searches above read the trigram index of the whole table (8 trigrams of digits, each in ~80,000 rows: 26-31
ms); since dossiers/0027 a whole number is equal-or-longer-and-containing, from a btree and a trigram index of the
few long phones: its look-up 28 -> 1.8 ms in process (a part of a number, 4-9 digits, 12-15 ms as before).

Issue 15, session 22, at 10,000,000 dossiers (a new machine: the 1M generated afresh, x10 by replicate_dossiers.py,
the name indexes rebuilt covering the dossier id as migration 0023 now builds them), 3 sync workers, 20 requests per
scenario, load 1.3-2.5, bare view 1.2 ms. After: the worklist rows, badges and the "all" tab's procedure options
built in Python (dossiers/templatetags/dossier_tags.py), the rows loading their 13 columns, the shown tab's badge
taken from the list's total; a name's ids read first from the two name indexes (lists.name_matched). p50 ms
(portal CPU + PostgreSQL CPU):

    scenario        officer          commune          province         session 21 (officer / province)
    list            15 (12+3)        16 (12+4)        25 (17+4)        19 / 18
    list_late       28 (12+16)       17 (13+3)        25 (17+3)        32 / 18
    search_name     32 (18+9)        26 (16+8)        49 (26+19)       23 / 48 (3,700 on this data before)
    search_phone    29 (8+22)        39 (9+26)        31 (9+23)        40 / 32
    search_code      8 (6+2)         13 (10+2)         9 (7+2)          9 / 8
    tab cho-tiep-nhan 26 (12+12)
    tab can-xu-ly   36 (17+19)                                         65
    tab cho-tra     36 (18+20)                                         52
    tab cho-bo-sung 29 (12+16)
    tab tat-ca      52 (23+31)       25 (20+5)        28 (21+8)        60 / 54
    detail 6-8 (5+2), lookup 6-7 (4+1), page_detail 18-29 (16-26 + 2)

8 concurrent clients for 10 s: 600 requests, 0 failed. In process (tabprof, 1M, same data, min CPU of 40): can-xu-ly
23 -> 14 ms, tat-ca 28 -> 19, a province's tat-ca 30 -> 16 ms. The search by name: on this freshly replicated
database the plan flipped for a province's common full name ("Vũ Thanh Hà", 7,150 matches among the province's
7,000,000 fact rows: PostgreSQL walked 2.7 million rows newest first, 3.2-4.4 s, one request of the run timed out);
the ids read first make it 75 ms, and any name with at most DOSSIER_NAME_MATCH_CAP matches the same. Left over
30 ms: the officer's tabs (the PostgreSQL half: the tab's counts, the page, and the badges of four other tabs, each
an index range of the commune's open rows) and broad names beyond the cap ("nguyen" 113 ms, "thanh ha" 208 ms at
the province: the count of up to 10,000 matches reads a table page per match).

Issue 15, session 21, at 10,000,000 dossiers (replicate_dossiers.py x10 of the 1M), after dossiers 0023
(tabs from the fact's todo columns, the name from its name columns, code/phone ids first), 3 sync workers,
15 requests per scenario, load 3.3, bare view 1.7 ms. p50 ms (portal CPU + PostgreSQL CPU):

    scenario        officer          commune          province         before (officer, session 20)
    list            19 (19+4)        20 (14+4)        18 (14+4)        26
    list_late       32 (14+17)       21 (15+5)        18 (13+4)        44
    search_name     23 (14+7)        23 (16+6)        48 (15+21)       1,013
    search_phone    40 (8+25)        34 (8+26)        32 (7+24)        212
    search_code      9 (7+1)          8 (7+1)          8 (6+0)         136
    tab can-xu-ly   65 (35+30)                                         547
    tab cho-tra     52 (32+19)                                         446
    tab tat-ca      60 (37+23)       36 (31+4)        54 (45+9)        291

8 concurrent clients for 10 s: 489 requests, 0 failed. The tabs' remaining time is the page's template.

Issue 15, one read path (detail, look-up, list pages): on a copy of the 1,000,000-dossier database, 3 sync
workers, 100 sequential requests per scenario, `--only detail,page_detail,lookup,list --duration 0`;
"before" is commit 6f3f6a7 (hand-written loader on prepared statements, raw-SQL token authenticator,
dict representations) served from its own checkout, "after" this branch; both runs at load average ~4-4.5
(other sessions' work on the same 2 cores), bare view 1.6 / 1.4 ms. CPU per request, portal + PostgreSQL:

    scenario      user       queries     before              after
    detail        officer    3 -> 1      6.7 + 1.6 ms        5.3 + 0.9 ms
                  commune    4 -> 1      7.6 + 2.0           5.5 + 1.0
                  province   4 -> 1      7.2 + 2.3           5.2 + 1.0
    lookup        officer    3 -> 1      7.6 + 1.4           4.4 + 0.7
                  commune    3 -> 1      8.5 + 1.5           4.3 + 0.6
                  province   3 -> 1      8.7 + 1.7           5.0 + 0.7
    page_detail   officer   22 -> 17    41.2 + 10.7         27.4 + 2.8
                  commune   19 -> 15    30.4 +  9.6         15.2 + 1.9
    list (100)    officer    6 -> 5     12.0 + 3.2          12.2 + 3.7
    list_status4  commune    6 -> 5      9.2 + 3.1          10.7 + 1.2
    list_late     province   6 -> 5      8.8 + 4.5          13.5 + 2.0

The detail's one query is the dossier with its relations, its four lists as JSON and the national sync
state (the token's owner comes from the cache: 0 queries); p50 6.6-13.6 ms (before 16.6-19.1). The list
rows are now written by DRF's serializer instead of dicts, which cost up to ~3.5 ms more portal CPU per
page of 100 in the run above; since then the list serializer reads the time zone once per page instead
of once per date-time field, which takes its page of 100 from 5.6 to 3.1 ms in process (not re-run under
gunicorn); a page has one query fewer (the token).
In process (Django's test client, same data, three alternating runs, best of each): detail 5.6 -> 5.1 ms,
look-up 7.5 -> 3.9 ms, bare 0.35-0.5 ms. Where the detail's time goes (in process, CPU): the cached token
0.14 ms, the compiled query and its rows 1.3 ms, actions and serializer 0.35 ms, the rest (~3 ms) Django's
middleware and DRF's request handling, as for any authenticated API view.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_api  # noqa: E402
from bench_api import _children, _cpu_seconds, stop_server  # noqa: E402 - the same /proc readings

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_reports"
PASSWORD = "bench-12345"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6382/13"))
    p.add_argument("--port", type=int, default=8715)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--requests", type=int, default=40, help="sequential requests per scenario")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--duration", type=int, default=20, help="seconds of the concurrent run (0: none)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--only", default="", help="comma-separated scenario name prefixes")
    p.add_argument("--users", default="officer,commune,province")
    p.add_argument("--code", default=str(ROOT), help="serve the portal from this checkout (before/after)")
    p.add_argument("--no-queries", action="store_true", help="skip counting the queries in process")
    return p.parse_args()


def setup_django(args) -> None:
    if Path(args.code).resolve() != ROOT:
        sys.path.insert(0, str(Path(args.code).resolve()))  # count the queries of the code being served
    os.environ["SECURE_SSL_REDIRECT"] = "0"  # plain HTTP on loopback, as behind a TLS-terminating proxy
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    bench_api.setup_django(args)


def prepare(args) -> dict[str, dict]:
    """Per user: an API token, a session cookie, its worklist tabs, and search terms from its own dossiers."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from organisation.models import Role, StaffMembership

    users = get_user_model().objects
    commune_user = users.get(username="bench_commune")
    commune = StaffMembership.objects.filter(user=commune_user).first().agency
    officer, made = users.get_or_create(username="bench_officer")
    if made:
        officer.set_password(PASSWORD)
        officer.save()
    for role in (Role.DESK_OFFICER, Role.PROCESSING_OFFICER):
        StaffMembership.objects.get_or_create(user=officer, agency=commune, role=role)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    out = {}
    for name, username in (("officer", "bench_officer"), ("commune", "bench_commune"),
                           ("province", "bench_province")):
        if name not in args.users.split(","):
            continue
        user = users.get(username=username)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        agencies = list(StaffMembership.objects.filter(user=user).values_list("agency_id", flat=True))
        with connection.cursor() as cur:
            # Search terms from the newest dossiers received at the user's first agency (cheap to find).
            cur.execute("SELECT code, applicant_name, applicant_phone FROM dossiers_dossier WHERE agency_id = %s "
                        "AND code IS NOT NULL ORDER BY received_at DESC LIMIT 200", [agencies[0]])
            rows = cur.fetchall()
            if not rows:  # a province receives few: take one of a commune under it
                cur.execute("SELECT code, applicant_name, applicant_phone FROM dossiers_dossier d JOIN "
                            "organisation_agency a ON a.id = d.agency_id WHERE a.parent_id = %s AND code IS NOT "
                            "NULL ORDER BY received_at DESC LIMIT 200", [agencies[0]])
                rows = cur.fetchall()
        code, full_name, phone = random.Random(7).choice(rows)
        digits = "".join(ch for ch in phone if ch.isdigit())
        spaced_phone = f"+84 {digits[1:4]} {digits[4:7]} {digits[7:]}"
        from dossiers.worklists import TABS

        roles = set(StaffMembership.objects.filter(user=user).values_list("role", flat=True))
        tabs = [t.key for t in TABS if t.roles & roles]
        out[name] = {
            "token": Token.objects.get_or_create(user=user)[0].key,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            "scenarios": {
                "list": "/api/v1/dossiers/?page_size=100",
                "list_late": "/api/v1/dossiers/?page_size=100&late=true",
                "list_status4": "/api/v1/dossiers/?page_size=100&status=4",
                "search_name": "/api/v1/dossiers/?page_size=100&q=" + quote(full_name),
                "search_phone": "/api/v1/dossiers/?page_size=100&q=" + quote(spaced_phone),
                "search_code": "/api/v1/dossiers/?page_size=100&q=" + quote(code),
                "detail": f"/api/v1/dossiers/{quote(code)}/",
                "page_detail": f"/ho-so/{quote(code)}/",
                "lookup": f"/api/v1/lookup/?code={quote(code)}&secret={digits[-4:]}",
                **{f"tab_{key}": f"/ho-so/?tab={key}" for key in tabs},
            },
        }
    return out


def headers_for(user: dict, path: str) -> dict:
    if path.startswith("/api/"):
        return {"Authorization": f"Bearer {user['token']}", "Accept-Language": "vi"}
    return {"Cookie": user["cookie"], "Accept-Language": "vi"}


def count_queries(plan: dict) -> dict[tuple[str, str], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name, user in plan.items():
        for scenario, path in user["scenarios"].items():
            client = Client(headers=headers_for(user, path))
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            if response.status_code != 200:
                print(f"  {name} {scenario}: HTTP {response.status_code} {response.content[:200]!r}")
            out[(name, scenario)] = len(ctx.captured_queries)
    return out


def collect_static(args) -> None:
    """The pages need the hashed static files' manifest under config.settings.prod."""
    if not (Path(args.code) / "staticfiles" / "staticfiles.json").exists():
        subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput",
                        "-v", "0"], cwd=args.code, env={**os.environ, "PYTHONPATH": args.code}, check=True)


def start_server(args) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "DEBUG": "0",
           "PYTHONPATH": f"{args.code}:{ROOT}"}
    # --chdir is put first on sys.path by gunicorn (and Celery's Django fix-up puts the working directory
    # there too): it must be the checkout served, or a "before" run would import this one's code.
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "bench.bare_wsgi", "--chdir", str(args.code), "--bind",
           f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--log-level", "warning", "--timeout", "60"]
    proc = subprocess.Popen(cmd, cwd=args.code, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", args.port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not start")


def _backends(args) -> list[int]:
    import psycopg

    database = args.database_url.rsplit("/", 1)[1]
    with psycopg.connect(f"{args.database_url.rsplit('/', 1)[0]}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                            [database]).fetchall()
    return [r[0] for r in rows]


class Meter:
    def __init__(self, args, server: subprocess.Popen):
        self.args, self.server = args, server

    def _sample(self):
        return ({pid: _cpu_seconds(pid) for pid in _children(self.server.pid)},
                {pid: _cpu_seconds(pid) for pid in _backends(self.args)})

    def __enter__(self):
        self.before = self._sample()
        return self

    def stop(self, requests: int) -> tuple[float, float]:
        app, db = self._sample()
        app_s = sum(v - self.before[0].get(pid, 0.0) for pid, v in app.items())
        db_s = sum(v - self.before[1].get(pid, 0.0) for pid, v in db.items())
        return app_s * 1000 / requests, db_s * 1000 / requests

    def __exit__(self, *exc):
        return False


def get(conn_box: list, args, path: str, headers: dict) -> tuple[int, float]:
    """One GET on a kept-alive connection (remade after an error); (status, milliseconds). Status 0: failed."""
    started = time.perf_counter()
    for attempt in (0, 1):
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
        try:
            conn_box[0].request("GET", path, headers=headers)
            response = conn_box[0].getresponse()
            response.read()
            return response.status, (time.perf_counter() - started) * 1000
        except (OSError, http.client.HTTPException):
            conn_box[0].close()
            conn_box[0] = None
            if attempt or time.perf_counter() - started > args.timeout:
                return 0, (time.perf_counter() - started) * 1000
    return 0, 0.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> None:
    args = parse_args()
    setup_django(args)
    collect_static(args)
    plan = prepare(args)
    queries = {} if args.no_queries else count_queries(plan)
    from django.db import connections

    connections.close_all()
    jobs = [("-", "bare", "/bench/bare/", {})]
    for name, user in plan.items():
        for scenario, path in user["scenarios"].items():
            if not args.only or any(scenario.startswith(p) for p in args.only.split(",")):
                jobs.append((name, scenario, path, headers_for(user, path)))
    server = start_server(args)
    rows = []
    try:
        box = [None]
        # Every worker imports, connects and fills its caches before anything is measured (a cold worker's
        # first request takes seconds on a loaded machine).
        patient = argparse.Namespace(**{**vars(args), "timeout": 120.0})
        for _ in range(2 * args.workers):
            for _name, _scenario, path, headers in jobs:
                get([None], patient, path, headers)
        for name, scenario, path, headers in jobs:
            get(box, args, path, headers)  # warm-up
            times, bad = [], 0
            with Meter(args, server) as meter:
                for _ in range(args.requests):
                    status, ms = get(box, args, path, headers)
                    times.append(ms)
                    bad += status != 200
                app_ms, db_ms = meter.stop(args.requests)
            row = (name, scenario, queries.get((name, scenario), 0), statistics.median(times), pct(times, 99),
                   app_ms, db_ms, bad)
            rows.append(row)
            print(f"  {name:<9}{scenario:<22} q {row[2]:>3}  p50 {row[3]:8.1f} ms  p99 {row[4]:8.1f} ms  "
                  f"CPU portal {app_ms:6.1f} ms  PostgreSQL {db_ms:6.1f} ms  failed {bad}", flush=True)
        concurrent = None
        if args.duration:
            stop_at = time.perf_counter() + args.duration
            results: list[tuple[int, float]] = []
            lock = threading.Lock()
            api_jobs = jobs[1:]

            def client(seed: int) -> None:
                rnd, conn_box, mine = random.Random(seed), [None], []
                while time.perf_counter() < stop_at:
                    _n, _s, path, headers = rnd.choice(api_jobs)
                    mine.append(get(conn_box, args, path, headers))
                with lock:
                    results.extend(mine)

            threads = [threading.Thread(target=client, args=(i,)) for i in range(args.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            times = [ms for _status, ms in results]
            failed = sum(1 for status, _ms in results if status != 200)
            concurrent = (len(results), failed, statistics.median(times), pct(times, 99))
    finally:
        stop_server(server)
    print(f"\n{'user':<9}{'scenario':<22}{'queries':>8}{'p50 ms':>9}{'p99 ms':>9}{'portal CPU':>12}{'PG CPU':>9}")
    for name, scenario, q, p50, p99, app_ms, db_ms, bad in rows:
        print(f"{name:<9}{scenario:<22}{q:>8}{p50:>9.1f}{p99:>9.1f}{app_ms:>10.1f}ms{db_ms:>7.1f}ms"
              + (f"  {bad} failed" if bad else ""))
    if concurrent:
        n, failed, p50, p99 = concurrent
        print(f"\n{args.concurrency} concurrent clients, {args.duration} s over every scenario: {n} requests, "
              f"{failed} failed or timed out, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
