"""Two officers act on one dossier at the same moment: the row lock lets one win; the other gets 409 and
changes nothing."""

import threading

import pytest
from django.db import connection

from dossiers import services
from dossiers.models import Dossier, TimelineEvent
from organisation.errors import DomainError

from .conftest import APPLICANT


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - compared below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_different_actions_one_wins_the_other_409(staff, procedure):
    assert connection.vendor == "postgresql"
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
    d = services.transfer(d, actor=staff.desk)
    results = race(
        lambda: services.decide(d.pk, actor=staff.head, result="Đồng ý"),
        lambda: services.stop(d.pk, actor=staff.head, reason="Dừng"),
    )
    wins = [r for r in results if isinstance(r, Dossier)]
    losses = [r for r in results if isinstance(r, DomainError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].status_code == 409
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.status == wins[0].status and fresh.version == 2
    assert TimelineEvent.objects.filter(dossier=d, action__in=["decide", "stop"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_version_twice_one_wins_the_other_409(staff, procedure):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
    d = services.transfer(d, actor=staff.desk)
    results = race(
        lambda: services.request_payment(d.pk, actor=staff.officer, amount=10000, expected_version=1),
        lambda: services.request_supplement(d.pk, actor=staff.officer, items="CCCD", reason="x", expected_version=1),
    )
    # The loser waited for the lock, then found version 2: a concurrent change (409).
    assert sorted(type(r).__name__ for r in results) == ["ConcurrentChange", "Dossier"], results
    assert Dossier.objects.get(pk=d.pk).version == 2


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_at_once_makes_one_dossier(staff, procedure):
    body = {"actor": staff.desk, "procedure": procedure, "applicant": dict(APPLICANT), "idempotency_key": "race"}
    results = race(*[lambda: services.intake(**body) for _ in range(4)])
    assert all(isinstance(r, Dossier) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Dossier.objects.count() == 1
    # The losers gave their code number back: the next intake continues the sequence.
    nxt = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
    assert nxt.code.endswith("-0002")
