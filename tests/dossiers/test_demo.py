"""The demo dossiers: made through the services, a mix the screens and reports can show, and idempotent."""

import pytest
import time_machine

from dossiers import demo
from dossiers.models import Dossier, Status
from organisation import demo as organisation_demo
from procedures import demo as procedures_demo
from worktime import demo as worktime_demo

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-24 10:15 +0700", tick=False)
def test_demo_dossiers():
    context = {}
    for part in (organisation_demo, worktime_demo, procedures_demo):
        context.update(part.seed(context) or {})
    result = demo.seed(context)
    assert result["demo_dossiers_created"] == 32
    dossiers = Dossier.objects.all()
    assert dossiers.count() == 32
    by_status = {s: dossiers.filter(status=s).count() for s in Status.values}
    assert by_status[Status.RETURNED] >= 10
    assert by_status[Status.SUBMITTED] == 1
    assert by_status[Status.PROCESSING] >= 4
    assert by_status[Status.SUPPLEMENT_REQUESTED] == 2 and by_status[Status.PAYMENT_REQUESTED] == 1
    assert by_status[Status.DECIDED] == 1 and by_status[Status.STOPPED] == 1 and by_status[Status.REFUSED] == 2
    # The counter visits not received: a code, no receipt time, no appointment.
    at_counter = dossiers.filter(received_at__isnull=True, code__isnull=False)
    assert sorted(at_counter.values_list("status", flat=True)) == [Status.REFUSED, Status.SUPPLEMENT_REQUESTED]
    assert not at_counter.filter(appointment_at__isnull=False).exists()
    verdicts = set(dossiers.filter(status=Status.RETURNED).values_list("verdict", flat=True))
    assert verdicts == {"early", "on_time", "late"}
    assert dossiers.filter(agency=context["commune2"]).count() == 5
    assert dossiers.filter(current_agency=context["province"], status=Status.PROCESSING).count() == 1
    assert dossiers.filter(supplements__replied_at__isnull=False).exists()
    assert dossiers.filter(paid_at__isnull=False, status=Status.RETURNED).exists()
    # Every timestamp is in the past and in order.
    for d in dossiers.prefetch_related("events"):
        times = [e.at for e in d.events.all()]
        assert times == sorted(times), d
    # A second run creates nothing.
    assert demo.seed(context)["demo_dossiers_created"] == 0
    assert Dossier.objects.count() == 32


def test_demo_without_catalogue_is_skipped():
    assert demo.seed({}) == {}
