"""Catalogue factories: fields and procedures with components and steps, built in a few lines."""

import datetime
import itertools
from decimal import Decimal

import pytest

from procedures.models import Component, Field, Procedure, ProcedureStep

_seq = itertools.count(1)


@pytest.fixture
def make_field(db):
    def make(code=None, name=None):
        n = next(_seq)
        return Field.objects.create(code=code or f"G99-T{n:03d}", name=name or f"Lĩnh vực {n}")

    return make


@pytest.fixture
def make_procedure(db, make_field):
    """A published procedure in effect, with two components and three steps unless told otherwise."""

    def make(code=None, name=None, field=None, components=2, steps=3, agencies=(), **values):
        n = next(_seq)
        defaults = {
            "time_limit_amount": Decimal(3), "time_limit_unit": "working_days", "online_mode": "full",
            "status": "published", "agency_levels": "commune", "fee_text": "Miễn phí",
            "effective_from": datetime.date(2025, 7, 1),
        }
        defaults.update(values)
        procedure = Procedure.objects.create(
            code=code or f"9.{n:06d}", name=name or f"Thủ tục thử nghiệm số {n}", field=field or make_field(), **defaults
        )
        for i in range(components):
            Component.objects.create(procedure=procedure, order=i + 1, name=f"Giấy tờ {i + 1}", kind="original")
        for i in range(steps):
            ProcedureStep.objects.create(procedure=procedure, order=i + 1, name=f"Bước {i + 1}",
                                         performer="parent" if i == 1 else "receiving", allowance_hours=Decimal(8))
        if agencies:
            procedure.agencies.set(agencies)
        return procedure

    return make
