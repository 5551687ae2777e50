"""Fill a scratch PostgreSQL database with a realistic volume of dossiers for the report benchmarks.

Run by hand (never from the test suite):

    .venv/bin/python bench/generate_dossiers.py                 # 1,000,000 dossiers
    .venv/bin/python bench/generate_dossiers.py --dossiers 100000
    .venv/bin/python bench/generate_dossiers.py --drop           # remove the scratch database

It (re)creates the database `motcua_bench_reports` (or --database-url), builds the schema with
`migrate`, and loads with COPY: 2 provinces with 49 communes each (100 agencies), 20 fields and
300 published procedures, the dossiers spread over the two years before --until, their components
(1–3 each, most scanned), apologies for most late dossiers, ratings for a third of the finished ones,
and feedback for about 2% of them, and each dossier's processing steps (`step_history`: desk, appraisal,
approval, their times split by each agency's own pace, the open ones cut at --until) for the lateness
forecast's backtest. Rows carry explicit timestamps and verdicts, like the test fixtures.
Accounts `bench_admin` (superuser), `bench_province` (manager of the first province) and
`bench_commune` (manager of one commune) are created for the benchmark.

Shape (domain.md §8): each agency's dossiers mostly of a few procedures (its own 40, Zipf-weighted: the first
five take about two thirds), a few busy communes and many quiet ones; ~45% online, ~5% by post; ~97%
finished early or on time among the finished;
~10% asked for one supplement, ~2% for two; the last few weeks hold the pending dossiers.

The visibility fact (dossiers_visibility) is written after the load, then every table is VACUUM ANALYZEd,
and the reports' monthly fact table is built for the closed months (`manage.py rebuild_report_months`).
The database is a few GB at 1M rows: drop it with --drop when done.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_reports"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Đức", "Hoài"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"]
FIELDS = ["Hộ tịch", "Chứng thực", "Cư trú", "Đất đai", "Xây dựng", "Kinh doanh", "Bảo trợ xã hội", "Tư pháp",
          "Giáo dục", "Y tế", "Lao động", "Nông nghiệp", "Giao thông", "Tài nguyên nước", "Môi trường", "Văn hóa",
          "Thi đua khen thưởng", "Tôn giáo", "Người có công", "Thương mại"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--dossiers", type=int, default=1_000_000)
    p.add_argument("--until", default="2026-11-20", help="last day of the two years of data (YYYY-MM-DD)")
    p.add_argument("--seed", type=int, default=766)
    p.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    return p.parse_args()


def admin_connection(url: str):
    import psycopg

    base, name = url.rsplit("/", 1)
    return psycopg.connect(f"{base}/postgres", autocommit=True), name


def recreate_database(url: str, drop_only: bool = False) -> None:
    conn, name = admin_connection(url)
    if not name.startswith("motcua_bench"):
        raise SystemExit(f"refusing to drop {name!r}: scratch databases are named motcua_bench*")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("REDIS_URL", "")
    import django

    django.setup()


def copy_value(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, datetime):
        return v.isoformat()
    # A JSON column's value as read by `.values()` (a list or dict), e.g. a supplement round's items.
    s = json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else str(v)
    if any(ch in s for ch in "\t\n\\\r"):
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


class Table:
    """COPY rows into a model's table, filling every column the model has (also ones added later)."""

    def __init__(self, model, values: dict):
        self.model = model
        self.columns = []
        self.fixed = []
        now = datetime.now(UTC)
        for f in model._meta.concrete_fields:
            self.columns.append(f.column)
            if f.name in values or f.attname in values:
                self.fixed.append(None)
                continue
            if f.null:
                default = None
            elif f.has_default():
                default = f.get_default()
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = now
            elif f.get_internal_type() in ("CharField", "TextField", "EmailField", "FileField", "SlugField"):
                default = ""
            elif f.get_internal_type() == "BooleanField":
                default = False
            else:
                default = 0
            self.fixed.append(copy_value(default))
        self.names = [f.attname for f in model._meta.concrete_fields]
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, **values) -> None:
        parts = [copy_value(values[n]) if fixed is None else fixed for n, fixed in zip(self.names, self.fixed, strict=True)]
        self.buffer.write("\t".join(parts))
        self.buffer.write("\n")
        self.count += 1

    def flush(self, cursor) -> None:
        if not self.count:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.model._meta.db_table}" ({cols}) FROM STDIN') as cp:
            cp.write(self.buffer.getvalue())
        self.buffer = io.StringIO()
        self.count = 0


def build_catalogue(rnd: random.Random):
    from organisation.models import Agency, AgencyLevel
    from procedures.models import Field, OnlineMode, Procedure, ProcedureStatus, TimeUnit

    agencies = []
    for p in range(1, 3):
        prov = Agency.objects.create(code=f"000.00.00.H{p:02d}", name=f"UBND tỉnh Thử Nghiệm {p}", level=AgencyLevel.PROVINCE)
        agencies.append(prov)
        for c in range(1, 50):
            agencies.append(Agency.objects.create(
                code=f"000.{p:02d}.{c:02d}.H{p:02d}", name=f"UBND xã Thử Nghiệm {p}-{c}", level=AgencyLevel.COMMUNE, parent=prov,
            ))
    fields = [Field.objects.create(code=f"G{i:02d}-BM{i:02d}", name=name) for i, name in enumerate(FIELDS, 1)]
    modes = [OnlineMode.FULL] * 5 + [OnlineMode.PARTIAL] * 3 + [OnlineMode.NONE] * 2
    procedures = Procedure.objects.bulk_create([
        Procedure(
            code=f"1.{i:06d}", name=f"Thủ tục thử nghiệm số {i}", search_text=f"1.{i:06d} thu tuc thu nghiem so {i}",
            field=fields[i % len(fields)], agency_levels="province" if i % 5 == 0 else "commune",
            time_limit_amount=rnd.choice([1, 3, 5, 7, 15]), time_limit_unit=TimeUnit.WORKING_DAYS,
            online_mode=rnd.choice(modes), fee_amount=rnd.choice([0, 0, 0, 10000, 50000]), status=ProcedureStatus.PUBLISHED,
        )
        for i in range(1, 301)
    ])
    return agencies, procedures


def make_users(agencies):
    from django.contrib.auth import get_user_model

    from organisation.models import Role, StaffMembership

    users = get_user_model().objects
    users.create_superuser("bench_admin", password="bench-12345")
    prov = users.create_user("bench_province", password="bench-12345")
    StaffMembership.objects.create(user=prov, agency=agencies[0], role=Role.MANAGER)
    commune = users.create_user("bench_commune", password="bench-12345")
    StaffMembership.objects.create(user=commune, agency=agencies[1], role=Role.MANAGER)


# The processing steps of a generated dossier (name, role, share of the legal time) and each agency's pace.
STEPS = (("Tiếp nhận, chuyển hồ sơ", "desk_officer", 0.1), ("Thẩm định", "processing_officer", 0.6),
         ("Phê duyệt", "head", 0.3))


def step_paces(rnd: random.Random, agencies) -> dict[int, tuple[float, ...]]:
    """Per agency, the weight of each step in the dossier's elapsed time: some desks hand over at once,
    some appraise slowly, some heads sign in batches."""
    return {a.id: (rnd.uniform(0.03, 0.25), rnd.uniform(0.3, 0.9), rnd.uniform(0.1, 0.6)) for a in agencies}


def step_history(rnd: random.Random, pace: tuple[float, ...], *, dossier_id: int, agency_id: int, limit_days: float,
                 received: datetime, end: datetime, until: datetime) -> list[dict]:
    """The Step rows of one dossier: the time from receipt to `end` (its finish, or where it would have
    finished for one still open at --until) split between the steps by the agency's pace with some noise;
    a step not finished by --until is open (the current one) and the ones after it are not started."""
    weights = [p * rnd.lognormvariate(0, 0.35) for p in pace]
    total = sum(weights)
    span = end - received
    rows, start = [], received
    for order, ((name, role, share), w) in enumerate(zip(STEPS, weights, strict=True), start=1):
        finish = start + span * (w / total)
        started = start if start <= until else None
        rows.append({
            "dossier_id": dossier_id, "order": order, "name": name, "agency_id": agency_id, "role": role,
            "allowance_seconds": int(limit_days * 8 * share * 3600), "started_at": started,
            "finished_at": finish if finish <= until else None, "note": "",
        })
        start = finish
    return rows


def suspend_indexes(cur, loaded: list[str]) -> list[tuple[str, str]]:
    """Bulk load: foreign-key triggers off and secondary indexes dropped, to be rebuilt once at the end by
    `restore_indexes` (a scratch database; constraint-backed unique indexes stay). Returns the dropped ones."""
    cur.execute(
        "SELECT indexdef, indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint)", [[*loaded, "dossiers_visibility"]],
    )
    secondary = cur.fetchall()
    for _def, name in secondary:
        cur.execute(f'DROP INDEX "{name}"')
    for table in loaded:
        cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER ALL')
    return secondary


def restore_indexes(cur, loaded: list[str], secondary, *, first_id: int, last_id: int, t0: float) -> None:
    """Triggers back on, sequences past the loaded ids, the visibility fact written for dossiers
    first_id..last_id (its triggers were off), the dropped indexes rebuilt and every table VACUUM ANALYZEd."""
    for table in loaded:
        cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER ALL')
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
    # The visibility fact (dossiers.visibility): the triggers that keep it were off during the load.
    cur.execute("SELECT to_regproc('dossiers_visibility_backfill')")
    if cur.fetchone()[0] is not None:
        for first in range(first_id, last_id + 1, 500_000):
            cur.execute("SELECT dossiers_visibility_backfill(%s, %s)", [first, min(first + 499_999, last_id)])
        loaded = [*loaded, "dossiers_visibility"]
        print(f"  visibility rows written at {time.perf_counter() - t0:.1f} s", flush=True)
    for indexdef, _name in secondary:
        cur.execute(indexdef)
    print(f"  {len(secondary)} indexes rebuilt at {time.perf_counter() - t0:.1f} s", flush=True)
    # VACUUM, not only ANALYZE: it sets the visibility map that index-only scans rely on.
    for table in loaded:
        cur.execute(f'VACUUM ANALYZE "{table}"')
    # And the statistics of every other table (the catalogue, the agencies, the users: written by the ORM
    # a moment ago, still "empty" to the planner, which then joins them by nested loops).
    cur.execute("ANALYZE")


def generate(args) -> None:
    from django.db import connection

    from citizens.models import Feedback, Rating
    from dossiers.models import Apology, Dossier, DossierComponent, Step
    from procedures.text import fold

    rnd = random.Random(args.seed)
    agencies, procedures = build_catalogue(rnd)
    make_users(agencies)
    paces = step_paces(random.Random(args.seed + 1), agencies)  # its own stream: the dossiers stay as they were
    step_rnd = random.Random(args.seed + 2)
    communes = [a for a in agencies if a.level == "commune"]
    provinces = [a for a in agencies if a.level == "province"]
    # Busy and quiet units: a few communes take many dossiers.
    weights = [1 / (i + 1) ** 0.6 for i in range(len(communes))]
    until = datetime.fromisoformat(args.until).replace(tzinfo=TZ) + timedelta(hours=17)
    start = until - timedelta(days=730)
    span = (until - start).total_seconds()
    by_level = {"commune": [p for p in procedures if p.agency_levels == "commune"],
                "province": [p for p in procedures if p.agency_levels == "province"]}
    # Most of an agency's dossiers are of a few procedures (domain.md §8: a commune publishes ~140, and
    # civil status, certification and residence make most of its work): each agency draws from its own
    # 40 procedures with Zipf weights, the first five taking about two thirds.
    usual = {}
    for agency in agencies:
        own = rnd.sample(by_level[agency.level], min(40, len(by_level[agency.level])))
        usual[agency.id] = (own, [1 / (rank + 1) ** 1.3 for rank in range(len(own))])

    tables = {
        "dossier": Table(Dossier, {"id"} | {f.attname for f in Dossier._meta.concrete_fields}),
        "component": Table(DossierComponent, {"id", "dossier_id", "name", "kind", "count", "file", "supplement_round", "added_at",
                                              "data_source"}),
        "apology": Table(Apology, {"id", "dossier_id", "issued_at", "issued_by_id", "reason", "old_appointment_at", "new_appointment_at"}),
        "rating": Table(Rating, {"id", "dossier_id", "overall", "created_at", "source"}),
        "feedback": Table(Feedback, {"id", "agency_id", "dossier_id", "name", "subject", "body", "is_complaint", "is_repeat", "received_at",
                                      "answer_due_at", "answered_at", "answer_rating", "status"}),
        "step": Table(Step, {"id", "dossier_id", "order", "name", "agency_id", "role", "allowance_seconds", "started_at",
                             "finished_at", "note"}),
    }
    dossier_fields = {f.attname: f for f in Dossier._meta.concrete_fields}
    seq: dict = {}
    ids = {"component": 0, "apology": 0, "rating": 0, "feedback": 0, "step": 0}
    t0 = time.perf_counter()
    loaded = [m._meta.db_table for m in (Dossier, DossierComponent, Apology, Rating, Feedback, Step)]
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg cursor, for COPY
        secondary = suspend_indexes(cur, loaded)
        for n in range(1, args.dossiers + 1):
            if rnd.random() < 0.12:
                agency = rnd.choice(provinces)
            else:
                agency = rnd.choices(communes, weights)[0]
            own, own_weights = usual[agency.id]
            procedure = rnd.choices(own, own_weights)[0]
            # Office hours on weekdays, mostly.
            received = start + timedelta(seconds=rnd.random() * span)
            if received.astimezone(TZ).weekday() >= 5:
                received -= timedelta(days=2)
            local = received.astimezone(TZ)
            received = local.replace(hour=7 + rnd.randrange(10), minute=rnd.randrange(60))
            limit_days = float(procedure.time_limit_amount)
            appointment = received + timedelta(days=limit_days * 1.4 + 0.3)
            r = rnd.random()
            channel = "online" if r < 0.45 else ("postal" if r < 0.5 else "counter")
            outcome = rnd.random()
            if outcome < 0.60:
                finished = received + (appointment - received) * rnd.uniform(0.2, 0.9)
                verdict = "early"
            elif outcome < 0.965:
                finished = appointment - timedelta(hours=rnd.uniform(0, 6))
                verdict = "on_time"
            else:
                finished = appointment + timedelta(days=rnd.uniform(0.5, 10))
                verdict = "late"
            status = 10 if rnd.random() < 0.9 else 9
            if outcome > 0.995:
                status, verdict = 8, "late" if finished > appointment else "on_time"
            planned_end = finished  # where an open dossier's steps would have ended (step_history)
            if finished > until:  # not finished yet at the end of the data
                finished, verdict, status = None, None, 4
            key = (agency.id, local.date())
            seq[key] = seq.get(key, 0) + 1
            supp = 2 if rnd.random() < 0.02 else (1 if rnd.random() < 0.1 else 0)
            late = verdict == "late" or (finished is None and appointment < until)
            values = {
                "id": n, "code": f"{agency.code}-{local:%y%m%d}-{seq[key]:04d}", "procedure_id": procedure.id,
                "agency_id": agency.id, "current_agency_id": agency.id, "status": status, "channel": channel,
                "return_method": "online" if channel == "online" else "desk", "return_address": "",
                "applicant_kind": "person", "applicant_name": (name := f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"),
                "applicant_search": fold(name),  # what Dossier.save() derives; COPY does not call it
                "applicant_id_type": "cccd", "applicant_id_number": f"{rnd.randrange(10**11, 10**12)}",
                "applicant_phone": f"09{rnd.randrange(10**8):08d}", "applicant_email": "",
                "applicant_address": f"Số {rnd.randrange(1, 300)}, thôn {rnd.randrange(1, 20)}, {agency.name}",
                "owner_name": "", "owner_id_number": "", "summary": procedure.name,
                "citizen_id": None, "received_by_id": None, "submitted_at": received if channel == "online" else None,
                "received_at": received, "appointment_at": appointment, "original_appointment_at": appointment,
                "receipt_due_at": appointment, "portal_due_at": appointment,
                "fully_online": channel == "online" and rnd.random() < 0.6,
                "fee_paid_via": ("online" if rnd.random() < 0.3 else "cash") if procedure.fee_amount else "",
                "due_soon_at": appointment - timedelta(days=1), "finished_at": finished,
                "returned_at": finished if status == 10 else None, "is_due_soon": False, "is_late": late,
                "verdict": verdict, "apology_opened_at": None, "supplement_count": supp,
                "supplement_wait_seconds": supp * 3600 * 8, "fee_amount": procedure.fee_amount or None,
                "paid_at": received if procedure.fee_amount else None, "result_text": "",
                "result_file": f"results/{local:%Y/%m}/{n}.pdf" if status in (9, 10) and rnd.random() < 0.6 else "",
                "reason": "", "idempotency_key": "", "idempotency_fingerprint": "", "created_by_id": None, "version": 1,
                "created_at": received, "updated_at": finished or received,
            }
            for name, f in dossier_fields.items():  # columns added by later migrations get their defaults
                if name not in values:
                    values[name] = None if f.null else (f.get_default() if f.has_default() else "")
            tables["dossier"].add(**values)
            for step in step_history(step_rnd, paces[agency.id], dossier_id=n, agency_id=agency.id, limit_days=limit_days,
                                     received=received, end=planned_end, until=until):
                ids["step"] += 1
                tables["step"].add(id=ids["step"], **step)
            for k in range(rnd.choice([1, 2, 2, 3])):
                ids["component"] += 1
                tables["component"].add(
                    id=ids["component"], dossier_id=n, name=f"Giấy tờ {k + 1}", kind="original", count=1,
                    file=f"dossiers/{local:%Y/%m}/{n}-{k}.pdf" if rnd.random() < 0.93 else "",
                    supplement_round=0, added_at=received,
                    data_source="population" if k == 0 and rnd.random() < 0.3 else "",
                )
            if late and rnd.random() < 0.8:
                ids["apology"] += 1
                tables["apology"].add(
                    id=ids["apology"], dossier_id=n, issued_at=appointment - timedelta(days=1), issued_by_id=None,
                    reason="Cần xác minh thêm", old_appointment_at=appointment, new_appointment_at=appointment + timedelta(days=5),
                )
            if finished is not None and rnd.random() < 0.33:
                ids["rating"] += 1
                o = rnd.random()
                tables["rating"].add(
                    id=ids["rating"], dossier_id=n, created_at=finished + timedelta(hours=2), source="online",
                    overall="very_satisfied" if o < 0.64 else ("satisfied" if o < 0.98 else "dissatisfied"),
                )
            if rnd.random() < 0.02:
                ids["feedback"] += 1
                fb_at = received + timedelta(days=rnd.uniform(0, 10))
                due = fb_at + timedelta(days=21)
                answered = fb_at + timedelta(days=rnd.uniform(1, 25))
                if answered > until:
                    answered = None
                tables["feedback"].add(
                    id=ids["feedback"], agency_id=agency.id, dossier_id=n, name="Người phản ánh", subject="Phản ánh",
                    body="Nội dung phản ánh", is_complaint=rnd.random() < 0.5, is_repeat=False, received_at=fb_at, answer_due_at=due,
                    answered_at=answered, answer_rating=rnd.choice(["", "satisfied", "very_satisfied", "dissatisfied"]) if answered else "",
                    status="answered" if answered else "received",
                )
            if n % 50_000 == 0:
                for t in tables.values():
                    t.flush(raw)
                print(f"  {n:>9,} dossiers  {time.perf_counter() - t0:6.1f} s", flush=True)
        for t in tables.values():
            t.flush(raw)
        # The dossiers' copy of their apology's facts, as services.apology.apologize writes it (dossiers/0024),
        cur.execute(importlib.import_module("dossiers.migrations.0024_apology_facts_on_dossier").COPY_SQL)
        # And when each was first complained about (dossiers/0026), as citizens.services write it.
        cur.execute(importlib.import_module("dossiers.migrations.0026_complained_fact_on_dossier").COPY_SQL)
        # And which complaints repeat an earlier one about the same dossier (citizens/0007).
        cur.execute(importlib.import_module("citizens.migrations.0007_feedback_is_repeat").MARK_SQL)
        print(f"  rows loaded in {time.perf_counter() - t0:.1f} s; rebuilding {len(secondary)} indexes", flush=True)
        restore_indexes(cur, loaded, secondary, first_id=1, last_id=args.dossiers, t0=t0)
    print(f"loaded {args.dossiers:,} dossiers, {ids['component']:,} components, {ids['apology']:,} apologies, "
          f"{ids['rating']:,} ratings, {ids['feedback']:,} feedback, {ids['step']:,} steps in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    args = parse_args()
    if args.drop:
        recreate_database(args.database_url, drop_only=True)
        print("dropped", args.database_url.rsplit("/", 1)[1])
        return
    t0 = time.perf_counter()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"schema ready in {time.perf_counter() - t0:.1f} s")
    generate(args)
    # The reports' monthly fact table for the closed months of the data (reporting.rollup), as the nightly
    # task keeps it: without it the report benchmarks would read every month live.
    until = datetime.fromisoformat(args.until)
    first = (until - timedelta(days=731)).replace(day=1)
    call_command("rebuild_report_months", "--from", f"{first:%Y-%m}", "--to", f"{until:%Y-%m}", verbosity=0)
    print(f"total {time.perf_counter() - t0:.1f} s (with the reports' fact table)")


if __name__ == "__main__":
    main()
