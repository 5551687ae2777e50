"""After the calendar changed, open dossiers get the due times the new calendar gives from the same start."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dossiers import services
from dossiers.models import Dossier, Status, TimelineEvent
from dossiers.recompute import recompute_appointments
from dossiers.services.apology import apologize
from notices.models import Notice
from worktime.services import add_holiday

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)  # a plain working Monday
TUESDAY = date(2026, 11, 24)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def test_a_new_holiday_moves_the_open_dossiers_by_one_working_day(clock, make_dossier, staff):
    d = make_dossier(status=Status.PROCESSING)  # 3 working days from Monday 08:00
    old = d.appointment_at
    step = d.steps.get(started_at__isnull=False, finished_at__isnull=True)
    old_step_due = step.due_at
    done = make_dossier(status=Status.RETURNED)
    add_holiday(TUESDAY, "Nghỉ bù (thử)")

    result = recompute_appointments(since=date(2026, 11, 23))
    d.refresh_from_db()
    assert d.appointment_at == old + timedelta(days=1)
    assert d.original_appointment_at == d.appointment_at
    assert d.receipt_due_at == d.portal_due_at == d.appointment_at  # the reports judge against the new date
    assert [code for code, *_ in result.moved] == [d.code]
    assert result.examined == 1  # the returned dossier is not even looked at
    step.refresh_from_db()
    assert step.due_at > old_step_due
    event = TimelineEvent.objects.filter(dossier=d, action="recompute").get()
    assert "hẹn trả mới" in event.note and event.public
    notices = Notice.objects.filter(dossier=d, event="appointment_changed")
    assert notices.exists() and "được tính lại" in notices.first().body
    assert Dossier.objects.get(pk=done.pk).appointment_at == done.appointment_at

    again = recompute_appointments(since=date(2026, 11, 23))  # nothing moves twice
    assert again.moved == [] and TimelineEvent.objects.filter(dossier=d, action="recompute").count() == 1


def test_an_apologised_dossier_keeps_its_promised_date(clock, make_dossier, staff):
    d = make_dossier(status=Status.PROCESSING)
    clock.move_to(d.appointment_at - timedelta(hours=2))
    from dossiers.deadlines import sweep

    sweep()
    new_date = datetime(2026, 12, 2, 16, 0, tzinfo=TZ)
    apologize(Dossier.objects.get(pk=d.pk), actor=staff.head, reason="Chờ xác minh", new_appointment_at=new_date)
    add_holiday(date(2026, 12, 1), "Nghỉ (thử)")
    assert recompute_appointments(since=date(2026, 11, 23)).moved == []
    assert Dossier.objects.get(pk=d.pk).appointment_at == new_date


def test_a_supplement_restart_is_the_start(clock, make_dossier, staff):
    d = make_dossier(status=Status.SUPPLEMENT_REQUESTED)
    clock.move_to(MONDAY + timedelta(days=2, hours=1))  # Wednesday 09:00: the documents arrive
    d = services.supplement_received(Dossier.objects.get(pk=d.pk), actor=staff.desk,
                                     components=[{"name": "Bản sao CCCD"}])
    restarted = d.appointment_at
    add_holiday(date(2026, 11, 24), "Nghỉ (thử)")  # before the restart: changes nothing
    assert recompute_appointments(since=date(2026, 11, 23)).moved == []
    add_holiday(date(2026, 11, 27), "Nghỉ (thử)")  # Friday, inside the restarted interval
    recompute_appointments(since=date(2026, 11, 23))
    assert Dossier.objects.get(pk=d.pk).appointment_at > restarted


def test_the_command_dry_run_and_bad_input(clock, make_dossier):
    d = make_dossier(status=Status.PROCESSING)
    add_holiday(TUESDAY, "Nghỉ (thử)")
    out = io.StringIO()
    call_command("recompute_appointments", "--since", "2026-11-23", "--dry-run", stdout=out)
    assert f"{d.code}: 2026-11-26" in out.getvalue() and "1 would move" in out.getvalue()
    assert Dossier.objects.get(pk=d.pk).appointment_at == d.appointment_at
    call_command("recompute_appointments", "--since", "2026-11-23", stdout=out)
    assert "1 moved" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("recompute_appointments", "--since", "2026-13-45")
    with pytest.raises(CommandError):
        call_command("recompute_appointments", "--agency", "000.99.99.H00")
