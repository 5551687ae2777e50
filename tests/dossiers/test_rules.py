"""The pure rules of `dossiers.rules`, exhaustively: no database, no Django."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers import rules
from dossiers import transitions as tt

AGENCIES = st.integers(min_value=1, max_value=4)
ROLES = st.sampled_from(sorted(tt.STAFF_ROLES))
PAIRS = st.sets(st.tuples(AGENCIES, ROLES), max_size=6)
ACTIONS = st.sampled_from([None, *tt.ACTION_NAMES])
USERS = st.integers(min_value=1, max_value=3)
# The machine may be busy: generation speed is not what these tests are about.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAYBE_USER = st.none() | USERS


def test_imports_nothing_from_django():
    tree = ast.parse(inspect.getsource(rules))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] in {"django", "rest_framework", "simple_history"}]


@RELAXED
@given(user=USERS, superuser=st.booleans(), pairs=PAIRS, citizen=MAYBE_USER, agency=AGENCIES,
       holding=st.none() | AGENCIES, action=ACTIONS)
def test_roles_held(user, superuser, pairs, citizen, agency, holding, action):
    roles = rules.roles_held(user_id=user, is_superuser=superuser, pairs=pairs, citizen_id=citizen,
                             agency_id=agency, holding_agency_id=holding, action=action)
    # The owner of an online dossier is its citizen, and only the owner.
    assert (tt.CITIZEN in roles) == (citizen == user)
    if superuser:
        assert roles - {tt.CITIZEN} == set(tt.STAFF_ROLES)
        return
    held_at = holding or agency
    expected = {role for a, role in pairs if a == agency and role == tt.DESK_OFFICER}
    if action not in rules.DESK_ONLY_ACTIONS:
        expected |= {role for a, role in pairs if a == held_at}
    assert roles - {tt.CITIZEN} == expected


@RELAXED
@given(pairs=PAIRS, agency=AGENCIES, holding=AGENCIES, action=st.sampled_from(sorted(rules.DESK_ONLY_ACTIONS)))
def test_desk_only_actions_count_only_the_receiving_desk(pairs, agency, holding, action):
    roles = rules.roles_held(user_id=1, is_superuser=False, pairs=pairs, citizen_id=None, agency_id=agency,
                             holding_agency_id=holding, action=action)
    assert roles <= {tt.DESK_OFFICER}
    assert (tt.DESK_OFFICER in roles) == ((agency, tt.DESK_OFFICER) in pairs)


@dataclass
class S:
    started_at: int | None
    finished_at: int | None
    agency_id: int = 1
    role: str = tt.PROCESSING_OFFICER
    department_id: int | None = None
    assignee_id: int | None = None
    handed_by_id: int | None = None


STEPS = st.lists(st.builds(S, st.none() | st.integers(0, 9), st.none() | st.integers(0, 9)), max_size=6)


@RELAXED
@given(steps=STEPS)
def test_current_step_is_the_latest_started_and_unfinished(steps):
    found = rules.current_step(steps)
    open_ones = [i for i, s in enumerate(steps) if s.started_at is not None and s.finished_at is None]
    if not open_ones:
        assert found is None
    else:
        assert found is steps[open_ones[-1]]


def test_step_holding_reads_the_step():
    step = S(started_at=1, finished_at=None, agency_id=7, role=tt.HEAD, department_id=3, assignee_id=9,
             handed_by_id=11)
    assert rules.step_holding(step) == tt.StepHolding(agency=7, role=tt.HEAD, department=3, assignee=9,
                                                      handed_by=11)


@RELAXED
@given(received=st.booleans(), recorded=st.none() | st.sampled_from(sorted(tt.ALL_STATUSES)))
def test_resume_target(received, recorded):
    target = rules.resume_target(received=received, recorded_resume_status=recorded)
    if recorded:
        assert target == recorded
    elif received:
        assert target == tt.PROCESSING
    else:
        assert target == tt.SUBMITTED


@RELAXED
@given(levels=st.lists(st.sampled_from(["commune", "district", "province", " province ", ""]), max_size=4),
       level=st.sampled_from(["commune", "district", "province"]))
def test_performed_at_level(levels, level):
    text = ",".join(levels)
    assert rules.performed_at_level(text, level) == (level in {lvl.strip() for lvl in levels})
    assert rules.performed_at_level(None, level) is False


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TIMES = st.none() | st.integers(-3, 3).map(lambda h: NOW + timedelta(hours=h))


@RELAXED
@given(status=st.sampled_from(sorted(tt.ALL_STATUSES)), late=st.booleans(), soon=st.booleans(),
       soon_at=TIMES, appointment=TIMES)
def test_apology_owed(status, late, soon, soon_at, appointment):
    owed = rules.apology_owed(status=status, is_late=late, is_due_soon=soon, due_soon_at=soon_at,
                              appointment_at=appointment, now=NOW)
    clock_passed = late or soon or (soon_at is not None and soon_at <= NOW) or (
        appointment is not None and appointment <= NOW)
    open_with_clock = status in {tt.RECEIVED, tt.PROCESSING, tt.SUPPLEMENT_REQUESTED, tt.PAYMENT_REQUESTED}
    assert owed == (open_with_clock and clock_passed)
