"""The facts the managers' figures are made from (domain.md §6): kept by the services in the same action."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.deadlines import sweep
from dossiers.models import DossierComponent, Status, Verdict
from dossiers.services.apology import apologize
from organisation.errors import ValidationFailed
from worktime.services import add_working_hours

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def test_receipt_sets_both_due_times(clock, make_dossier):
    d = make_dossier(status=2)
    assert d.receipt_due_at == d.portal_due_at == d.appointment_at == d.original_appointment_at


def test_an_apology_never_makes_a_late_dossier_on_time(clock, make_dossier, staff):
    d = make_dossier(status=4)
    receipt_due = d.receipt_due_at
    clock.move_to(receipt_due + timedelta(minutes=10))
    sweep()
    d.refresh_from_db()
    new = (receipt_due + timedelta(days=7)).replace(hour=16, minute=0)
    apologize(d, actor=staff.head, reason="Chờ xác minh", new_appointment_at=new)
    d.refresh_from_db()
    assert d.appointment_at == new and d.receipt_due_at == receipt_due
    clock.move_to(new - timedelta(days=1))
    d = services.decide(d, actor=staff.head, result="Đã cấp")
    assert d.finished_at <= new  # the new date kept …
    assert d.verdict == Verdict.LATE and d.is_late  # … and still late against the receipt


def test_a_supplement_restarts_the_receipt_due_and_extends_the_portal_due(clock, make_dossier, staff):
    d = make_dossier(status=4)
    first = d.receipt_due_at
    clock.move_to(MONDAY + timedelta(hours=1))
    d = services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"])
    assert d.receipt_due_at == first and d.status == Status.SUPPLEMENT_REQUESTED
    clock.move_to(MONDAY + timedelta(days=1, hours=2))  # Tuesday 10:00
    d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Bản sao CCCD"}])
    d.refresh_from_db()
    assert d.receipt_due_at == d.appointment_at > first
    assert d.supplement_wait_seconds > 0
    assert d.portal_due_at == add_working_hours(first, d.supplement_wait_seconds / 3600, d.agency)


def test_payment_method_and_component_source_are_recorded(clock, make_dossier, staff):
    d = make_dossier(status=6, components=[{"name": "CCCD", "kind": "copy", "data_source": "population"}])
    assert DossierComponent.objects.get(dossier=d).data_source == "population"
    d = services.confirm_payment(d, actor=staff.officer, method="online")
    assert d.fee_paid_via == "online"
    with pytest.raises(ValidationFailed) as err:
        make_dossier(status=2, components=[{"name": "CCCD", "kind": "copy", "data_source": "nowhere"}])
    assert "components[0].data_source" in err.value.fields


def test_a_dossier_entered_as_fully_online(clock, make_dossier):
    assert make_dossier(status=2, channel="online", fully_online=True).fully_online
    assert not make_dossier(status=2, channel="counter", fully_online=True).fully_online
