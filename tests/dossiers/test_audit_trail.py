"""The audit trail: an intake writes no history rows that only repeat its timeline event, every later change
of a dossier or a step is in its history (the deadline sweep's flags included, with the version bumped),
and an intake costs a constant number of queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from dossiers import services
from dossiers.deadlines import HISTORY_REASON, sweep
from dossiers.models import Dossier, Status, Step
from tests.notices.factories import create_dossier, create_step

from .conftest import APPLICANT
from .test_sweep import officer_holds

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
MONDAY_8 = "2026-11-23 08:00 +0700"


def history_count(d: Dossier) -> tuple[int, int]:
    return Dossier.history.filter(id=d.pk).count(), Step.history.filter(dossier_id=d.pk).count()


@time_machine.travel(MONDAY_8, tick=False)
@pytest.mark.parametrize("outcome,extra", [("receive", {}), ("supplement", {"items": ["Bản sao CCCD"]}),
                                           ("refuse", {"reason": "Không thuộc thẩm quyền"})])
def test_an_intake_writes_no_history_and_a_later_change_does(staff, procedure, outcome, extra):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), outcome=outcome, **extra)
    assert history_count(d) == (0, 0)  # the timeline's event says who took it, when and how
    assert d.events.count() == 1 and d.version == 0
    stored = Dossier.objects.get(pk=d.pk)
    assert (stored.supplement_count, stored.reason, stored.finished_at is not None) == (
        {"receive": (0, "", False), "supplement": (1, "", False),
         "refuse": (0, "Không thuộc thẩm quyền", True)}[outcome])
    if outcome != "receive":
        return
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer, expected_version=0)
    rows = list(Dossier.history.filter(id=d.pk))
    assert [(r.history_type, r.status, r.version) for r in rows] == [("~", Status.PROCESSING, 1)]
    steps = {(r.order, r.history_type, r.finished_at is not None, r.started_at is not None)
             for r in Step.history.filter(dossier_id=d.pk)}
    assert (1, "~", True, True) in steps and (2, "~", False, True) in steps  # desk step closed, next started


def test_an_online_submission_and_its_receipt(staff, org, procedure, make_user):
    citizen = make_user()
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    assert d.appointment_at is not None and history_count(d) == (0, 0)
    d = services.receive(d, actor=staff.desk)
    dossiers, steps = history_count(d)
    assert dossiers == 1 and steps == d.steps.count()  # the receipt is a change: its steps are in history


@pytest.fixture(params=["set-based", "row by row"])
def run_sweep(request):
    return lambda now: sweep(now, set_based=request.param == "set-based")


def test_the_sweeps_flags_are_in_history_with_the_version_bumped(org, staff, run_sweep):
    soon = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=6), due_soon_at=NOW - timedelta(minutes=5))
    late = create_dossier(org.commune, appointment_at=NOW - timedelta(minutes=5), is_due_soon=True)
    step = create_step(soon, assignee=staff.officer, due_at=NOW - timedelta(minutes=1),
                       due_soon_at=NOW - timedelta(hours=2))
    versions = {d.pk: Dossier.objects.get(pk=d.pk).version for d in (soon, late)}
    before = {d.pk: Dossier.history.filter(id=d.pk).count() for d in (soon, late)}
    steps_before = Step.history.filter(id=step.pk).count()

    result = run_sweep(NOW)
    assert (result.due_soon, result.late, result.step_due_soon, result.step_late) == (1, 1, 1, 1)

    soon_now, late_now = Dossier.objects.get(pk=soon.pk), Dossier.objects.get(pk=late.pk)
    # the dossier's own flag, then the two step phases' bumps of the dossier holding the step
    assert soon_now.is_due_soon and soon_now.version == versions[soon.pk] + 3
    assert late_now.is_late and late_now.version == versions[late.pk] + 1
    rows = list(Dossier.history.filter(id=soon.pk).order_by("history_id"))[before[soon.pk]:]
    assert [(r.history_type, r.history_change_reason, r.history_date, r.is_due_soon, r.version) for r in rows] == [
        ("~", HISTORY_REASON, NOW, True, versions[soon.pk] + k) for k in (1, 2, 3)]
    rows = list(Dossier.history.filter(id=late.pk).order_by("history_id"))[before[late.pk]:]
    assert [(r.history_type, r.history_change_reason, r.is_late, r.version) for r in rows] == [
        ("~", HISTORY_REASON, True, versions[late.pk] + 1)]
    assert rows[0].apology_opened_at == NOW
    rows = list(Step.history.filter(id=step.pk).order_by("history_id"))[steps_before:]
    assert [(r.history_type, r.history_change_reason, r.is_due_soon, r.is_late) for r in rows] == [
        ("~", HISTORY_REASON, True, False), ("~", HISTORY_REASON, True, True)]

    # A sweep with nothing new changes nothing and writes nothing.
    counts = (Dossier.history.count(), Step.history.count())
    assert not any(run_sweep(NOW + timedelta(minutes=1)).as_dict().values())
    assert (Dossier.history.count(), Step.history.count()) == counts
    assert Dossier.objects.get(pk=soon.pk).version == soon_now.version


@pytest.mark.django_db(transaction=True)
def test_a_step_whose_dossier_is_held_waits_for_the_next_sweep(org, staff):
    """The step phases lock the step's dossier (its version is bumped) SKIP LOCKED, like the dossier phases."""
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(days=3), due_soon_at=NOW + timedelta(days=2))
    step = create_step(d, assignee=staff.officer, due_at=NOW - timedelta(minutes=1))
    with officer_holds(d):
        assert sweep(NOW).step_late == 0
        step.refresh_from_db()
        assert not step.is_late
    assert sweep(NOW).step_late == 1


@pytest.mark.parametrize("phase,column", [("dossiers_due_soon", "due_soon_at"), ("dossiers_late", "appointment_at"),
                                          ("steps_due_soon", "due_soon_at"), ("steps_late", "due_at")])
def test_no_other_index_serves_a_sweep_selection(phase, column):
    """Plans that do not flip: without its partial index, no index can take the selection's time condition,
    so whatever ANALYZE samples, the planner has that one index to read (migration 0022)."""
    from dossiers import deadlines

    if connection.vendor != "postgresql":
        pytest.skip("the partial indexes are PostgreSQL's")
    index = {"dossiers_due_soon": "dossier_due_soon_to_sweep", "dossiers_late": "dossier_late_to_sweep",
             "steps_due_soon": "step_due_soon_to_sweep", "steps_late": "step_late_to_sweep"}[phase]
    sql, params = deadlines.selection(phase, NOW)

    def plan(*setup) -> str:
        with connection.cursor() as cursor:
            for statement in ("SET LOCAL enable_seqscan = off", *setup):
                cursor.execute(statement)
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    with transaction.atomic():
        assert index in plan()
        transaction.set_rollback(True)
    with transaction.atomic():
        without = plan(f"DROP INDEX {index}")
        transaction.set_rollback(True)
    conditions = [line for line in without.splitlines() if "Index Cond" in line]
    assert not [line for line in conditions if column in line], without


@time_machine.travel(MONDAY_8, tick=False)
@pytest.mark.parametrize("n", [1, 5])
def test_an_intake_costs_a_constant_number_of_queries(staff, procedure, n, django_assert_num_queries):
    for i in range(n):  # earlier intakes of the desk and day: the same statements whatever their number
        services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), idempotency_key=f"k{i}")
    if connection.vendor != "postgresql":
        pytest.skip("the one-INSERT notices are PostgreSQL's")
    # 1 the desk's agency (an API request has it from the cached token); 2 the transaction (here a
    # savepoint, BEGIN in a request); 3 the procedure's steps (an API request reads them with the
    # procedure); 4 the day's code and the year's register number in one statement; 5 the dossier; 6 the
    # steps; 7 the event; 8 the national outbox row; 9 the notices; 10 the savepoint's release (COMMIT).
    # One more for the departments when steps name any (one for all of them). No look-up of the
    # idempotency key first, no savepoint of its own, no history rows, one publish after the commit.
    with django_assert_num_queries(10):
        services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), idempotency_key="budget")
