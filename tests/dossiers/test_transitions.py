"""The transition table, exhaustively: every action × every status × every role, against domain.md §4
written out again here by hand (so a slip in the table does not hide in the same slip in the test)."""

import itertools

import pytest

from dossiers import transitions as tt
from dossiers.models import Status

STAFF_WORK = {"desk_officer", "processing_officer", "head"}

# action: (statuses it may start from, resulting status or None, roles)
EXPECTED = {
    "submit": ({0}, 1, {"citizen", "desk_officer"}),
    "receive": ({0, 1}, 2, {"desk_officer"}),
    "refuse": ({1, 4}, 3, STAFF_WORK),
    "transfer": ({2, 4}, 4, STAFF_WORK),
    "assign": ({2, 4, 5, 6}, None, {"head"}),
    "request-supplement": ({1, 4}, 5, STAFF_WORK),
    "supplement": ({5}, 4, STAFF_WORK | {"citizen"}),
    "request-payment": ({4}, 6, STAFF_WORK),
    "confirm-payment": ({6}, 4, STAFF_WORK),
    "decide": ({4}, 9, {"head"}),
    "return": ({9}, 10, {"desk_officer"}),
    "withdraw": ({1, 2, 4, 5, 6}, 7, {"citizen", "desk_officer"}),
    "stop": ({4, 7}, 8, {"desk_officer", "head"}),
    "apologize": ({2, 4, 5, 6}, None, {"head"}),
}
ROLES = sorted(tt.ALL_ROLES)
STATUSES = [0, *range(1, 11)]


def test_the_table_has_exactly_the_actions_of_the_api():
    assert set(tt.TRANSITIONS) == set(EXPECTED)


def test_statuses_agree_with_the_model():
    assert tt.ALL_STATUSES == set(Status.values)
    assert (tt.SUBMITTED, tt.RECEIVED, tt.REFUSED, tt.PROCESSING, tt.SUPPLEMENT_REQUESTED, tt.PAYMENT_REQUESTED,
            tt.WITHDRAWAL_REQUESTED, tt.STOPPED, tt.DECIDED, tt.RETURNED) == tuple(range(1, 11))


@pytest.mark.parametrize("action,status,role", list(itertools.product(sorted(EXPECTED), STATUSES, ROLES)))
def test_every_action_status_and_role(action, status, role):
    statuses, to_status, roles = EXPECTED[action]
    if status in statuses and role in roles:
        transition = tt.check(action, status, {role})
        assert transition.to_status == to_status
        assert tt.allowed(action, status, [role])
    else:
        with pytest.raises(tt.TransitionError) as info:
            tt.check(action, status, {role})
        # The status is the first reason: wrong status for everyone, else the role.
        assert info.value.kind == ("status" if status not in statuses else "role")
        assert info.value.action == action
        assert not tt.allowed(action, status, [role])


@pytest.mark.parametrize("status", STATUSES)
def test_no_role_may_do_anything(status):
    for action in EXPECTED:
        assert not tt.allowed(action, status, set())
        assert not tt.allowed(action, status, {"manager", "administrator"})


def test_closed_statuses_allow_nothing():
    for status in (tt.REFUSED, tt.STOPPED, tt.RETURNED):
        assert tt.available_actions(status, tt.ALL_ROLES) == []


def test_unknown_action():
    with pytest.raises(tt.TransitionError) as info:
        tt.check("approve", tt.PROCESSING, {"head"})
    assert info.value.kind == "unknown_action"


def test_available_actions_follow_the_table():
    assert tt.available_actions(tt.PROCESSING, {"head"}) == [
        "refuse", "transfer", "assign", "request-supplement", "request-payment", "decide", "stop", "apologize",
    ]
    assert tt.available_actions(tt.SUBMITTED, {"citizen"}) == ["withdraw"]
    assert tt.available_actions(tt.DECIDED, {"desk_officer"}) == ["return"]


def test_supplement_resumes_where_the_dossier_was():
    assert tt.resume_status(received=True) == tt.PROCESSING
    assert tt.resume_status(received=False) == tt.SUBMITTED


def test_the_module_is_pure():
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(tt.__file__).read_text())
    imported = {n.names[0].name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"__future__", "dataclasses"}
