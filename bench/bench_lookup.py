"""Bench: the public look-up's answer time for a wrong code and for a wrong secret on a real code (issue 9,
row 8): the two must not be told apart by timing.

Run by hand on a migrated database with the demo loaded (`manage.py migrate && manage.py seed_demo`), with
the same DATABASE_URL and REDIS_URL as the portal:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/bench_lookup.py 300

It sends N look-ups of each kind through Django's test client (the whole request: middleware, view, query,
miss counters), interleaved, each from its own client address so the miss limit never answers 429 instead,
and prints the medians. Figures last measured on the shared 2-core development machine (PostgreSQL, Redis,
300 each, in-process, DEBUG on; the machine was busy, so absolute times are high): after the fix, wrong code
17.1 ms, wrong secret 15.8 ms, right pair 28.6 ms (a second run: 16.0 / 15.2 / 26.5); before it, wrong
code 24.3 ms and wrong secret 32.9 ms (the wrong secret also read the dossier's steps). Never asserted in the tests.

Issue 15 (the look-up in one query, compiled once: the dossier with its steps and rating read whatever the
secret), on a copy of the 1,000,000-dossier database with `DJANGO_SETTINGS_MODULE=config.settings.prod`,
300 each, on a machine at load average ~9 (other sessions' test suites, so the absolute times are several
times what a quiet machine gives): before (commit 6f3f6a7) wrong code 146.8 ms, wrong secret 144.0 ms,
right pair 149.1 ms; after, wrong code 60.0 ms, wrong secret 61.9 ms, right pair 59.1 ms. The two misses
stay within the noise of each other. CPU per request under gunicorn: bench/bench_lists.py, `lookup`.
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
from django.test import Client  # noqa: E402

from dossiers.models import Dossier  # noqa: E402

URL = "/api/v1/lookup/"


def main(n: int) -> None:
    dossier = Dossier.objects.exclude(code=None).exclude(applicant_phone="").order_by("pk").first()
    if dossier is None:
        sys.exit("no received dossier with a phone: run manage.py seed_demo first")
    right = dossier.lookup_secret
    wrong = f"{(int(right) + 1) % 10000:04d}"
    cases = {
        "wrong code": {"code": dossier.code[:-4] + "0000" if not dossier.code.endswith("0000") else dossier.code[:-4] + "9999",
                       "secret": right},
        "wrong secret": {"code": dossier.code, "secret": wrong},
        "right pair": {"code": dossier.code, "secret": right},
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(n):
        for name, params in cases.items():
            if name != "right pair":
                cache.delete_many([f"lookup-miss:code:{params['code'].lower()}"])
            client = Client(REMOTE_ADDR=f"10.{i // 250}.{i % 250}.{len(name)}")
            started = time.perf_counter()
            response = client.get(URL, params)
            times[name].append(time.perf_counter() - started)
            expected = 200 if name == "right pair" else 404
            assert response.status_code == expected, (name, response.status_code)
    for name, values in times.items():
        values = values[10:]  # warm-up
        print(f"{name:>13}: median {1000 * statistics.median(values):.2f} ms "
              f"(p90 {1000 * statistics.quantiles(values, n=10)[-1]:.2f} ms) over {len(values)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
