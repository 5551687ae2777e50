"""Bench: the home page with the most used procedures (issue 17, point 4), against a bare Django view.

Run by hand on a clone of the benchmark database, migrated with this branch, with its own Redis database:

    createdb -h 127.0.0.1 -U postgres -T motcua_bench_reports motcua_bench_mine
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_mine manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_mine REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/bench_home.py 200

It measures, through Django's test client (middleware, view, template), for an anonymous visitor:
- the count behind the list when the cache is cold (`popular_procedures` for the province, and for the
  commune with the most dossiers), wall time of the query alone, a few runs;
- the home page with the list cached, and a bare view (`HttpResponse("ok")`) in the same run: median wall
  time and CPU time (process time) per request.
Figures last measured (2 Dec 2026) on the shared 2-core machine while the full test suite ran beside it,
1,000,000 dossiers (motcua_bench_reports): cold count, province 330 / 186 / 171 ms, busiest agency 160 /
210 / 204 ms (once an hour per agency at most); home page with the list cached, median 5.7 ms CPU per
request (90 ms wall, the machine being busy), bare view 0.7 ms CPU. Never asserted in the tests.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402

from citizens import selectors  # noqa: E402
from dossiers.models import Dossier  # noqa: E402


def cold(agency_id, runs=3) -> list[float]:
    out = []
    for _ in range(runs):
        cache.delete(f"citizens:popular:v1:{agency_id or 'province'}")
        started = time.perf_counter()
        rows = selectors.popular_procedures(agency_id)
        out.append(time.perf_counter() - started)
    print(f"  {len(rows)} procedures, e.g. {rows[0]['name'][:60] if rows else '-'}")
    return out


def per_request(fn, n):
    wall, cpu = [], []
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    wall, cpu = wall[10:], cpu[10:]
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def main(n: int) -> None:
    print(f"dossiers: {Dossier.objects.count():,}")
    busiest = (Dossier.objects.values("agency_id").annotate(n=Count("id")).order_by("-n").first() or {}).get("agency_id")
    for label, agency_id in (("province", None), (f"busiest agency {busiest}", busiest)):
        times = cold(agency_id)
        print(f"cold count, {label}: {', '.join(f'{1000 * t:.0f} ms' for t in times)}")
    selectors.popular_procedures(None)
    client = Client()
    assert client.get("/").status_code == 200
    home_wall, home_cpu = per_request(lambda: client.get("/"), n)
    bare_client = Client()
    from django.urls import clear_url_caches, path

    import config.urls as urls

    urls.urlpatterns.append(path("__bench_bare__", lambda request: HttpResponse("ok")))
    clear_url_caches()
    bare_wall, bare_cpu = per_request(lambda: bare_client.get("/__bench_bare__"), n)
    print(f"home page, list cached: median {home_wall:.1f} ms wall, {home_cpu:.1f} ms CPU over {n - 10}")
    print(f"bare view:              median {bare_wall:.1f} ms wall, {bare_cpu:.1f} ms CPU over {n - 10}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
