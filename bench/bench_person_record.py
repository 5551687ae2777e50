"""Bench: what the person record and the reuse plan cost the online submission page, beside a bare Django
view in the same run (CPU per request), and the consented look-up's round trip to the population stand-in.

Run by hand on a migrated database with the demo loaded (`manage.py migrate && manage.py seed_demo`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_x REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/bench_person_record.py 200

It serves N requests of each kind through Django's test client as the demo citizen `congdan` (middleware,
view, queries, template): the bare view (a 200 with no work), the submission page of birth registration
(1.001193, prefilled from the record: profile, previous dossier), the same page after a consented look-up
(`?dan_cu=`: the population database's answer read back from the look-up row, the identity paper taken from
it), and the look-up itself (POST with consent: one HTTP call to the stand-in, one row written). Prints the
median wall time, the median CPU time and the queries of one request. Never asserted in the tests.

Figures of 2 Dec 2026 (shared 2-core machine under a load average near 18, PostgreSQL, Redis, demo data,
100 each, DEBUG off; wall times are mostly waiting for a core, compare the CPU column):
bare view 0.9 ms CPU (2.6 ms wall, 0 queries); submission page 38.7 ms CPU (597 ms wall, 10 queries);
consented look-up 17.0 ms CPU (278 ms wall, 7 queries, one HTTP call); page after the look-up 40.4 ms CPU
(646 ms wall, 11 queries).
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path  # noqa: E402

from population.models import PopulationLookup  # noqa: E402
from population.standin import StandInPopulation  # noqa: E402

CODE = "1.001193"


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bare/", bare)]


def measure(client, method, url, data=None, n=100):
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        response = getattr(client, method)(url, data or {})
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        assert response.status_code in (200, 302), (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        getattr(client, method)(url, data or {})
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, len(queries)


def main(n: int) -> None:
    standin = StandInPopulation(settings.POPULATION_API_TOKEN).start()
    settings.POPULATION_SERVICE_URL = standin.url
    citizen = get_user_model().objects.get(username="congdan")
    client = Client()
    client.force_login(citizen)
    rows = {}
    with override_settings(ROOT_URLCONF=__name__):
        rows["bare Django view"] = measure(client, "get", "/bare/", n=n)
    page = f"/cong-dan/nop-ho-so/{CODE}/"
    rows["submission page (record: profile, previous dossier)"] = measure(client, "get", page, n=n)
    consent = {"action": "population", "population_consent": "on", "id_number": "056090001234",
               "return_method": "online"}
    before = PopulationLookup.objects.count()
    rows["consented look-up (HTTP to the stand-in, row written)"] = measure(client, "post", page, consent, n=n)
    lookup = PopulationLookup.objects.filter(citizen=citizen).latest("id")
    rows["submission page after the look-up (?dan_cu=)"] = measure(client, "get", f"{page}?dan_cu={lookup.pk}", n=n)
    print(f"{n} requests each; look-ups written: {PopulationLookup.objects.count() - before}")
    for name, (wall, cpu, queries) in rows.items():
        print(f"{name:58s} median {wall:6.1f} ms wall, {cpu:6.1f} ms CPU, {queries:3d} queries")
    standin.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
