"""The task sweep (set-based on PostgreSQL, and the ORM path) and the weekly digest, through the outbox."""

from datetime import date

import pytest

from assignments import deadlines, services
from assignments.models import Task
from notices.models import Notice

from .conftest import at, local

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("set_based", [True, False])
def test_due_soon_then_late_once_each(make_task, staff, assigner, set_based):
    task = make_task(date(2026, 3, 10))
    # Three working days before the end of Tuesday 10/03: Friday 06/03 at opening.
    assert task.due_soon_at == local("2026-03-06", 7)
    assert deadlines.sweep(local("2026-03-05", 16), set_based=set_based).as_dict() == {
        "due_soon": 0, "late": 0, "notices": 0}
    assert deadlines.sweep(local("2026-03-06", 8), set_based=set_based).as_dict() == {
        "due_soon": 1, "late": 0, "notices": 1}
    assert deadlines.sweep(local("2026-03-06", 9), set_based=set_based).notices == 0
    notice = Notice.objects.get(event="task_due_soon")
    assert notice.user == staff.head and "10/03/2026" in notice.body and notice.dossier is None
    result = deadlines.sweep(local("2026-03-11", 0, 5), set_based=set_based)
    assert (result.late, result.notices) == (1, 1)
    assert Task.objects.get().is_late and Notice.objects.filter(event="task_late").count() == 1
    assert deadlines.sweep(local("2026-03-12"), set_based=set_based).as_dict() == {"due_soon": 0, "late": 0, "notices": 0}


def test_an_extension_is_swept_afresh(make_task, staff, assigner):
    task = make_task(date(2026, 3, 10))
    deadlines.sweep(local("2026-03-09"))
    with at("2026-03-09", 10):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-20", reason="x")
        task = services.grant_extension(task, actor=assigner)
    assert not task.is_due_soon
    deadlines.sweep(local("2026-03-11", 1))
    assert not Task.objects.get().is_late
    assert deadlines.sweep(local("2026-03-19")).due_soon == 1
    assert Notice.objects.filter(event="task_due_soon").count() == 2  # one per deadline


def test_tasks_waiting_for_the_assigner_or_done_are_not_swept(make_task, staff, assigner):
    task = make_task(date(2026, 3, 10))
    with at("2026-03-05"):
        services.report_completion(task, actor=staff.officer, text="Xong")
    assert deadlines.sweep(local("2026-03-20")).as_dict() == {"due_soon": 0, "late": 0, "notices": 0}


def test_weekly_digest_once_a_week_per_head(make_task, staff, assigner, org):
    make_task(date(2026, 3, 10))
    make_task(date(2026, 3, 4), title="B")
    make_task(title="C", lead=org.commune2)
    deadlines.sweep(local("2026-03-09", 8))
    assert deadlines.weekly_digest(local("2026-03-09", 7)) == 1  # commune2 has no head: nobody to tell
    notice = Notice.objects.get(event="task_digest")
    assert notice.user == staff.head
    assert "2 nhiệm vụ" in notice.body and "1 đã quá hạn" in notice.body and "1 sắp đến hạn" in notice.body
    assert deadlines.weekly_digest(local("2026-03-10", 7)) == 0
    assert deadlines.weekly_digest(local("2026-03-16", 7)) == 1


def test_beat_runs_the_sweep_and_the_monday_digest():
    from config.celery import app

    app.finalize()
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert "assignments.tasks.sweep_tasks" in schedule
    digest = schedule["assignments.tasks.weekly_digest"]
    assert digest.day_of_week == {1} and digest.hour == {7} and digest.minute == {0}


def test_the_celery_tasks_and_the_command(make_task, staff):
    from io import StringIO

    from django.core.management import call_command

    from assignments import tasks

    make_task(date(2026, 3, 4))
    with at("2026-03-09"):
        assert tasks.sweep_tasks.apply().get() == {"due_soon": 1, "late": 1, "notices": 1}
        assert tasks.weekly_digest.apply().get() == 1
        out = StringIO()
        call_command("sweep_tasks", "--digest", stdout=out)
    assert "'late': 0" in out.getvalue() and "weekly digest: 0 notices" in out.getvalue()
