"""`manage.py sweep_deadlines` and the beat task run the same sweep."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from dossiers.models import Dossier
from dossiers.tasks import sweep_deadlines
from tests.notices.factories import create_dossier

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

pytestmark = pytest.mark.django_db


def test_the_command_sweeps_and_prints_the_counts(org, staff):
    d = create_dossier(org.commune, appointment_at=NOW - timedelta(minutes=1))
    out = StringIO()
    call_command("sweep_deadlines", "--now", NOW.isoformat(), stdout=out)
    assert Dossier.objects.get(pk=d.pk).is_late
    lines = out.getvalue().splitlines()
    assert "late: 1" in lines and "due_soon: 1" in lines and "notices: 1" in lines  # the head, told "late" only


def test_the_command_sweeps_now_by_default(org, staff):
    create_dossier(org.commune, appointment_at=datetime(2020, 1, 6, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    out = StringIO()
    call_command("sweep_deadlines", stdout=out)
    assert "late: 1" in out.getvalue()


@pytest.mark.parametrize("bad", ["hôm qua", "2026-11-24T09:00:00"])
def test_a_bad_time_is_refused(bad):
    with pytest.raises(CommandError):
        call_command("sweep_deadlines", "--now", bad)


def test_the_task_takes_an_explicit_time(org, staff):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=2), due_soon_at=NOW - timedelta(hours=1))
    result = sweep_deadlines.apply(kwargs={"now": NOW.isoformat()}).get()
    assert result["due_soon"] == 1 and Dossier.objects.get(pk=d.pk).is_due_soon
    with pytest.raises(ValueError):
        sweep_deadlines.apply(kwargs={"now": "2026-11-24T09:00:00"}).get()
