"""Fixtures of the dossier tests: procedures (one local, one routed to the province) and a factory that
takes a dossier through the real services to any status.

Other dossier test modules (screens, documents, deadlines) may use them too.
"""

import itertools
from decimal import Decimal

import pytest

from dossiers import services
from procedures.models import Component, Field, Performer, Procedure, ProcedureStep, StepRole, TimeUnit

_seq = itertools.count(1)

APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "079123456789",
    "phone": "0912345678",
    "email": "an@example.vn",
    "address": "Thôn 1, xã An Bình",
}


@pytest.fixture
def field_hotich(db):
    return Field.objects.get_or_create(code="G09-TP02", defaults={"name": "Hộ tịch"})[0]


@pytest.fixture
def make_procedure(db, field_hotich, org):
    def make(code=None, *, amount=3, unit=TimeUnit.WORKING_DAYS, steps=None, online_mode="partial", **extra):
        code = code or f"9.{next(_seq):06d}"
        procedure = Procedure.objects.create(
            code=code, name=extra.pop("name", f"Thủ tục thử {code}"), field=field_hotich,
            agency_levels=extra.pop("agency_levels", "commune"), time_limit_amount=Decimal(amount),
            time_limit_unit=unit, status=extra.pop("status", "published"), online_mode=online_mode, **extra,
        )
        Component.objects.create(procedure=procedure, order=1, name="Tờ khai", kind="original")
        Component.objects.create(procedure=procedure, order=2, name="Giấy khai sinh", kind="copy")
        for order, row in enumerate(steps or (), start=1):
            name, performer, role, hours = row
            ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=performer, role=role,
                                         allowance_hours=Decimal(hours))
        return procedure

    return make


@pytest.fixture
def procedure(make_procedure):
    """A commune procedure of 3 working days: desk (4 h), appraisal (12 h), approval (8 h)."""
    return make_procedure(
        "1.004873", name="Xác nhận tình trạng hôn nhân",
        steps=[
            ("Tiếp nhận, chuyển hồ sơ", Performer.RECEIVING, StepRole.DESK, 4),
            ("Thẩm định", Performer.RECEIVING, StepRole.PROCESSING, 12),
            ("Phê duyệt", Performer.RECEIVING, StepRole.HEAD, 8),
        ],
    )


@pytest.fixture
def province_procedure(make_procedure):
    """A liên thông procedure: the commune appraises, the province decides, the commune returns."""
    return make_procedure(
        "2.000123", name="Thủ tục liên thông xã – tỉnh", amount=10,
        steps=[
            ("Tiếp nhận", Performer.RECEIVING, StepRole.DESK, 4),
            ("Thẩm định tại xã", Performer.RECEIVING, StepRole.PROCESSING, 16),
            ("Giải quyết tại tỉnh", Performer.PARENT, StepRole.PROCESSING, 40),
        ],
    )


@pytest.fixture
def make_dossier(staff, procedure):
    """`make_dossier(status=4, procedure=..., actor=...)`: intake at the first commune, then the actions."""

    def make(status=2, *, procedure=procedure, actor=None, applicant=None, **intake_kwargs):
        actor = actor or staff.desk
        d = services.intake(actor=actor, procedure=procedure, applicant=applicant or dict(APPLICANT), **intake_kwargs)
        if status in (2,):
            return d
        if status == 3:
            raise ValueError("a counter dossier cannot be refused after intake; use refuse from 4")
        d = services.transfer(d, actor=actor, assignee=staff.officer)
        if status == 4:
            return d
        if status == 5:
            return services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"], reason="Thiếu")
        if status == 6:
            return services.request_payment(d, actor=staff.officer, amount=15000)
        if status == 7:
            return services.withdraw(d, actor=actor, reason="Không cần nữa")
        if status == 8:
            return services.stop(d, actor=staff.head, reason="Không đủ điều kiện")
        d = services.decide(d, actor=staff.head, result="Đã cấp giấy xác nhận")
        if status == 9:
            return d
        return services.return_result(d, actor=actor)

    return make
