"""The feedback and booking transition tables, exhaustively: every action from every state for every set
of roles, against the rules written out independently below."""

from itertools import chain, combinations

import pytest

from citizens import transitions as tt
from citizens.models import BookingStatus, FeedbackStatus

ROLES = sorted(tt.STAFF_ROLES | {tt.SUBMITTER, tt.OWNER, tt.SYSTEM})
ROLE_SETS = [frozenset(c) for c in chain.from_iterable(combinations(ROLES, n) for n in range(3))]

# The rules as a person would say them: (action, from state) -> (to state, who).
HANDLERS = {"desk_officer", "processing_officer", "head"}
FEEDBACK_RULES = {
    ("submit", tt.NEW): ("received", {"submitter"}),
    ("refuse", "received"): ("refused", HANDLERS),
    ("request-info", "received"): ("needs_info", HANDLERS),
    ("reply-info", "needs_info"): ("received", {"submitter"}),
    ("answer", "received"): ("answered", HANDLERS),
    ("answer", "needs_info"): ("answered", HANDLERS),
    ("publish", "answered"): ("answered", HANDLERS),
    ("unpublish", "answered"): ("answered", HANDLERS),
    ("rate-answer", "answered"): ("answered", {"submitter"}),
}
BOOKING_RULES = {
    ("book", tt.NEW): ("booked", {"owner"}),
    ("cancel", "booked"): ("cancelled", {"owner", "desk_officer", "head"}),
    ("remind", "booked"): ("booked", {"system"}),
}
CASES = [(tt.FEEDBACK, FEEDBACK_RULES), (tt.BOOKING, BOOKING_RULES)]


def test_the_states_are_the_models_statuses():
    assert tt.FEEDBACK.states == set(FeedbackStatus.values)
    assert tt.BOOKING.states == set(BookingStatus.values)
    assert tt.OPEN_FEEDBACK == {FeedbackStatus.RECEIVED, FeedbackStatus.NEEDS_INFO}


@pytest.mark.parametrize("table,rules", CASES, ids=["feedback", "booking"])
def test_every_action_from_every_state_for_every_role_set(table, rules):
    assert {action for action, _ in rules} == set(table.actions)
    for action in table.actions:
        for state in sorted(table.states | {tt.NEW}):
            for roles in ROLE_SETS:
                rule = rules.get((action, state))
                if rule is None:
                    with pytest.raises(tt.TransitionError) as exc:
                        table.check(action, state, roles)
                    assert exc.value.kind == "state"
                    continue
                to_state, who = rule
                if roles & who:
                    table.check(action, state, roles)
                    assert table.next_state(action, state) == to_state
                    assert action in table.available(state, roles)
                else:
                    with pytest.raises(tt.TransitionError) as exc:
                        table.check(action, state, roles)
                    assert exc.value.kind == "role"
                    assert action not in table.available(state, roles)


@pytest.mark.parametrize("table", [tt.FEEDBACK, tt.BOOKING], ids=["feedback", "booking"])
def test_unknown_actions_are_refused(table):
    with pytest.raises(tt.TransitionError) as exc:
        table.check("delete", next(iter(table.states)), tt.STAFF_ROLES)
    assert exc.value.kind == "unknown_action"


def test_closed_feedback_and_cancelled_bookings_take_no_action_but_reading():
    everyone = frozenset(ROLES)
    assert tt.FEEDBACK.available("refused", everyone) == []
    assert tt.BOOKING.available("cancelled", everyone) == []
    # An answered feedback only changes its publication and gets the submitter's rating.
    assert set(tt.FEEDBACK.available("answered", everyone)) == {"publish", "unpublish", "rate-answer"}


def test_managers_and_administrators_oversee_but_act_on_no_record():
    overseers = {"manager", "administrator"}
    for table in (tt.FEEDBACK, tt.BOOKING):
        for state in table.states | {tt.NEW}:
            assert table.available(state, overseers) == []


ALL_ROLE_SETS = [frozenset(c) for c in chain.from_iterable(combinations(ROLES, n) for n in range(len(ROLES) + 1))]


@pytest.mark.parametrize("table", [tt.FEEDBACK, tt.BOOKING], ids=["feedback", "booking"])
def test_whatever_is_available_to_any_set_of_roles_leads_to_a_known_state(table):
    for state in table.states | {tt.NEW}:
        for roles in ALL_ROLE_SETS:
            for action in table.available(state, roles):
                assert table.next_state(action, state) in table.states


def test_roles_towards_a_record():
    assert tt.feedback_roles(is_submitter=True, agency_roles=()) == {"submitter"}
    assert tt.feedback_roles(is_submitter=False, agency_roles={"head"}) == {"head"}
    assert tt.booking_roles(is_owner=True, agency_roles={"desk_officer"}) == {"owner", "desk_officer"}
    assert tt.booking_roles(is_owner=False, agency_roles=()) == frozenset()
