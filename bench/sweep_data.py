"""Generator of the sweep benchmark: a million open dossiers, a few thousand of them crossing a deadline.

Rows are made inside PostgreSQL (`INSERT … SELECT … FROM generate_series`), so a million dossiers and
their steps take seconds, not the minutes a Python loop would. Every column of the model is filled:
the ones that matter to the sweep by expression, the others with the model's default.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta


def _default_sql(field, now: datetime):
    """A literal for a column the generator does not vary (the model's default, or an empty value)."""
    if field.null:
        return None
    if field.has_default():
        value = field.get_default()
        return value.value if hasattr(value, "value") else value
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "EmailField", "FileField", "SlugField"):
        return ""
    if kind == "BooleanField":
        return False
    return 0


def insert_select(cursor, model, varied: dict[str, str], count: int, params: dict, now: datetime) -> None:
    """INSERT `count` rows of `model`; `varied` maps column → SQL expression of `i` (1..count)."""
    columns, exprs, values = [], [], dict(params)
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in varied:
            continue
        columns.append(f'"{f.column}"')
        if f.column in varied:
            exprs.append(varied[f.column])
        else:
            key = f"default_{f.column}"
            values[key] = _default_sql(f, now)
            if f.get_internal_type() == "JSONField":  # e.g. the dossier's form_data: {} as jsonb
                values[key] = json.dumps(values[key])
                exprs.append(f"%({key})s::jsonb")
            else:
                exprs.append(f"%({key})s")
    cursor.execute(
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f'SELECT {", ".join(exprs)} FROM generate_series(1, %(count)s) AS g(i)',
        {**values, "count": count},
    )


def generate(*, dossiers: int, crossing_every: int, now: datetime) -> dict:
    """Build the organisation, catalogue, staff, dossiers and steps; return what was made.

    Of every `crossing_every` dossiers, one passes its due-soon point and one its appointment just
    before `now`, and likewise one step of each kind; 2% were flagged late by earlier sweeps; the
    rest are due in 1–10 days. Statuses: 70% processing, 20% received, 10% waiting for payment.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from dossiers.models import Dossier, Step
    from organisation.models import Agency, AgencyLevel, Role, StaffMembership
    from procedures.models import Field, Procedure, ProcedureStatus, TimeUnit

    with transaction.atomic():
        province = Agency.objects.create(code="000.00.00.H98", name="UBND tỉnh Đo Tải", level=AgencyLevel.PROVINCE)
        communes = [
            Agency.objects.create(code=f"000.01.{c:02d}.H98", name=f"UBND xã Đo Tải {c}", level=AgencyLevel.COMMUNE,
                                  parent=province)
            for c in range(1, 101)
        ]
        field = Field.objects.create(code="G09-TP98", name="Hộ tịch")
        procedures = Procedure.objects.bulk_create([
            Procedure(code=f"9.{i:06d}", name=f"Thủ tục đo tải {i}", field=field, time_limit_amount=3,
                      time_limit_unit=TimeUnit.WORKING_DAYS, status=ProcedureStatus.PUBLISHED)
            for i in range(1, 51)
        ])
        users = get_user_model().objects
        officers, heads = [], []
        for c, commune in enumerate(communes, 1):
            officer = users.create_user(f"bench_officer_{c}", password=None)
            head = users.create_user(f"bench_head_{c}", password=None)
            StaffMembership.objects.create(user=officer, agency=commune, role=Role.PROCESSING_OFFICER)
            StaffMembership.objects.create(user=head, agency=commune, role=Role.HEAD)
            officers.append(officer.pk)
            heads.append(head.pk)

        first_commune = communes[0].pk
        params = {
            "now": now, "every": crossing_every, "n_agencies": len(communes), "first_agency": first_commune,
            "first_procedure": procedures[0].pk, "n_procedures": len(procedures), "first_officer": officers[0],
            "officer_step": officers[1] - officers[0], "hour": timedelta(hours=1), "minute": timedelta(minutes=1),
        }
        # Agencies, procedures and officers were created in one go, so their ids are consecutive.
        assert [a.pk for a in communes] == list(range(first_commune, first_commune + len(communes)))
        assert [p.pk for p in procedures] == list(range(procedures[0].pk, procedures[0].pk + len(procedures)))
        assert officers == [officers[0] + k * params["officer_step"] for k in range(len(officers))]
        # k = i % every: 0 → crosses due-soon, 1 → crosses the appointment, 2..(every/50+2) → flagged late earlier
        appointment = """CASE
            WHEN i %% %(every)s = 0 THEN %(now)s::timestamptz + %(hour)s * 3
            WHEN i %% %(every)s = 1 THEN %(now)s::timestamptz - %(minute)s * (1 + i %% 50)
            WHEN i %% 50 = 2 THEN %(now)s::timestamptz - %(hour)s * (24 + i %% 200)
            ELSE %(now)s::timestamptz + %(hour)s * (24 + i %% 216) END"""
        with connection.cursor() as cursor:
            # No per-row triggers while loading (the visibility fact's, ~1 ms a row): the fact is backfilled
            # set-based below, as migration dossiers 0018 does. (This also skips the foreign-key checks of
            # the load; the rows are made consistent.)
            cursor.execute("SET LOCAL session_replication_role = replica")
            insert_select(cursor, Dossier, {
                "code": "'000.01.' || lpad((i %% %(n_agencies)s + 1)::text, 2, '0') || '.H98-261124-' || i",
                "procedure_id": "%(first_procedure)s + i %% %(n_procedures)s",
                "agency_id": "%(first_agency)s + i %% %(n_agencies)s",
                "current_agency_id": "%(first_agency)s + i %% %(n_agencies)s",
                "status": "CASE WHEN i %% 10 < 7 THEN 4 WHEN i %% 10 < 9 THEN 2 ELSE 6 END",
                "channel": "'counter'",
                "applicant_name": "'Nguyễn Văn ' || i",
                "received_at": f"({appointment}) - %(hour)s * 72",
                "appointment_at": appointment,
                "original_appointment_at": appointment,
                "due_soon_at": f"({appointment}) - %(hour)s * 8",
                "is_due_soon": "i %% 50 = 2 AND i %% %(every)s > 1",
                "is_late": "i %% 50 = 2 AND i %% %(every)s > 1",
                "apology_opened_at": "CASE WHEN i %% 50 = 2 AND i %% %(every)s > 1 "
                                     "THEN %(now)s::timestamptz - %(hour)s * 24 END",
            }, dossiers, params, now)
            cursor.execute(f'SELECT min(id) FROM "{Dossier._meta.db_table}"')
            params["first_dossier"] = cursor.fetchone()[0] - 1
            step_due = """CASE
                WHEN i %% %(every)s = 3 THEN %(now)s::timestamptz + %(hour)s * 2
                WHEN i %% %(every)s = 4 THEN %(now)s::timestamptz - %(minute)s * 5
                ELSE %(now)s::timestamptz + %(hour)s * (12 + i %% 100) END"""
            insert_select(cursor, Step, {
                "dossier_id": "%(first_dossier)s + i",
                "order": "1",
                "name": "'Thẩm định'",
                "agency_id": "%(first_agency)s + i %% %(n_agencies)s",
                "role": "'processing_officer'",
                "assignee_id": "%(first_officer)s + (i %% %(n_agencies)s) * %(officer_step)s",
                "allowance_seconds": "86400",
                "started_at": "%(now)s::timestamptz - %(hour)s * 24",
                "due_at": step_due,
                "due_soon_at": f"({step_due}) - %(hour)s * 4",
            }, dossiers, params, now)
            cursor.execute("SET LOCAL session_replication_role = origin")
            cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'dossiers_visibility_backfill'")
            if cursor.fetchone():
                first = params["first_dossier"] + 1
                for start in range(first, first + dossiers, 250_000):
                    cursor.execute("SELECT dossiers_visibility_backfill(%s, %s)", [start, start + 249_999])
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Dossier._meta.db_table}"')
        cursor.execute(f'ANALYZE "{Step._meta.db_table}"')
    return {"dossiers": dossiers, "agencies": len(communes) + 1, "staff": len(officers) + len(heads)}
