"""Plain ORM factories for dossiers and steps, shared by the notices and deadline tests.

They write rows directly (no dossier service), so the sweep, the outbox and the apology are tested on
exactly the state they are given.
"""

import itertools
from datetime import timedelta

from dossiers.models import Dossier, Status, Step
from procedures.models import Field, Procedure, TimeUnit

_seq = itertools.count(1)


def create_procedure(**extra) -> Procedure:
    n = next(_seq)
    field, _ = Field.objects.get_or_create(code="G09-TP02", defaults={"name": "Hộ tịch"})
    values = {
        "code": f"9.{n:06d}",
        "name": "Xác nhận tình trạng hôn nhân",
        "field": field,
        "time_limit_amount": 3,
        "time_limit_unit": TimeUnit.WORKING_DAYS,
        "status": "published",
    }
    values.update(extra)
    return Procedure.objects.create(**values)


def create_dossier(agency, *, procedure=None, status=Status.PROCESSING, appointment_at=None, due_soon_at=None,
                 received_at=None, **extra) -> Dossier:
    n = next(_seq)
    procedure = procedure or create_procedure()
    if appointment_at is not None and due_soon_at is None and "due_soon_at" not in extra:
        due_soon_at = appointment_at - timedelta(hours=24)
    values = {
        "code": f"{agency.code}-261123-{n:04d}",
        "procedure": procedure,
        "agency": agency,
        "status": status,
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": "0912345678",
        "applicant_email": f"an{n}@example.vn",
        "received_at": received_at or (appointment_at - timedelta(days=3) if appointment_at else None),
        "appointment_at": appointment_at,
        "due_soon_at": due_soon_at,
    }
    values.update(extra)
    return Dossier.objects.create(**values)


def create_step(dossier, *, order=1, assignee=None, agency=None, due_at=None, due_soon_at=None, **extra) -> Step:
    if due_at is not None and due_soon_at is None:
        due_soon_at = due_at - timedelta(hours=4)
    return Step.objects.create(
        dossier=dossier, order=order, name=extra.pop("name", "Thẩm định hồ sơ"), agency=agency or dossier.agency,
        assignee=assignee, started_at=extra.pop("started_at", dossier.received_at), due_at=due_at,
        due_soon_at=due_soon_at, **extra,
    )
