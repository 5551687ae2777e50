"""The rules the services and the screens both ask: who holds which role on a dossier, which step is being
worked on, where a supplemented dossier resumes, whether an agency performs a procedure, whether the
apology is owed.

Pure: imports nothing from Django (like `dossiers.transitions`, whose table these rules feed). The facts
come in as plain values or as objects read by attribute (a model instance, or anything shaped like one):
the caller loads them, these functions never query. The services (`dossiers.services`) and the reads
(`dossiers.selectors`) keep the thin adapters that hand models in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from . import transitions as tt

# Actions whose roles count only at the receiving agency's desk; the others also count at the agency
# holding the dossier's current step (liên thông).
DESK_ONLY_ACTIONS = frozenset({"submit", "receive", "return", "withdraw"})

# The statuses in which the apology (form 04) may be issued: open and with the clock running.
APOLOGY_STATUSES = (tt.RECEIVED, tt.PROCESSING, tt.SUPPLEMENT_REQUESTED, tt.PAYMENT_REQUESTED)


def roles_held(*, user_id: int | None, is_superuser: bool, pairs: Iterable[tuple[int, str]], citizen_id: int | None,
               agency_id: int, holding_agency_id: int | None, action: str | None = None) -> set[str]:
    """The roles a signed-in user holds for `action` on a dossier.

    `pairs`: the user's (agency id, role) memberships; `agency_id`: the receiving agency;
    `holding_agency_id`: the agency holding the current step (None: the receiving one). A desk officer of
    the receiving agency always counts (the desk receives supplements, fees and the result even while a
    province department holds the dossier); other roles count at the holding agency, except for the
    desk-only actions. The owner of an online dossier is `citizen`; a superuser holds every staff role.
    """
    roles: set[str] = set()
    if citizen_id is not None and citizen_id == user_id:
        roles.add(tt.CITIZEN)
    if is_superuser:
        return roles | set(tt.STAFF_ROLES)
    holding = holding_agency_id or agency_id
    for pair_agency, role in pairs:
        if pair_agency == agency_id and role == tt.DESK_OFFICER:
            roles.add(role)
        if action not in DESK_ONLY_ACTIONS and pair_agency == holding:
            roles.add(role)
    return roles


def current_step(steps):
    """The step being worked on among `steps` (in order): started, not finished (the latest such one)."""
    open_steps = [s for s in steps if s.started_at is not None and s.finished_at is None]
    return open_steps[-1] if open_steps else None


def step_holding(step) -> tt.StepHolding:
    """Who holds `step`, as the transition table's `holds_step` reads it."""
    return tt.StepHolding(agency=step.agency_id, role=step.role, department=step.department_id,
                          assignee=step.assignee_id, handed_by=step.handed_by_id)


def resume_target(*, received: bool, recorded_resume_status: int | None) -> int:
    """Where the dossier goes when the documents arrive: as recorded with the open round, else (a round
    asked for before that was recorded) as the services did then."""
    if recorded_resume_status:
        return recorded_resume_status
    return tt.resume_status(tt.PROCESSING if received else tt.SUBMITTED)


def performed_at_level(agency_levels: str | None, level: str) -> bool:
    """Whether a procedure performed at `agency_levels` (comma-separated) is performed at `level`; an
    agency may also be named among the procedure's agencies (the caller's question)."""
    levels = {lvl.strip() for lvl in (agency_levels or "").split(",") if lvl.strip()}
    return level in levels


def apology_owed(*, status: int, is_late: bool, is_due_soon: bool, due_soon_at: datetime | None,
                 appointment_at: datetime | None, now: datetime) -> bool:
    """Whether the head may issue the apology now: open, late or past its due-soon point.

    Read from the current deadline as well as the sweep's flags, so a head need not wait for the next
    sweep; and not from `apology_opened_at`, which stays set after a supplement round restarted the clock.
    """
    if status not in APOLOGY_STATUSES:
        return False
    return bool(
        is_late
        or is_due_soon
        or (due_soon_at and due_soon_at <= now)
        or (appointment_at and appointment_at <= now)
    )
