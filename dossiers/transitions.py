"""The one table of which action may move a dossier from which status to which, and who may do it.

Pure: imports nothing from Django, so every service, screen and API asks the same table and the table is
tested exhaustively in milliseconds. Statuses are the national portal's codes (domain.md §4); `NEW` (0)
stands for "no dossier yet", the state a submission or a counter intake starts from.

Roles are the staff roles of `organisation.models.Role` plus `citizen`, the owner of an online dossier.
Which agency a role must be held at is the services' business (`dossiers.services.roles_for`): the
receiving desk for desk work, the agency holding the current step for processing.
"""

from __future__ import annotations

from dataclasses import dataclass

NEW = 0
SUBMITTED, RECEIVED, REFUSED, PROCESSING, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED = 1, 2, 3, 4, 5, 6
WITHDRAWAL_REQUESTED, STOPPED, DECIDED, RETURNED = 7, 8, 9, 10

ALL_STATUSES = frozenset(range(1, 11))
# A dossier still in the administration's hands: the applicant may withdraw it.
OPEN_STATUSES = frozenset({SUBMITTED, RECEIVED, PROCESSING, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED})
# No action but reading is possible any more.
CLOSED_STATUSES = frozenset({REFUSED, STOPPED, RETURNED})

DESK_OFFICER = "desk_officer"
PROCESSING_OFFICER = "processing_officer"
HEAD = "head"
MANAGER = "manager"
ADMINISTRATOR = "administrator"
CITIZEN = "citizen"
STAFF_ROLES = frozenset({DESK_OFFICER, PROCESSING_OFFICER, HEAD, MANAGER, ADMINISTRATOR})
ALL_ROLES = STAFF_ROLES | {CITIZEN}


@dataclass(frozen=True)
class Transition:
    """One row of the table: from which statuses, to which, and who may do it from each of them."""

    to_status: int | None  # None: the status does not change
    # Roles per starting status: the same action may need another role depending on where it starts
    # (stopping processing is the head's decision; closing a withdrawal is also the desk's work).
    roles_from: dict[int, frozenset[str]]

    @property
    def from_statuses(self) -> frozenset[int]:
        return frozenset(self.roles_from)

    @property
    def roles(self) -> frozenset[str]:
        """Every role that may take the action from some status."""
        return frozenset().union(*self.roles_from.values())

    def roles_at(self, status: int) -> frozenset[str]:
        return self.roles_from.get(status, frozenset())


def _t(from_statuses, to_status, roles, *, only=None) -> Transition:
    """A row: `roles` may act from every status of `from_statuses`, except where `only` ({status: roles})
    names other roles for one of them."""
    roles_from = {status: frozenset(roles) for status in from_statuses}
    for status, special in (only or {}).items():
        if status not in roles_from:
            raise ValueError(f"status {status} is not a starting status of this transition")
        roles_from[status] = frozenset(special)
    return Transition(to_status, roles_from)


STAFF_WORK = frozenset({DESK_OFFICER, PROCESSING_OFFICER, HEAD})

# Managers and administrators oversee and report; they act on no dossier (a superuser holds every role).
TRANSITIONS: dict[str, Transition] = {
    # A citizen's online submission (also a desk officer entering one for them on the portal).
    "submit": _t({NEW}, SUBMITTED, {CITIZEN, DESK_OFFICER}),
    # Counter intake (NEW → 2) or receipt of an online dossier (1 → 2): code, appointment, steps.
    "receive": _t({NEW, SUBMITTED}, RECEIVED, {DESK_OFFICER}),
    # At the counter (NEW → 3: the desk records the dossier it refuses, form 03), an online submission
    # (1 → 3) or after appraisal (4 → 3), always with reasons.
    "refuse": _t({NEW, SUBMITTED, PROCESSING}, REFUSED, STAFF_WORK, only={NEW: {DESK_OFFICER}}),
    # 2 → 4 to the first processing step; 4 → 4 hands over to the next step or another agency (liên thông).
    "transfer": _t({RECEIVED, PROCESSING}, PROCESSING, STAFF_WORK),
    # The head gives the current step to an officer; the status does not change.
    "assign": _t({RECEIVED, PROCESSING, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED}, None, {HEAD}),
    # An incomplete dossier at the counter (NEW → 5: recorded with its code, form 02, the clock not
    # started), the one complete notice for an incomplete online dossier (1 → 5), or after appraisal (4 → 5).
    "request-supplement": _t({NEW, SUBMITTED, PROCESSING}, SUPPLEMENT_REQUESTED, STAFF_WORK,
                             only={NEW: {DESK_OFFICER}}),
    # The missing documents arrive: usually back to 4; where exactly is `resume_status`'s answer, and
    # completing a dossier never received is its receipt, which takes the roles of "receive" too.
    "supplement": _t({SUPPLEMENT_REQUESTED}, PROCESSING, STAFF_WORK | {CITIZEN}),
    "request-payment": _t({PROCESSING}, PAYMENT_REQUESTED, STAFF_WORK),
    "confirm-payment": _t({PAYMENT_REQUESTED}, PROCESSING, STAFF_WORK),
    # The head approves the result.
    "decide": _t({PROCESSING}, DECIDED, {HEAD}),
    # Only the receiving desk returns the result (the higher agency returns it to that desk first).
    "return": _t({DECIDED}, RETURNED, {DESK_OFFICER}),
    "withdraw": _t(OPEN_STATUSES, WITHDRAWAL_REQUESTED, {CITIZEN, DESK_OFFICER}),
    # Stopping processing (4 → 8, with a reason) is the head's decision; closing a withdrawal (7 → 8) is
    # routine work the desk does too.
    "stop": _t({PROCESSING, WITHDRAWAL_REQUESTED}, STOPPED, {DESK_OFFICER, HEAD}, only={PROCESSING: {HEAD}}),
    # The apology letter (form 04) with a new appointment; the status does not change.
    "apologize": _t({RECEIVED, PROCESSING, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED}, None, {HEAD}),
    # The processing officer attaches a draft result for the head to approve; the status does not change.
    "draft-result": _t({PROCESSING}, None, {PROCESSING_OFFICER, HEAD}),
}

ACTION_NAMES = tuple(TRANSITIONS)


class TransitionError(Exception):
    """The table refuses: `kind` is "unknown_action", "status" (409 in the API) or "role" (403)."""

    def __init__(self, message: str, *, kind: str, action: str, status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.action = action
        self.status = status


def check(action: str, status: int, roles) -> Transition:
    """The transition `action` makes from `status` for someone holding `roles`, or TransitionError.

    The status is checked before the roles: an action the dossier's state forbids is forbidden for
    everyone, which is the clearer answer.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(f"unknown action {action!r}", kind="unknown_action", action=action, status=status)
    if status not in transition.from_statuses:
        raise TransitionError(
            f"action {action!r} is not allowed in status {status}", kind="status", action=action, status=status
        )
    needed = transition.roles_at(status)
    if not needed & frozenset(roles):
        raise TransitionError(
            f"action {action!r} from status {status} needs one of the roles {sorted(needed)}", kind="role",
            action=action, status=status,
        )
    return transition


def allowed(action: str, status: int, roles) -> bool:
    try:
        check(action, status, roles)
    except TransitionError:
        return False
    return True


def available_actions(status: int, roles) -> list[str]:
    """The actions someone holding `roles` may take on a dossier in `status`, in table order."""
    return [action for action in ACTION_NAMES if action != "submit" and allowed(action, status, roles)]


# Where a dossier goes when the missing documents arrive, by the status it was asked for them from:
# an incomplete counter dossier is received then (2, the clock starts), an online one returns to the
# desk's queue (1), a dossier in processing resumes (4).
RESUME_AFTER_SUPPLEMENT = {NEW: RECEIVED, SUBMITTED: SUBMITTED, PROCESSING: PROCESSING}


def resume_status(requested_from: int) -> int:
    """The status a dossier returns to when the supplement asked for from `requested_from` arrives."""
    return RESUME_AFTER_SUPPLEMENT.get(requested_from, PROCESSING)


def supplement_needs(resume_to: int) -> tuple[str, int] | None:
    """The further (action, status) whose roles the supplement needs: completing a dossier never received
    is its receipt (NEW → 2), the desk's work."""
    return ("receive", NEW) if resume_to == RECEIVED else None


# --- who holds a step -----------------------------------------------------------------------------
# The table above says which roles may take an action from a status; a hand-over (transfer) also
# finishes the step being worked on, and only its holder may finish it (issue 9, row 6: a desk that
# clicked "transfer" four times walked the dossier through the appraisal and the approval that belong to
# other officers). The services pass what they know of the step and the actor as plain values.


@dataclass(frozen=True)
class StepHolding:
    """The step being worked on, as ids: where it is, the role it needs, who has it and who handed it over."""

    agency: int
    role: str
    department: int | None = None
    assignee: int | None = None
    handed_by: int | None = None


def holds_step(step: StepHolding, actor: int, memberships, *, superuser: bool = False) -> bool:
    """Whether `actor` holds `step`: its assignee, or an officer holding the step's role at its agency (and,
    where the step names a department, in that department or in none: a membership without a department
    covers the whole agency). `memberships`: (agency, role, department or None) of the actor. A superuser
    holds every step."""
    if superuser or (step.assignee is not None and step.assignee == actor):
        return True
    for agency, role, department in memberships:
        if agency != step.agency or role != step.role:
            continue
        if step.department is None or department is None or department == step.department:
            return True
    return False


def check_finish_step(action: str, step: StepHolding | None, actor: int, memberships, *,
                      superuser: bool = False) -> None:
    """Whether `actor` may finish `step` by `action` (None: no step is being worked on, nothing to hold).

    TransitionError kind "repeat" (409 in the API) when the actor is not the holder but handed this very
    step over: the same hand-over sent again (a double click, a client's retry) finds it already done.
    Kind "holder" (403) for anyone else who does not hold it.
    """
    if step is None or holds_step(step, actor, memberships, superuser=superuser):
        return
    if step.handed_by is not None and step.handed_by == actor:
        raise TransitionError(f"action {action!r}: the step was already handed over by this actor",
                              kind="repeat", action=action)
    raise TransitionError(f"action {action!r}: the step is held by someone else", kind="holder", action=action)
