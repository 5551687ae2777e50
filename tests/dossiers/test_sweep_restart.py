"""The sweep follows a dossier's deadline when it moves: a supplement round that restarts the clock and
the apology's new appointment each give a new deadline, warned about once, while the same deadline is
never warned about twice. Dossiers go through the real services; time is frozen at each moment."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.deadlines import sweep
from dossiers.models import Dossier, Step
from dossiers.services.apology import apologize
from notices.models import Notice
from procedures.models import TimeUnit

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def warned(d, event: str) -> list[str]:
    """The appointments (or step due times) the officer was warned about, in the keys' words."""
    return sorted(Notice.objects.filter(dossier=d, event=event, user__username="chuyenvien")
                  .values_list("dedupe_key", flat=True))


@pytest.fixture
def short_procedure(make_procedure):
    """Four working hours: shorter than the due-soon window, so due soon half-way (after two hours)."""
    return make_procedure(amount=4, unit=TimeUnit.WORKING_HOURS)


def test_a_restarted_clock_is_warned_about_again(staff, short_procedure):
    with time_machine.travel(at("2026-11-23 08:00"), tick=False):
        d = services.intake(actor=staff.desk, procedure=short_procedure, applicant=dict(APPLICANT))
        d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    assert d.appointment_at == at("2026-11-23 14:00")
    assert sweep(at("2026-11-23 08:10")).due_soon == 0  # not due soon at receipt
    sweep(at("2026-11-23 11:00"))
    assert len(warned(d, "due_soon")) == 1

    with time_machine.travel(at("2026-11-23 11:30"), tick=False):
        d = services.request_supplement(d, actor=staff.officer, items="Bản sao CCCD", reason="Thiếu")
    with time_machine.travel(at("2026-11-24 08:00"), tick=False):
        d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Bản sao CCCD"}])
    # The full limit again from Tuesday 08:00; due soon half-way, at 10:00.
    assert d.appointment_at == at("2026-11-24 14:00") and d.due_soon_at == at("2026-11-24 10:00")
    assert not d.is_due_soon and not d.is_late  # left to the sweep, which has a new deadline to warn about

    assert sweep(at("2026-11-24 08:05")).due_soon == 0
    assert sweep(at("2026-11-24 10:05")).due_soon == 1
    assert sweep(at("2026-11-24 10:10")).notices == 0
    keys = warned(d, "due_soon")
    assert len(keys) == 2 and any(str(int(at("2026-11-24 14:00").timestamp())) in key for key in keys)

    step = Step.objects.get(dossier=d)
    assert step.due_at == at("2026-11-24 14:00") and step.is_due_soon and not step.is_late
    sweep(at("2026-11-24 14:05"))
    sweep(at("2026-11-24 15:00"))
    assert len(warned(d, "late")) == 1 and len(warned(d, "step_late")) == 1
    d.refresh_from_db()
    assert d.is_late


def test_the_apology_gives_a_new_deadline_warned_once(staff, make_procedure):
    procedure = make_procedure(amount=1, unit=TimeUnit.WORKING_DAYS)
    with time_machine.travel(at("2026-11-23 08:00"), tick=False):
        d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
        d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    sweep(at("2026-11-23 16:05"))  # the last half of its one working day: due soon
    sweep(at("2026-11-24 08:05"))  # due Tuesday 08:00: late
    assert (len(warned(d, "due_soon")), len(warned(d, "late"))) == (1, 1)

    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        apologize(d, actor=staff.head, reason="Phải xác minh thêm", new_appointment_at=at("2026-11-26 16:00"))
    sweep(at("2026-11-24 09:05"))
    assert (len(warned(d, "due_soon")), len(warned(d, "late"))) == (1, 1)  # not due again yet

    sweep(at("2026-11-25 16:05"))  # one working day before the new appointment
    sweep(at("2026-11-26 16:05"))  # past it
    sweep(at("2026-11-26 17:00"))
    assert (len(warned(d, "due_soon")), len(warned(d, "late"))) == (2, 2)
    body = Notice.objects.filter(dossier=d, event="late", user=staff.officer).order_by("id").last().body
    assert "26/11/2026" in body


def test_the_same_deadline_is_never_warned_twice(staff, make_procedure):
    procedure = make_procedure(amount=1, unit=TimeUnit.WORKING_DAYS)
    with time_machine.travel(at("2026-11-23 08:00"), tick=False):
        d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
        d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    sweep(at("2026-11-24 08:05"))
    before = Notice.objects.filter(dossier=d).count()
    assert before > 0

    # Whatever clears the flags without moving the deadline (a supplement round answered without
    # restarting the clock, an admin fix), the sweep flags again but tells nobody twice.
    Dossier.objects.filter(pk=d.pk).update(is_due_soon=False, is_late=False)
    Step.objects.filter(dossier=d).update(is_due_soon=False, is_late=False)
    result = sweep(at("2026-11-24 09:00"))
    assert (result.due_soon, result.late, result.notices) == (1, 1, 0)
    assert Notice.objects.filter(dossier=d).count() == before
