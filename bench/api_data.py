"""Fill a scratch PostgreSQL database for the dossier API benchmark (`bench/bench_api.py`).

Run by hand (never from the test suite):

    .venv/bin/python bench/api_data.py                      # 24,000 dossiers in motcua_bench_api
    .venv/bin/python bench/api_data.py --dossiers 50000
    .venv/bin/python bench/api_data.py --drop               # remove the scratch database

It (re)creates the database, migrates, runs `seed_demo` (accounts, calendar, catalogue and about thirty
dossiers made through the real services: received, transferred, supplemented, paid, decided, returned,
withdrawn, refused, at the province), adds eight more communes, and then clones the demo dossiers with
COPY until there are --dossiers of them: every clone has the rows its template has (steps, timeline
events, components, supplement rounds, apology, notices), its times moved back by 1 to 700 days, a code
of its own for that day (numbers from 5000, so they never meet the ones intake takes), and its agency
(receiving, holding and of the steps) moved to another commune for part of the clones. History rows
(simple-history) are not cloned: no API read looks at them. Each extra commune gets a desk officer
(`bench_desk_1` … `bench_desk_8`), for the intake spread over several desks.

About 40% of the clones stay at the demo desk's commune (`motcua` sees them), 20% at the second commune,
40% at the eight extra communes. Templates are drawn with weights that keep about a quarter of the
dossiers in processing (status 4), the status the list benchmark filters on.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_api"
EXTRA_COMMUNES = 8


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--dossiers", type=int, default=24_000)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    return p.parse_args()


def _shift(row: dict, delta: timedelta) -> dict:
    return {k: (v - delta if isinstance(v, datetime) else v) for k, v in row.items()}


def generate(args) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone
    from generate_dossiers import Table

    from dossiers.models import Apology, Dossier, DossierComponent, Step, SupplementRequest, TimelineEvent
    from notices.models import Notice
    from organisation.models import Agency, AgencyLevel

    rnd = random.Random(args.seed)
    commune = Agency.objects.get(code="000.00.06.H56")
    commune2 = Agency.objects.get(code="000.00.07.H56")
    extra = [
        Agency.objects.get_or_create(code=f"000.00.{20 + i:02d}.H56", defaults={
            "name": f"UBND xã Thử Nghiệm {i + 1}", "level": AgencyLevel.COMMUNE, "parent": commune.parent})[0]
        for i in range(EXTRA_COMMUNES)
    ]
    agency_codes = dict(Agency.objects.values_list("id", "code"))
    # A desk officer at each extra commune: the intake benchmark can spread its load over several desks.
    from django.contrib.auth import get_user_model

    from organisation.models import Role, StaffMembership

    for i, agency in enumerate(extra, start=1):
        desk, _ = get_user_model().objects.get_or_create(username=f"bench_desk_{i}",
                                                         defaults={"first_name": f"Cán bộ {i}", "is_staff": True})
        StaffMembership.objects.get_or_create(user=desk, agency=agency, role=Role.DESK_OFFICER)

    templates = list(Dossier.objects.order_by("id").values())
    children = {}
    for model in (DossierComponent, Step, TimelineEvent, SupplementRequest, Apology, Notice):
        rows: dict[int, list[dict]] = {}
        for row in model.objects.order_by("id").values():
            rows.setdefault(row["dossier_id"], []).append(row)
        children[model] = rows
    # A quarter of the dossiers in processing: templates at status 4 drawn more often.
    weights = [4.0 if t["status"] == 4 else 1.0 for t in templates]
    share_4 = sum(w for w, t in zip(weights, templates, strict=True) if t["status"] == 4) / sum(weights)
    print(f"{len(templates)} templates, {share_4:.0%} of the draws at status 4")

    def next_id(model) -> int:
        with connection.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            return cur.fetchone()[0] + 1

    ids = {m: next_id(m) for m in (Dossier, *children)}
    tables = {m: Table(m, {f.attname for f in m._meta.concrete_fields}) for m in (Dossier, *children)}
    seq: dict[tuple[int, str], int] = {}
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        raw = cur.cursor
        for n in range(args.dossiers - len(templates)):
            tpl = rnd.choices(templates, weights)[0]
            delta = timedelta(days=rnd.randint(1, 700), minutes=rnd.randint(-60, 60))
            r = rnd.random()
            if tpl["agency_id"] != commune.pk or r < 0.4:
                target = tpl["agency_id"]
            elif r < 0.6:
                target = commune2.pk
            else:
                target = extra[n % EXTRA_COMMUNES].pk
            moved = {tpl["agency_id"]: target}
            new_id = ids[Dossier]
            ids[Dossier] += 1
            row = _shift(tpl, delta)
            row.update(id=new_id, idempotency_key="", idempotency_fingerprint="", agency_id=target,
                       current_agency_id=moved.get(tpl["current_agency_id"], tpl["current_agency_id"]))
            if tpl["code"]:
                when = row["received_at"] or row["submitted_at"] or row["created_at"]
                day = timezone.localdate(when).strftime("%y%m%d")
                key = (target, day)
                seq[key] = seq.get(key, 4999) + 1
                row["code"] = f"{agency_codes[target]}-{day}-{seq[key]:04d}"
            tables[Dossier].add(**row)
            for model, rows in children.items():
                for child in rows.get(tpl["id"], ()):
                    c = _shift(child, delta)
                    c["id"] = ids[model]
                    ids[model] += 1
                    c["dossier_id"] = new_id
                    if "agency_id" in c:
                        c["agency_id"] = moved.get(c["agency_id"], c["agency_id"])
                    if model is Notice:
                        c["dedupe_key"] = c["dedupe_key"].replace(f"dossier:{tpl['id']}:", f"dossier:{new_id}:", 1)
                    tables[model].add(**c)
            if (n + 1) % 5000 == 0:
                for t in tables.values():
                    t.flush(raw)
                print(f"  {n + 1:>7,} clones  {time.perf_counter() - t0:5.1f} s", flush=True)
        for t in tables.values():
            t.flush(raw)
        for model in tables:
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cur.execute(f'VACUUM ANALYZE "{table}"')
    counts = {m.__name__: m.objects.count() for m in tables}
    print(f"loaded in {time.perf_counter() - t0:.1f} s: {counts}")
    by_status = dict(Dossier.objects.filter(agency=commune).values_list("status").annotate(n=Count("id"))
                     .order_by("status"))
    print(f"at the desk's commune, by status: {by_status}")


def main() -> None:
    args = parse_args()
    from generate_dossiers import recreate_database, setup_django

    if args.drop:
        recreate_database(args.database_url, drop_only=True)
        print("dropped", args.database_url.rsplit("/", 1)[1])
        return
    t0 = time.perf_counter()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo")
    print(f"schema and demo ready in {time.perf_counter() - t0:.1f} s")
    generate(args)
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
