"""The pure rule of who may finish the step being worked on (`transitions.holds_step`,
`transitions.check_finish_step`), checked over every combination of a small world (issue 9, row 6)."""

import itertools

import pytest

from dossiers import transitions as tt

ACTOR, OTHER = 1, 2
AGENCIES = (10, 20)
ROLES = (tt.DESK_OFFICER, tt.PROCESSING_OFFICER, tt.HEAD)
DEPARTMENTS = (None, 100, 200)
PEOPLE = (None, ACTOR, OTHER)
# Every membership the actor may hold: (agency, role, department or None).
UNIVERSE = [(a, r, d) for a in AGENCIES for r in (tt.DESK_OFFICER, tt.PROCESSING_OFFICER, tt.HEAD, tt.MANAGER)
            for d in (None, 100, 200)]


def oracle(step, memberships, superuser):
    """The rule as the issue words it: the assignee, or an officer of the step's agency (and department)
    with the role the step needs; otherwise 'repeat' for the one who handed it over, 'holder' for others."""
    if superuser or step.assignee == ACTOR:
        return None
    fits = [m for m in memberships if m[0] == step.agency and m[1] == step.role
            and (step.department is None or m[2] in (None, step.department))]
    if fits:
        return None
    return "repeat" if step.handed_by == ACTOR else "holder"


def steps():
    for agency, role, department, assignee, handed_by in itertools.product(AGENCIES, ROLES, DEPARTMENTS, PEOPLE,
                                                                            PEOPLE):
        yield tt.StepHolding(agency=agency, role=role, department=department, assignee=assignee,
                             handed_by=handed_by)


def membership_sets():
    yield ()
    yield from ((m,) for m in UNIVERSE)
    yield from itertools.combinations(UNIVERSE[:12], 2)


def outcome(step, memberships, superuser):
    try:
        tt.check_finish_step("transfer", step, ACTOR, memberships, superuser=superuser)
    except tt.TransitionError as exc:
        assert exc.action == "transfer"
        return exc.kind
    return None


def test_every_step_against_every_small_set_of_memberships():
    checked = 0
    for step in steps():
        for memberships in membership_sets():
            for superuser in (False, True):
                assert outcome(step, memberships, superuser) == oracle(step, memberships, superuser), (
                    step, memberships, superuser)
                assert tt.holds_step(step, ACTOR, memberships, superuser=superuser) == (
                    oracle(step, memberships, superuser) is None)
                checked += 1
    assert checked > 25_000


def test_no_step_being_worked_on_needs_no_holder():
    tt.check_finish_step("transfer", None, ACTOR, ())


@pytest.mark.parametrize("handed_by, kind", [(ACTOR, "repeat"), (OTHER, "holder"), (None, "holder")])
def test_the_desk_sending_transfer_again_is_a_repeat_not_a_second_hand_over(handed_by, kind):
    appraisal = tt.StepHolding(agency=10, role=tt.PROCESSING_OFFICER, assignee=OTHER, handed_by=handed_by)
    desk = [(10, tt.DESK_OFFICER, None)]
    with pytest.raises(tt.TransitionError) as info:
        tt.check_finish_step("transfer", appraisal, ACTOR, desk)
    assert info.value.kind == kind


def test_the_head_does_not_hold_the_officers_step_nor_the_officer_the_heads():
    appraisal = tt.StepHolding(agency=10, role=tt.PROCESSING_OFFICER)
    approval = tt.StepHolding(agency=10, role=tt.HEAD)
    assert not tt.holds_step(appraisal, ACTOR, [(10, tt.HEAD, None)])
    assert not tt.holds_step(approval, ACTOR, [(10, tt.PROCESSING_OFFICER, None)])
    assert tt.holds_step(approval, ACTOR, [(10, tt.HEAD, None)])
    # At another agency the same role holds nothing (liên thông steps are the other agency's).
    assert not tt.holds_step(approval, ACTOR, [(20, tt.HEAD, None)])


def test_departments():
    step = tt.StepHolding(agency=10, role=tt.PROCESSING_OFFICER, department=100)
    assert tt.holds_step(step, ACTOR, [(10, tt.PROCESSING_OFFICER, 100)])
    assert tt.holds_step(step, ACTOR, [(10, tt.PROCESSING_OFFICER, None)])  # the whole agency
    assert not tt.holds_step(step, ACTOR, [(10, tt.PROCESSING_OFFICER, 200)])
    assert tt.holds_step(tt.StepHolding(agency=10, role=tt.PROCESSING_OFFICER, department=100, assignee=ACTOR),
                         ACTOR, [(10, tt.PROCESSING_OFFICER, 200)])
