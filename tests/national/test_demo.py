"""The demo: the catalogue's national codes seeded (one left unmapped on purpose), idempotent, and the
demo dossiers' changes waiting in the outbox until the stand-in takes them, in order."""

import pytest
import time_machine

from dossiers import demo as dossiers_demo
from dossiers.models import Dossier
from national import demo
from national.models import OutboxEntry, ProcedureMapping
from organisation import demo as organisation_demo
from procedures import demo as procedures_demo
from procedures.models import Procedure
from worktime import demo as worktime_demo

from .conftest import drain, sent_statuses

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-24 10:15 +0700", tick=False)
def test_demo_mappings_and_backlog(portal_standin):
    context = {}
    for part in (organisation_demo, worktime_demo, procedures_demo, demo, dossiers_demo):
        context.update(part.seed(context) or {})
    mapped = ProcedureMapping.objects.count()
    assert mapped >= 10 and mapped == Procedure.objects.count() - 1
    assert not ProcedureMapping.objects.filter(procedure__code=demo.UNMAPPED).exists()
    demo.seed(context)
    assert ProcedureMapping.objects.count() == mapped
    assert OutboxEntry.objects.filter(sent_at__isnull=True).exists()
    drain()
    returned = Dossier.objects.filter(status=10).exclude(procedure__code=demo.UNMAPPED).first()
    sent = sent_statuses(portal_standin, returned.code)
    assert sent[0][:2] == ("DongBo", "2") and sent[-1] == ("TienDo", "10")
