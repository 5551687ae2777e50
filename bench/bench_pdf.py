"""Benchmark of the printed forms (dossiers/documents.py), run by hand:

    DATABASE_URL=postgres://... .venv/bin/python bench/bench_pdf.py [--rounds 5] [--register-rows 60,500]

Builds one dossier with two steps, a supplement request and an apology inside a transaction that is
rolled back at the end (the database is left as it was), then renders each form `--rounds` times and
the register (form 07) at each row count, printing the median wall and CPU time per render and the
PDF size. The first render (template and font loading) is timed apart.

Measured on the 2-core development machine (21 Nov 2026, WeasyPrint 70 with fontTools subsetting,
no HarfBuzz-Subset library; the machine was shared, load average about 8, so CPU time is the figure
to trust, wall time is what a user waited):

    form             first s  wall s   cpu s    KiB
    receipt            1.562   0.615   0.161     27
    supplement         0.428   0.530   0.134     25
    refusal            0.936   0.400   0.130     24
    apology            0.418   0.592   0.138     24
    stop               1.222   0.545   0.133     23
    control-sheet      0.746   0.628   0.227     27
    register 63        2.993   2.267   0.927     39   (4 A4 pages)
    register 503      18.121  23.088   7.569    178   (about 15 ms of CPU per row)

About 60% of an A5 form's time is font subsetting by fontTools; with the system library
HarfBuzz-Subset (Debian: libharfbuzz-subset0) WeasyPrint uses it instead and that share mostly goes.
A register of several hundred rows is a job for a background task, not a request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from dossiers.documents import FORMS, render_dossier_form  # noqa: E402
from dossiers.models import Apology, Dossier, DossierComponent, Status, Step, SupplementRequest, Verdict  # noqa: E402
from dossiers.register import render_register  # noqa: E402
from organisation.models import AdminUnit, Agency, AgencyLevel, UnitLevel  # noqa: E402
from procedures.models import Component, Field, Procedure, TimeUnit  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Rollback(Exception):
    pass


def at(day, hour=9, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=VN)


def build():
    unit = AdminUnit.objects.create(code="bench-56", name="Tỉnh Khánh Hòa", level=UnitLevel.PROVINCE)
    province = Agency.objects.create(
        code="bench.00.H34", name="UBND tỉnh Khánh Hòa", level=AgencyLevel.PROVINCE, admin_unit=unit
    )
    ward = Agency.objects.create(
        code="bench.30.H34", name="UBND phường Nha Trang", level=AgencyLevel.COMMUNE, parent=province
    )
    field = Field.objects.create(code="bench-G09", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="bench-1.004873",
        name="Xác nhận tình trạng hôn nhân",
        field=field,
        time_limit_amount=3,
        time_limit_unit=TimeUnit.WORKING_DAYS,
    )
    for order in range(1, 4):
        Component.objects.create(procedure=procedure, order=order, name=f"Giấy tờ số {order}")
    user = get_user_model().objects.create_user("bench-pdf", first_name="Lê Văn", last_name="Tâm")

    def dossier(code, day=20, **extra):
        d = Dossier.objects.create(
            code=code,
            procedure=procedure,
            agency=ward,
            status=extra.pop("status", Status.PROCESSING),
            applicant_name="Nguyễn Thị Hồng Nhung",
            applicant_phone="0905123456",
            applicant_address="15 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
            received_by=user,
            received_at=at(day),
            appointment_at=at(day, 16, 30) + dt.timedelta(days=4),
            **extra,
        )
        for c in procedure.components.all():
            DossierComponent.objects.create(dossier=d, name=c.name, kind=c.kind)
        return d

    main = dossier("bench.30.H34-261120-0001")
    for order in (1, 2):
        Step.objects.create(
            dossier=main,
            order=order,
            name=f"Bước {order}",
            agency=ward,
            assignee=user,
            started_at=at(20 + order),
            finished_at=at(21 + order),
            verdict=Verdict.ON_TIME,
        )
    SupplementRequest.objects.create(dossier=main, round=1, requested_at=at(21), items="Giấy tờ A\nGiấy tờ B")
    Apology.objects.create(
        dossier=main,
        issued_at=at(23),
        reason="Cần xác minh",
        old_appointment_at=at(24, 16, 30),
        new_appointment_at=at(27, 10),
    )
    refused = dossier("bench.30.H34-261120-0002", status=Status.REFUSED, reason="Không thuộc thẩm quyền")
    stopped = dossier("bench.30.H34-261120-0003", status=Status.STOPPED, reason="Công dân rút hồ sơ")
    return ward, main, refused, stopped, dossier


def timed(fn, rounds):
    """Wall time of the first call; median wall and median CPU time of the next ones (CPU time is what
    a busy shared machine does not distort)."""
    start = time.perf_counter()
    data = fn()
    first = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return first, statistics.median(walls), statistics.median(cpus), len(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--register-rows", default="60,500")
    args = parser.parse_args()
    print(f"{'form':<16}{'first s':>9}{'wall s':>8}{'cpu s':>8}{'KiB':>7}")
    try:
        with transaction.atomic():
            ward, main_dossier, refused, stopped, make = build()
            for form in FORMS:
                target = {"refusal": refused, "stop": stopped}.get(form, main_dossier)
                first, wall, cpu, size = timed(
                    lambda t=target, f=form: render_dossier_form(t, f), args.rounds
                )
                print(f"{form:<16}{first:>9.3f}{wall:>8.3f}{cpu:>8.3f}{size / 1024:>7.0f}")
            made = 0
            for rows in sorted(int(n) for n in args.register_rows.split(",")):
                while made < rows:
                    make(f"bench.30.H34-2611{1 + made % 28:02d}-{made + 10:04d}", day=1 + made % 28)
                    made += 1
                first, wall, cpu, size = timed(
                    lambda: render_register(ward, dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
                    max(1, args.rounds // 2),
                )
                # +3: the three dossiers of the forms above are in the period too.
                print(
                    f"{'register ' + str(rows + 3):<16}{first:>9.3f}{wall:>8.3f}{cpu:>8.3f}{size / 1024:>7.0f}"
                )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
