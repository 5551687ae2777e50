"""Demo data of the national sync: the demo catalogue's national procedure codes (the demo codes are the
national ones), so that `make run` shows dossiers arriving at the stand-in national portal. One procedure
is left without a code on purpose: its dossiers show "cannot sync: no national code". Idempotent: a
mapping an administrator edited is left alone."""

import re

from procedures.models import Procedure

from .models import ProcedureMapping

NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
# Left unmapped so the demo shows what an unmapped procedure looks like.
UNMAPPED = "2.000913"


def seed(context: dict) -> dict:
    have = set(ProcedureMapping.objects.values_list("procedure_id", flat=True))
    rows = [ProcedureMapping(procedure=p, national_code=p.code, national_name=p.name)
            for p in Procedure.objects.exclude(pk__in=have).exclude(code=UNMAPPED).order_by("code")
            if NATIONAL_CODE.match(p.code)]
    ProcedureMapping.objects.bulk_create(rows)
    return {}
