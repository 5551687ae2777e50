"""Bench: counter intakes per second and the dossier list API, against the database of DATABASE_URL.

Run by hand on a migrated database with the demo loaded (`manage.py migrate && manage.py seed_demo`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/bench_dossier_intake.py 300

It adds N dossiers at the demo commune (idempotency keys `bench-<run>-<i>`), then times the first page of
the dossier list and one detail through the API client. Figures are written down in the report, never asserted.
"""

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from dossiers import services  # noqa: E402
from procedures.models import Procedure  # noqa: E402


def main(n: int) -> None:
    desk = get_user_model().objects.get(username="motcua")
    procedure = Procedure.objects.get(code="1.004873")
    run = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    for i in range(n):
        services.intake(actor=desk, procedure=procedure, idempotency_key=f"bench-{run}-{i}", applicant={
            "full_name": f"Người nộp {i}", "id_number": f"{i:012d}", "phone": f"09{i:08d}"})
    took = time.perf_counter() - started
    print(f"intake: {n} dossiers in {took:.2f} s = {n / took:.1f}/s ({1000 * took / n:.1f} ms each)")
    client = APIClient()
    client.force_authenticate(desk)
    for path in ("/api/v1/dossiers/?page_size=100", "/api/v1/dossiers/?q=nguoi%20nop%2042",
                 "/api/v1/dossiers/?late=true"):
        started = time.perf_counter()
        response = client.get(path)
        print(f"GET {path}: {response.status_code} in {1000 * (time.perf_counter() - started):.0f} ms")
    code = response.json()["results"][0]["code"] if response.json()["results"] else None
    if code:
        started = time.perf_counter()
        client.get(f"/api/v1/dossiers/{code}/")
        print(f"GET detail: {1000 * (time.perf_counter() - started):.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
