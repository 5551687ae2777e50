"""The pure rules, exhaustively: every action from every status for every side, and the verdicts."""

from datetime import date, timedelta
from itertools import product

import pytest

from assignments import rules

EXPECTED = {
    # action: (from status, to status, side)
    rules.REPORT_PROGRESS: (rules.OPEN, rules.OPEN, rules.LEAD),
    rules.REQUEST_EXTENSION: (rules.OPEN, rules.OPEN, rules.LEAD),
    rules.GRANT_EXTENSION: (rules.OPEN, rules.OPEN, rules.ASSIGNER),
    rules.REFUSE_EXTENSION: (rules.OPEN, rules.OPEN, rules.ASSIGNER),
    rules.REPORT_COMPLETION: (rules.OPEN, rules.COMPLETION_REPORTED, rules.LEAD),
    rules.ACCEPT_COMPLETION: (rules.COMPLETION_REPORTED, rules.DONE, rules.ASSIGNER),
    rules.RETURN_COMPLETION: (rules.COMPLETION_REPORTED, rules.OPEN, rules.ASSIGNER),
}


def test_the_table_is_the_expected_one():
    assert set(rules.ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize("action,status", list(product(rules.ACTIONS, rules.STATUSES)))
def test_every_action_from_every_status(action, status):
    row = rules.transition(action, status)
    start, end, side = EXPECTED[action]
    if status == start:
        assert row == rules.Transition(side, start, end)
    else:
        assert row is None


@pytest.mark.parametrize("status,sides", list(product(rules.STATUSES, [(), (rules.LEAD,), (rules.ASSIGNER,),
                                                                        rules.SIDES])))
def test_allowed_actions_per_side(status, sides):
    expected = [a for a, (start, _end, side) in EXPECTED.items() if start == status and side in sides]
    assert rules.allowed_actions(status, sides) == expected


def test_done_is_final_and_unknown_actions_are_refused():
    assert rules.allowed_actions(rules.DONE, rules.SIDES) == []
    assert rules.transition("delete", rules.OPEN) is None
    assert rules.side_of("delete") is None
    assert rules.side_of(rules.ACCEPT_COMPLETION) == rules.ASSIGNER


def test_verdicts_by_day():
    due = date(2026, 6, 30)
    assert rules.verdict(due, due - timedelta(days=1)) == rules.EARLY
    assert rules.verdict(due, due) == rules.ON_TIME
    assert rules.verdict(due, due + timedelta(days=1)) == rules.LATE
    assert rules.verdict(None, due) is None
    assert rules.verdict(due, None) is None


def test_open_late_from_the_day_after_the_deadline():
    due = date(2026, 6, 30)
    assert not rules.is_open_late(due, due)
    assert rules.is_open_late(due, due + timedelta(days=1))
    assert not rules.is_open_late(None, date(2030, 1, 1))
    # Completion reported by the deadline and waiting for the assigner: not late.
    assert not rules.is_open_late(due, due + timedelta(days=9), reported_on=due)
    assert rules.is_open_late(due, due + timedelta(days=9), reported_on=due + timedelta(days=1))


def test_an_extension_moves_the_deadline_only_before_it_passes():
    due = date(2026, 6, 30)
    assert rules.extension_may_be_granted(due, due - timedelta(days=3))
    assert rules.extension_may_be_granted(due, due)
    assert not rules.extension_may_be_granted(due, due + timedelta(days=1))
    assert not rules.extension_may_be_granted(None, due)


def test_deadline_and_extension_problems():
    day = date(2026, 6, 1)
    assert rules.deadline_problem(day, day - timedelta(days=1)) == "deadline_before_assignment"
    assert rules.deadline_problem(day, day) is None
    assert rules.deadline_problem(day, None) is None
    assert rules.extension_problem(None, day) == "no_deadline"
    assert rules.extension_problem(day, None) == "required"
    assert rules.extension_problem(day, day) == "not_later"
    assert rules.extension_problem(day, day + timedelta(days=1)) is None


@pytest.mark.parametrize("value,ok", [(0, True), (100, True), (55, True), (-1, False), (101, False), ("50", False),
                                      (50.0, False), (True, False), (None, False)])
def test_percent(value, ok):
    assert (rules.percent_problem(value) is None) is ok
