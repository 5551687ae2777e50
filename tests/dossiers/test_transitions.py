"""The transition table, exhaustively: every action × every status × every role, against domain.md §4
written out again here by hand (so a slip in the table does not hide in the same slip in the test)."""

import itertools

import pytest

from dossiers import transitions as tt
from dossiers.models import Status

STAFF_WORK = {"desk_officer", "processing_officer", "head"}

DESK_OR_HEAD = {"desk_officer", "head"}


def every(statuses, roles):
    return {status: set(roles) for status in statuses}


# action: ({starting status: roles that may act from it}, resulting status or None)
EXPECTED = {
    "submit": (every({0}, {"citizen", "desk_officer"}), 1),
    "receive": (every({0, 1}, {"desk_officer"}), 2),
    # At the counter (0) only the desk refuses or asks for the missing documents.
    "refuse": ({0: {"desk_officer"}, 1: STAFF_WORK, 4: STAFF_WORK}, 3),
    "transfer": (every({2, 4}, STAFF_WORK), 4),
    "assign": (every({2, 4, 5, 6}, {"head"}), None),
    "request-supplement": ({0: {"desk_officer"}, 1: STAFF_WORK, 4: STAFF_WORK}, 5),
    "supplement": (every({5}, STAFF_WORK | {"citizen"}), 4),
    "request-payment": (every({4}, STAFF_WORK), 6),
    "confirm-payment": (every({6}, STAFF_WORK), 4),
    "decide": (every({4}, {"head"}), 9),
    "return": (every({9}, {"desk_officer"}), 10),
    "withdraw": (every({1, 2, 4, 5, 6}, {"citizen", "desk_officer"}), 7),
    # Stopping processing is the head's decision; closing a withdrawal is also the desk's work.
    "stop": ({4: {"head"}, 7: DESK_OR_HEAD}, 8),
    "apologize": (every({2, 4, 5, 6}, {"head"}), None),
    "draft-result": (every({4}, {"processing_officer", "head"}), None),
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
    roles_from, to_status = EXPECTED[action]
    statuses = set(roles_from)
    if status in statuses and role in roles_from[status]:
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
        "draft-result",
    ]
    # The desk may close a withdrawal but not stop processing.
    assert "stop" not in tt.available_actions(tt.PROCESSING, {"desk_officer"})
    assert "stop" in tt.available_actions(tt.WITHDRAWAL_REQUESTED, {"desk_officer"})
    assert tt.available_actions(tt.SUBMITTED, {"citizen"}) == ["withdraw"]
    assert tt.available_actions(tt.DECIDED, {"desk_officer"}) == ["return"]


def test_supplement_resumes_where_the_dossier_was():
    assert tt.resume_status(tt.PROCESSING) == tt.PROCESSING
    assert tt.resume_status(tt.SUBMITTED) == tt.SUBMITTED  # back to the desk's queue
    assert tt.resume_status(tt.NEW) == tt.RECEIVED  # an incomplete counter dossier is received then
    assert tt.supplement_needs(tt.RECEIVED) == ("receive", tt.NEW)
    assert tt.supplement_needs(tt.PROCESSING) is None and tt.supplement_needs(tt.SUBMITTED) is None


def test_the_module_is_pure():
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(tt.__file__).read_text())
    imported = {n.names[0].name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"__future__", "dataclasses"}
