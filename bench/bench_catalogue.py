"""Catalogue benchmark: import of a national-size catalogue (~6,400 procedures) and search latency.

Run by hand (never in the test suite), against a throw-away test database it creates and drops:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_h3 .venv/bin/python bench/bench_catalogue.py
    .venv/bin/python bench/bench_catalogue.py --procedures 6400 --trigram   # compare with a pg_trgm index

Figures (2 shared cores, load average 7–10 from other work, PostgreSQL 6,400 procedures, 3.6 MB CSV with
~25,000 components and ~30,000 steps):
  import, all new: 13–31 s (200–480 rows/s, every row with its history rows)
  import of the same file again: 1.9–4 s, no write at all
  search, PostgreSQL execution: 2.4–6.8 ms (sequential scan; a pg_trgm GIN index is not chosen by the
  planner at this size: 2.4–3.2 ms), search through the ORM 11–25 ms, whole API request 8–35 ms median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

QUERIES = ["khai sinh", "dang ky", "cap giay phep xay dung", "chung thuc chu ky", "nuoc ngoai",
           "di tich lich su tai cap tinh", "khong co thu tuc nay", "1.1001"]


def timed(fn, repeat=1):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return result, samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=6400)
    parser.add_argument("--repeat", type=int, default=30, help="requests per search query")
    parser.add_argument("--trigram", action="store_true", help="add a pg_trgm GIN index on search_text first")
    parser.add_argument("--profile", action="store_true", help="profile the first import (cProfile, top 25)")
    args = parser.parse_args()

    import django

    django.setup()
    from catalogue_data import generate_rows, to_csv
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from procedures.models import Procedure
    from procedures.services import import_catalogue

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    # Its own database, so the bench never clobbers the test suite's --reuse-db database; named like every
    # scratch database of the benchmarks (motcua_bench*), which is what may be dropped without asking.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"motcua_bench_catalogue_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}, {args.procedures} procedures, trigram={args.trigram}")
        if args.trigram:
            if connection.vendor != "postgresql":
                sys.exit("--trigram needs PostgreSQL")
            with connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("CREATE INDEX bench_search_trgm ON procedures_procedure USING gin (search_text gin_trgm_ops)")
        content = to_csv(generate_rows(args.procedures))
        print(f"file: {len(content) / 1e6:.1f} MB")

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        report, [first] = timed(lambda: import_catalogue(content, "bench.csv"))
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        assert report.ok, report.errors[:5]
        print(f"import (all new):      {first:7.2f} s  ({report.created} created, {args.procedures / first:,.0f} rows/s)")
        report, [second] = timed(lambda: import_catalogue(content, "bench.csv"))
        print(f"import (same again):   {second:7.2f} s  ({report.unchanged} unchanged, {report.updated} updated)")
        assert report.updated == 0 and report.created == 0

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        from procedures.selectors import CatalogueQuery, search_catalogue

        client = Client()
        print(f"{'query':32} {'hits':>6} {'SQL ms':>8} {'API ms':>8} {'API p95':>8}   (medians; first page of 20)")
        for q in QUERIES:
            def sql(q=q):
                qs = search_catalogue(CatalogueQuery(q=q))
                return qs.count(), list(qs[:20])

            _result, sql_samples = timed(sql, repeat=args.repeat)
            response, samples = timed(lambda q=q: client.get("/api/v1/procedures/", {"q": q}), repeat=args.repeat)
            assert response.status_code == 200
            samples.sort()
            p95 = samples[int(len(samples) * 0.95) - 1]
            print(f"{q:32} {response.json()['count']:>6} {statistics.median(sql_samples) * 1000:>8.1f} "
                  f"{statistics.median(samples) * 1000:>8.1f} {p95 * 1000:>8.1f}")
        if connection.vendor == "postgresql":
            print("PostgreSQL execution time of the page query (EXPLAIN ANALYZE, best of 5):")
            for q in QUERIES[:3] + QUERIES[-2:]:
                sql, params = search_catalogue(CatalogueQuery(q=q))[:20].query.sql_with_params()
                best = float("inf")
                for _ in range(5):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                        plan = cursor.fetchone()[0]
                        plan = plan[0] if isinstance(plan, list) else plan
                        best = min(best, plan["Execution Time"])
                node = plan["Plan"]
                while node.get("Plans") and node["Node Type"] not in ("Seq Scan", "Bitmap Heap Scan", "Index Scan"):
                    node = node["Plans"][0]
                print(f"  {q:30} {best:6.2f} ms  ({node['Node Type']})")
        page, samples = timed(lambda: client.get("/thu-tuc/", {"q": "dang ky", "page": 3}), repeat=args.repeat)
        assert page.status_code == 200
        print(f"{'page /thu-tuc/?q=dang ky&page=3':32} {'':>6} {statistics.median(samples) * 1000:>10.1f}")
        print(f"procedures in database: {Procedure.objects.count()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
