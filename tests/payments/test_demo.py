"""The payments demo: fee schedules and one online dossier of `congdan` waiting for its fee; idempotent."""

import pytest

from dossiers.models import Dossier, Status
from organisation import demo as organisation_demo
from payments import demo
from payments.models import FeeItem
from procedures import demo as procedures_demo
from worktime import demo as worktime_demo

pytestmark = pytest.mark.django_db


def test_demo_fee_schedule_and_dossier_awaiting_payment():
    context = {}
    for part in (organisation_demo, worktime_demo, procedures_demo):
        context.update(part.seed(context) or {})
    assert demo.seed(context) == {"payments_demo_dossiers": 1}
    assert FeeItem.objects.filter(procedure__code="1.004859").count() == 2
    d = Dossier.objects.get(idempotency_key=demo.DEMO_KEY)
    assert d.status == Status.PAYMENT_REQUESTED and d.fee_amount == 23000 and d.citizen.username == "congdan"
    assert demo.seed(context) == {"payments_demo_dossiers": 0}
    assert FeeItem.objects.count() == 2 and Dossier.objects.count() == 1
