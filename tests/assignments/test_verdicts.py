"""The verdict around extensions: granted before the deadline it moves the deadline in force (the
original kept); refused, or asked for too late, the task is judged against the deadline it had."""

from datetime import date

import pytest

from assignments import rules, selectors, services
from organisation.errors import ActionNotAllowed

from .conftest import at

pytestmark = pytest.mark.django_db
DUE = date(2026, 3, 10)


def finish(task, officer, assigner, day):
    with at(day, 10):
        task = services.report_completion(task, actor=officer, text="Xong")
    with at(day, 16):
        return services.accept_completion(task, actor=assigner)


def extend(task, officer, assigner, *, asked, granted, to):
    with at(asked):
        task = services.request_extension(task, actor=officer, proposed_due_on=to, reason="Chờ số liệu")
    with at(granted):
        return services.grant_extension(task, actor=assigner)


@pytest.mark.parametrize("done_on,verdict", [("2026-03-09", rules.EARLY), ("2026-03-10", rules.ON_TIME),
                                             ("2026-03-11", rules.LATE)])
def test_without_extension(make_task, staff, assigner, done_on, verdict):
    task = finish(make_task(DUE), staff.officer, assigner, done_on)
    assert task.verdict == verdict and task.due_on == DUE


@pytest.mark.parametrize("done_on,verdict", [("2026-03-15", rules.EARLY), ("2026-03-20", rules.ON_TIME),
                                             ("2026-03-23", rules.LATE)])
def test_granted_before_the_deadline_moves_it(make_task, staff, assigner, done_on, verdict):
    task = extend(make_task(DUE), staff.officer, assigner, asked="2026-03-09", granted="2026-03-10", to="2026-03-20")
    assert task.due_on == date(2026, 3, 20) and task.original_due_on == DUE and task.extended
    task = finish(task, staff.officer, assigner, done_on)
    assert task.verdict == verdict
    assert task.original_due_on == DUE  # kept and shown


def test_a_grant_after_the_deadline_is_refused_and_the_task_stays_late(make_task, staff, assigner):
    task = make_task(DUE)
    with at("2026-03-09"):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-20", reason="x")
    with at("2026-03-11"), pytest.raises(ActionNotAllowed) as exc:
        services.grant_extension(task, actor=assigner)
    assert exc.value.code == "deadline_passed"
    with at("2026-03-11"):
        task = services.refuse_extension(task, actor=assigner, note="Đã quá hạn")
    assert selectors.open_state(task, date(2026, 3, 11)) == "open_late"
    task = finish(task, staff.officer, assigner, "2026-03-15")
    assert task.verdict == rules.LATE and task.due_on == DUE


def test_asking_after_the_deadline_is_refused(make_task, staff):
    task = make_task(DUE)
    with at("2026-03-11"), pytest.raises(ActionNotAllowed) as exc:
        services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-20", reason="x")
    assert exc.value.code == "deadline_passed"


def test_refused_extension_judges_against_the_original(make_task, staff, assigner):
    task = make_task(DUE)
    with at("2026-03-09"):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-20", reason="x")
        task = services.refuse_extension(task, actor=assigner, note="Không đồng ý")
    assert finish(task, staff.officer, assigner, "2026-03-12").verdict == rules.LATE


def test_two_extensions_each_before_the_deadline_in_force(make_task, staff, assigner):
    task = extend(make_task(DUE), staff.officer, assigner, asked="2026-03-05", granted="2026-03-06", to="2026-03-20")
    task = extend(task, staff.officer, assigner, asked="2026-03-18", granted="2026-03-20", to="2026-03-31")
    assert task.due_on == date(2026, 3, 31) and task.original_due_on == DUE
    assert finish(task, staff.officer, assigner, "2026-03-31").verdict == rules.ON_TIME


def test_the_assigner_may_grant_another_date_than_asked(make_task, staff, assigner):
    task = make_task(DUE)
    with at("2026-03-09"):
        task = services.request_extension(task, actor=staff.officer, proposed_due_on="2026-03-31", reason="x")
        task = services.grant_extension(task, actor=assigner, due_on="2026-03-17")
    assert task.due_on == date(2026, 3, 17)
    assert finish(task, staff.officer, assigner, "2026-03-18").verdict == rules.LATE


def test_a_report_sent_back_is_judged_by_the_report_finally_accepted(make_task, staff, assigner):
    task = make_task(DUE)
    with at("2026-03-09"):
        task = services.report_completion(task, actor=staff.officer, text="Xong")
    with at("2026-03-11"):
        task = services.return_completion(task, actor=assigner, note="Chưa đạt")
    assert selectors.open_state(task, date(2026, 3, 11)) == "open_late"
    assert finish(task, staff.officer, assigner, "2026-03-12").verdict == rules.LATE


def test_no_deadline_no_verdict(make_task, staff, assigner):
    task = finish(make_task(), staff.officer, assigner, "2026-06-01")
    assert task.status == rules.DONE and task.verdict == ""
    assert selectors.open_state(task) == "done_no_deadline"


def test_waiting_for_the_assigner_is_not_lateness(make_task, staff, assigner, api):
    task = make_task(DUE)
    with at("2026-03-10"):
        task = services.report_completion(task, actor=staff.officer, text="Xong")
    with at("2026-03-16"):
        assert selectors.open_state(task) == "open_in_time"
        assert api.as_user(assigner).get("/api/v1/tasks/", {"late": "true"}).json()["count"] == 0
        report = api.get("/api/v1/tasks/report/", {"kind": "month", "month": "2026-03"}).json()["totals"]
        assert (report["open_in_time"], report["open_late"]) == (1, 0)
        task = services.return_completion(task, actor=assigner, note="Chưa đạt")
        assert selectors.open_state(task) == "open_late"
        assert api.get("/api/v1/tasks/", {"late": "true"}).json()["count"] == 1
        report = api.get("/api/v1/tasks/report/", {"kind": "month", "month": "2026-03"}).json()["totals"]
        assert (report["open_in_time"], report["open_late"]) == (0, 1)
