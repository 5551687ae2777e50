"""The transition tables of the citizens' portal's own records: feedback (phản ánh, kiến nghị) and desk
bookings. Like `dossiers.transitions`, one table per record says which action may move it from which
state to which, and who may take it from each state; the services ask the table before they change
anything, and the pages ask it which buttons to show.

Pure: imports nothing from Django. States are the values stored in the models' `status` fields
(`citizens.models.FeedbackStatus`, `BookingStatus`); `NEW` stands for "no record yet".

Roles are relative to the record, worked out by the services from who is asking:
- `submitter` / `owner`: the person who sent the feedback or made the booking (by account, or by the
  private link's token / the phone number the booking was made with);
- the staff roles of `organisation.models.Role`, held at the feedback's agency or the booking's desk's
  agency. Managers and administrators oversee (they see the inbox of the agencies below them) but act on
  no record, as with dossiers;
- `system`: the scheduled tasks (the day-before reminder).
"""

from __future__ import annotations

from dataclasses import dataclass

from dossiers.transitions import DESK_OFFICER, HEAD, PROCESSING_OFFICER, STAFF_ROLES  # noqa: F401 (STAFF_ROLES re-exported)

NEW = ""

# --- roles ---------------------------------------------------------------------------------------------
SUBMITTER = "submitter"
OWNER = "owner"
SYSTEM = "system"
# The staff roles are the dossiers' (one list of roles in the house).

# Who handles feedback at the agency: the desk triages and answers, the officers and the head too.
FEEDBACK_HANDLERS = frozenset({DESK_OFFICER, PROCESSING_OFFICER, HEAD})
# Who looks after the desk's appointments.
DESK_STAFF = frozenset({DESK_OFFICER, HEAD})


@dataclass(frozen=True)
class Transition:
    """One row: the state it leads to (None: unchanged) and the roles that may take it from each state."""

    to_state: str | None
    roles_from: dict[str, frozenset[str]]

    @property
    def from_states(self) -> frozenset[str]:
        return frozenset(self.roles_from)

    def roles_at(self, state: str) -> frozenset[str]:
        return self.roles_from.get(state, frozenset())


def _t(from_states, to_state, roles) -> Transition:
    return Transition(to_state, {state: frozenset(roles) for state in from_states})


class TransitionError(Exception):
    """The table refuses: `kind` is "unknown_action", "state" (409) or "role" (403)."""

    def __init__(self, message: str, *, kind: str, action: str, state: str):
        super().__init__(message)
        self.kind = kind
        self.action = action
        self.state = state


@dataclass(frozen=True)
class Table:
    """A record's states and the actions between them."""

    name: str
    states: frozenset[str]
    transitions: dict[str, Transition]

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def check(self, action: str, state: str, roles) -> Transition:
        """The row for `action` from `state` for someone holding `roles`, or TransitionError. The state is
        checked before the roles: what the record's state forbids is forbidden for everyone."""
        transition = self.transitions.get(action)
        if transition is None:
            raise TransitionError(f"{self.name}: unknown action {action!r}", kind="unknown_action", action=action,
                                  state=state)
        if state not in transition.from_states:
            raise TransitionError(f"{self.name}: {action!r} is not allowed in state {state!r}", kind="state",
                                  action=action, state=state)
        needed = transition.roles_at(state)
        if not needed & frozenset(roles):
            raise TransitionError(f"{self.name}: {action!r} from {state!r} needs one of {sorted(needed)}",
                                  kind="role", action=action, state=state)
        return transition

    def allowed(self, action: str, state: str, roles) -> bool:
        try:
            self.check(action, state, roles)
        except TransitionError:
            return False
        return True

    def available(self, state: str, roles) -> list[str]:
        """The actions someone holding `roles` may take from `state`, in table order."""
        return [action for action in self.transitions if self.allowed(action, state, roles)]

    def next_state(self, action: str, state: str) -> str:
        """Where `action` leads from `state` (the same state when the action changes none)."""
        to_state = self.transitions[action].to_state
        return state if to_state is None else to_state


# --- feedback (phản ánh, kiến nghị) ----------------------------------------------------------------------
RECEIVED, NEEDS_INFO, REFUSED, ANSWERED = "received", "needs_info", "refused", "answered"
FEEDBACK_STATES = frozenset({RECEIVED, NEEDS_INFO, REFUSED, ANSWERED})
# Still waiting for the agency or the submitter.
OPEN_FEEDBACK = frozenset({RECEIVED, NEEDS_INFO})

FEEDBACK = Table("feedback", FEEDBACK_STATES, {
    # Anyone may send feedback; whoever sends it is its submitter.
    "submit": _t({NEW}, RECEIVED, {SUBMITTER}),
    # Not accepted for handling, with the reason (due within 2 working days of receipt).
    "refuse": _t({RECEIVED}, REFUSED, FEEDBACK_HANDLERS),
    # Ask the submitter for more (within 5 working days); the answer clock waits for the reply.
    "request-info": _t({RECEIVED}, NEEDS_INFO, FEEDBACK_HANDLERS),
    # The submitter's additional information: back to the agency's queue, the answer clock restarts.
    "reply-info": _t({NEEDS_INFO}, RECEIVED, {SUBMITTER}),
    # The answer closes it, also while the agency still waits for information it asked for.
    "answer": _t(OPEN_FEEDBACK, ANSWERED, FEEDBACK_HANDLERS),
    # Publishing an answer on the portal, or taking it back.
    "publish": _t({ANSWERED}, None, FEEDBACK_HANDLERS),
    "unpublish": _t({ANSWERED}, None, FEEDBACK_HANDLERS),
    # The submitter's satisfaction with the answer (once: the service keeps the first).
    "rate-answer": _t({ANSWERED}, None, {SUBMITTER}),
})

# --- desk bookings ------------------------------------------------------------------------------------------
BOOKED, CANCELLED = "booked", "cancelled"
BOOKING_STATES = frozenset({BOOKED, CANCELLED})

BOOKING = Table("booking", BOOKING_STATES, {
    # A place in a slot, for a signed-in citizen or a name and phone number.
    "book": _t({NEW}, BOOKED, {OWNER}),
    # The owner gives the place back, or the desk cancels (the citizen is told).
    "cancel": _t({BOOKED}, CANCELLED, {OWNER} | DESK_STAFF),
    # The reminder the day before, once (the task keeps `reminder_sent_at`).
    "remind": _t({BOOKED}, None, {SYSTEM}),
})


def feedback_roles(*, is_submitter: bool, agency_roles) -> frozenset[str]:
    """The roles someone holds towards one feedback: submitter, and the staff roles at its agency."""
    return frozenset(agency_roles) | ({SUBMITTER} if is_submitter else frozenset())


def booking_roles(*, is_owner: bool, agency_roles) -> frozenset[str]:
    """The roles someone holds towards one booking: owner, and the staff roles at its desk's agency."""
    return frozenset(agency_roles) | ({OWNER} if is_owner else frozenset())
