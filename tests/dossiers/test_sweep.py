"""The deadline sweep: due-soon warnings, late flags, step deadlines, once each, whatever the volume."""

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from dossiers.deadlines import (
    sweep,
    sweep_dossiers_due_soon,
)
from dossiers.models import Dossier, Status, Step, TimelineEvent
from notices.models import Notice, NoticeChannel, NoticeStatus
from organisation.models import Role
from tests.notices.factories import create_dossier, create_procedure, create_step

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["set-based", "row by row"])
def run_sweep(request):
    """The behaviour holds for both ways of sweeping: PostgreSQL's statements and the ORM's rows (SQLite)."""
    set_based = request.param == "set-based"
    return lambda now: sweep(now, set_based=set_based)


def events(**filters):
    return sorted(Notice.objects.filter(**filters).values_list("event", "user__username"))


def test_due_soon_warns_the_officer_and_the_heads_once(org, staff, run_sweep):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=6), due_soon_at=NOW - timedelta(minutes=5))
    create_step(d, assignee=staff.officer, due_at=NOW + timedelta(days=2))

    result = run_sweep(NOW)

    d.refresh_from_db()
    assert d.is_due_soon and not d.is_late
    assert d.apology_opened_at == NOW  # owed from the due-soon point: one working day before the due time
    assert result.due_soon == 1 and result.late == 0
    assert events(dossier=d) == [("due_soon", "chuyenvien"), ("due_soon", "lanhdao")]
    notice = Notice.objects.get(dossier=d, user=staff.officer)
    assert notice.channel == NoticeChannel.IN_APP and notice.status == NoticeStatus.SENT
    assert d.code in notice.subject and "sắp đến hạn" in notice.subject

    again = run_sweep(NOW + timedelta(minutes=5))
    assert again.notices == 0 and again.due_soon == 0
    assert Notice.objects.filter(dossier=d).count() == 2


def test_a_dossier_not_yet_due_soon_is_left_alone(org, staff, run_sweep):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(days=3), due_soon_at=NOW + timedelta(days=2))
    create_step(d, assignee=staff.officer)
    assert run_sweep(NOW).as_dict() == {"due_soon": 0, "late": 0, "step_due_soon": 0, "step_late": 0, "notices": 0}
    d.refresh_from_db()
    assert not d.is_due_soon and d.apology_opened_at is None


def test_late_flags_opens_the_apology_and_writes_the_timeline(org, staff, run_sweep):
    opened = NOW - timedelta(days=1)
    d = create_dossier(org.commune, appointment_at=NOW - timedelta(minutes=1), due_soon_at=opened,
                     is_due_soon=True, apology_opened_at=opened)  # warned by an earlier sweep
    create_step(d, assignee=staff.officer)

    result = run_sweep(NOW)

    d.refresh_from_db()
    assert d.is_late and d.apology_opened_at == opened
    assert result.late == 1 and result.due_soon == 0
    assert events(dossier=d) == [("late", "chuyenvien"), ("late", "lanhdao")]
    assert "mẫu 04" in Notice.objects.filter(dossier=d).first().body
    line = TimelineEvent.objects.get(dossier=d, action="late")
    assert line.at == NOW and not line.public and line.from_status == line.to_status == Status.PROCESSING
    assert run_sweep(NOW + timedelta(hours=1)).notices == 0
    assert TimelineEvent.objects.filter(dossier=d, action="late").count() == 1


@pytest.mark.parametrize("late", [False, True])
def test_a_dossier_received_already_due_is_warned_once(staff, make_procedure, late, run_sweep):
    """A same-day dossier is not due soon at receipt (its due-soon window is half its working time); a
    backlog entered late may be past its appointment already. The services leave the flags to the sweep,
    which warns once."""
    from dossiers import services
    from procedures.models import TimeUnit

    from .conftest import APPLICANT

    procedure = make_procedure(amount=1, unit=TimeUnit.SAME_DAY)
    with time_machine.travel(NOW, tick=False):
        d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                            received_at=datetime(2026, 11, 20, 14, 0, tzinfo=TZ) if late else None)
        services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d.refresh_from_db()
    assert not d.is_due_soon and not d.is_late
    assert (d.appointment_at < NOW) == late and (d.due_soon_at <= NOW) == late

    run_sweep(NOW)
    if not late:
        d.refresh_from_db()
        assert not d.is_due_soon  # not at receipt: from its due-soon point on
    when = NOW if late else d.due_soon_at
    run_sweep(when)
    run_sweep(when + timedelta(minutes=5))

    d.refresh_from_db()
    assert d.apology_opened_at == when and d.is_due_soon and d.is_late == late
    expected = "late" if late else "due_soon"
    assert events(dossier=d, event__in=["late", "due_soon"]) == [(expected, "chuyenvien"), (expected, "lanhdao")]


def test_a_dossier_that_jumped_past_both_points_hears_only_late(org, staff, run_sweep):
    d = create_dossier(org.commune, appointment_at=NOW - timedelta(hours=2), due_soon_at=NOW - timedelta(days=1))
    create_step(d, assignee=staff.officer)

    result = run_sweep(NOW)

    d.refresh_from_db()
    assert d.is_due_soon and d.is_late
    assert (result.due_soon, result.late) == (1, 1)
    assert {e for e, _ in events(dossier=d)} == {"late"}


def test_apology_opens_at_due_soon_and_is_kept_when_late(org, staff, run_sweep):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=4), due_soon_at=NOW - timedelta(hours=1))
    run_sweep(NOW)
    run_sweep(NOW + timedelta(hours=5))
    d.refresh_from_db()
    assert d.is_late and d.apology_opened_at == NOW


@pytest.mark.parametrize("status", [Status.SUPPLEMENT_REQUESTED, Status.SUBMITTED, Status.DECIDED, Status.RETURNED,
                                    Status.STOPPED, Status.REFUSED, Status.WITHDRAWAL_REQUESTED])
def test_paused_and_finished_dossiers_are_not_swept(org, staff, status, run_sweep):
    d = create_dossier(org.commune, status=status, appointment_at=NOW - timedelta(hours=1))
    create_step(d, assignee=staff.officer, due_at=NOW - timedelta(hours=2))
    assert run_sweep(NOW).as_dict() == {"due_soon": 0, "late": 0, "step_due_soon": 0, "step_late": 0, "notices": 0}
    d.refresh_from_db()
    assert not d.is_late and not d.is_due_soon


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_REQUESTED])
def test_open_statuses_are_swept(org, staff, status, run_sweep):
    d = create_dossier(org.commune, status=status, appointment_at=NOW - timedelta(hours=1))
    run_sweep(NOW)
    d.refresh_from_db()
    assert d.is_late


def test_the_current_step_is_the_latest_started_one_and_heads_of_the_holding_agency(org, staff, make_user,
                                                                                   run_sweep):
    province_head = make_user(roles=[(org.province, Role.HEAD)])
    other = make_user(roles=[(org.province, Role.PROCESSING_OFFICER)])
    later = make_user(roles=[(org.province, Role.PROCESSING_OFFICER)])
    d = create_dossier(org.commune, current_agency=org.province, appointment_at=NOW - timedelta(minutes=1))
    create_step(d, order=1, assignee=staff.officer, finished_at=NOW - timedelta(days=1))
    create_step(d, order=2, agency=org.province, assignee=other)
    create_step(d, order=3, agency=org.province, assignee=later, started_at=None)

    run_sweep(NOW)

    # the commune's head and officer no longer hold the dossier; the province's heads do (chuyenvien_tinh is one)
    assert events(dossier=d, event="late") == sorted(
        [("late", other.username), ("late", province_head.username), ("late", "chuyenvien_tinh")]
    )


def test_inactive_users_are_not_told_and_nobody_to_tell_still_flags(org, staff, make_user, run_sweep):
    staff.head.is_active = False
    staff.head.save()
    d = create_dossier(org.commune, appointment_at=NOW - timedelta(minutes=1))  # no step, no active head
    result = run_sweep(NOW)
    d.refresh_from_db()
    assert d.is_late and result.late == 1 and result.notices == 0


def test_step_deadlines_warn_the_step_officer_and_the_heads_of_the_step_agency(org, staff, run_sweep):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(days=5))
    soon = create_step(d, order=1, assignee=staff.officer, due_at=NOW + timedelta(hours=2),
                     due_soon_at=NOW - timedelta(minutes=1))
    late = create_step(d, order=2, assignee=staff.officer, name="Trình ký", due_at=NOW - timedelta(minutes=1),
                     due_soon_at=NOW - timedelta(hours=3), is_due_soon=True)
    done = create_step(d, order=3, assignee=staff.officer, due_at=NOW - timedelta(hours=1),
                     finished_at=NOW - timedelta(hours=2))

    result = run_sweep(NOW)

    assert (result.step_due_soon, result.step_late) == (1, 1)
    soon.refresh_from_db(), late.refresh_from_db(), done.refresh_from_db()
    assert soon.is_due_soon and not soon.is_late
    assert late.is_late
    assert not done.is_late and not done.is_due_soon
    assert events(dossier=d) == [("step_due_soon", "chuyenvien"), ("step_due_soon", "lanhdao"),
                                 ("step_late", "chuyenvien"), ("step_late", "lanhdao")]
    body = Notice.objects.get(event="step_late", user=staff.officer).body
    assert "Trình ký" in body and d.code in body
    assert run_sweep(NOW).notices == 0


def test_a_new_deadline_is_warned_about_again(org, staff, run_sweep):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=2), due_soon_at=NOW - timedelta(hours=1))
    create_step(d, assignee=staff.officer)
    run_sweep(NOW)
    # a supplement round or the apology moves the appointment and resets the flags
    Dossier.objects.filter(pk=d.pk).update(appointment_at=NOW + timedelta(days=3), due_soon_at=NOW + timedelta(days=2),
                                           is_due_soon=False)
    run_sweep(NOW + timedelta(days=2, minutes=1))
    assert Notice.objects.filter(dossier=d, event="due_soon", user=staff.officer).count() == 2


def test_a_phase_rolled_back_leaves_nothing_and_the_next_sweep_converges(org, staff):
    d = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=2), due_soon_at=NOW - timedelta(hours=1))
    create_step(d, assignee=staff.officer)

    with pytest.raises(RuntimeError), transaction.atomic():
        sweep_dossiers_due_soon(NOW)
        raise RuntimeError("worker killed before the commit")

    d.refresh_from_db()
    assert not d.is_due_soon and d.apology_opened_at is None
    assert not Notice.objects.filter(dossier=d).exists()

    sweep(NOW)
    d.refresh_from_db()
    assert d.is_due_soon and Notice.objects.filter(dossier=d).count() == 2


def test_a_sweep_interrupted_after_its_first_phase_converges(org, staff):
    def build():
        due_soon = create_dossier(org.commune, appointment_at=NOW + timedelta(hours=2),
                                due_soon_at=NOW - timedelta(hours=1))
        late = create_dossier(org.commune, appointment_at=NOW - timedelta(hours=1))
        step_owner = create_dossier(org.commune, appointment_at=NOW + timedelta(days=3))
        for dossier in (due_soon, late):
            create_step(dossier, assignee=staff.officer)
        create_step(step_owner, assignee=staff.officer, due_at=NOW - timedelta(minutes=1))
        return [due_soon, late, step_owner]

    def state(dossiers):
        rows = []
        for d in dossiers:
            d.refresh_from_db()
            rows.append((d.is_due_soon, d.is_late, d.apology_opened_at is not None,
                         tuple(sorted(Notice.objects.filter(dossier=d).values_list("event", "user_id"))),
                         tuple(Step.objects.filter(dossier=d).values_list("is_due_soon", "is_late"))))
        return rows

    interrupted = build()
    sweep_dossiers_due_soon(NOW)  # the worker dies here
    sweep(NOW)  # the next beat
    sweep(NOW)
    first = state(interrupted)
    Notice.objects.all().delete()

    whole = build()
    sweep(NOW)
    assert state(whole) == first


def _crossing(org, staff, n):
    procedure = create_procedure()
    for i in range(n):
        soon = create_dossier(org.commune, procedure=procedure, appointment_at=NOW + timedelta(hours=3, minutes=i),
                            due_soon_at=NOW - timedelta(minutes=1 + i))
        create_step(soon, assignee=staff.officer, due_at=NOW + timedelta(hours=1), due_soon_at=NOW - timedelta(minutes=1))
        late = create_dossier(org.commune, procedure=procedure, appointment_at=NOW - timedelta(minutes=1 + i),
                            is_due_soon=True)
        create_step(late, assignee=staff.officer, due_at=NOW - timedelta(minutes=2), is_due_soon=True)


@pytest.mark.parametrize("n", [1, 10, 100])
def test_the_sweep_costs_a_constant_number_of_queries(org, staff, n, django_assert_num_queries):
    _crossing(org, staff, n)
    # 4 phases × (savepoint, JIT off for the transaction, UPDATE…RETURNING, one INSERT of all notices, release)
    with django_assert_num_queries(20):
        result = sweep(NOW)
    assert (result.due_soon, result.late, result.step_due_soon, result.step_late) == (n, n, n, n)
    assert result.notices == 4 * n * 2
    # and a sweep with nothing to do writes no notices
    with django_assert_num_queries(16):
        assert sweep(NOW).notices == 0


@contextmanager
def officer_holds(dossier):
    """An officer's transaction holding the dossier's row lock (another connection) for the block."""
    locked, release = threading.Event(), threading.Event()

    def officer_edits():
        try:
            with transaction.atomic():
                Dossier.objects.select_for_update().get(pk=dossier.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=officer_edits)
    thread.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_a_dossier_locked_by_an_officer_is_left_for_the_next_sweep(org, staff, run_sweep):
    """SKIP LOCKED: a dossier being edited right now neither blocks the sweep nor is half-swept."""
    d = create_dossier(org.commune, appointment_at=NOW - timedelta(minutes=1))
    create_step(d, assignee=staff.officer)
    with officer_holds(d):
        assert run_sweep(NOW).late == 0
        d.refresh_from_db()
        assert not d.is_late and not Notice.objects.filter(dossier=d).exists()
    assert run_sweep(NOW).late == 1


@pytest.mark.parametrize("phase,index", [
    ("sweep_dossiers_due_soon", "dossier_due_soon_to_sweep"), ("sweep_dossiers_late", "dossier_late_to_sweep"),
    ("sweep_steps_due_soon", "step_due_soon_to_sweep"), ("sweep_steps_late", "step_late_to_sweep"),
])
def test_each_phase_can_select_through_its_partial_index(org, staff, phase, index):
    """The phase's selection implies the partial index's predicate (open rows not yet flagged), so the
    sweep reads only the rows crossing a point now (bench/bench_sweep.py has the figures). Asked with the
    table's other (non-unique) indexes dropped inside a transaction rolled back afterwards: on empty test
    tables the planner's costs tie, and it once took another partial index that also covers open rows
    (`dossier_finished_at`), which says nothing of whether this one can serve."""
    from django.test.utils import CaptureQueriesContext

    from dossiers import deadlines

    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        getattr(deadlines, phase)(NOW)
    statement = next(q["sql"] for q in ctx.captured_queries if "hit AS (" in q["sql"])
    table = "dossiers_step" if "steps" in phase else "dossiers_dossier"
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname <> %s "
                       "AND indexdef NOT LIKE 'CREATE UNIQUE %%'", [table, index])
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # the indexes come back
    assert index in plan, plan
