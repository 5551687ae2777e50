"""Every write to a dossier: one function per domain action, each the whole action in one transaction.

Each action locks the dossier row, asks the transition table (`dossiers.transitions`), checks the
optional `expected_version` (optimistic concurrency: a stale screen gets 409, nothing changes), writes the
change, bumps `version`, writes one timeline event and the notices, all in the same transaction: an action
that fails leaves no event and no notice behind.

Services take model instances and plain values and return the (fresh) dossier; a caller must use the
returned object, not the one it passed in. `at` (where offered) records an action that happened earlier on
paper (entering a backlog after an outage, the demo data): never in the future.

The rooms, by group of actions (docs/architecture.md has the map):

- `base`: the lock and version check, the clock, the timeline event, the step and schedule helpers;
- `intake`: `intake` at the counter, `submit_online`, the applicant's and the components' checks;
- `routing`: `receive`, `transfer` (liên thông), `assign`;
- `supplements`: `request_supplement`, `supplement_received`;
- `payment`: `request_payment`, `confirm_payment`;
- `closing`: `draft_result`, `decide`, `return_result`, `refuse`, `withdraw`, `stop`;
- `apology`: `apologize` (form 04);
- `boundary_free`: a boundary-free dossier (phi địa giới) taken at any desk of the province for the
  competent agency (`receive_across_boundaries`, reached through `intake`).

The rules both these actions and the reads ask (roles, the current step, where a supplemented dossier
resumes, …) are pure, in `dossiers.rules`. This package re-exports the names other code uses, so a caller
writes `from dossiers import services` and `services.intake(...)`.
"""

from ..rules import DESK_ONLY_ACTIONS, current_step, step_holding
from ..selectors import roles_for, staff_pairs

# "Staff of this agency may see this dossier" for a hand-over that is not a step (boundary-free intake):
# the visibility fact's one write by hand; intake, steps and routing are granted by PostgreSQL itself.
from ..visibility import grant_visibility
from .apology import _apologize, apologize
from .base import (
    ACTION_LABELS,
    CLOSED_STEP_STATUSES,
    _check,
    _clock,
    _due_soon_from,
    _event,
    _finish_dossier,
    _fmt,
    _lock,
    _now,
    _reset_flags,
    _save,
    _start_step,
    _steps,
    _when,
    verdict_for,
)
from .closing import decide, draft_result, refuse, return_result, stop, withdraw
from .intake import (
    INTAKE_OUTCOMES,
    CleanComponent,
    agency_staff,
    clean_applicant,
    competent_agencies,
    insert_new_dossier,
    intake,
    performs,
    receive_across_boundaries,
    submit_online,
)
from .payment import confirm_payment, request_payment
from .routing import assign, receive, transfer
from .supplements import request_supplement, resume_target, supplement_received

# The actions by their API name; the API and the screens dispatch through it.
ACTIONS = {
    "receive": receive,
    "refuse": refuse,
    "transfer": transfer,
    "assign": assign,
    "request-supplement": request_supplement,
    "supplement": supplement_received,
    "request-payment": request_payment,
    "confirm-payment": confirm_payment,
    "decide": decide,
    "return": return_result,
    "withdraw": withdraw,
    "stop": stop,
    "apologize": _apologize,
    "draft-result": draft_result,
}

__all__ = [
    "ACTIONS", "ACTION_LABELS", "CLOSED_STEP_STATUSES", "DESK_ONLY_ACTIONS", "INTAKE_OUTCOMES", "CleanComponent",
    "_check", "_clock", "_due_soon_from", "_event", "_finish_dossier", "_fmt", "_lock", "_now", "_reset_flags",
    "_save", "_start_step", "_steps", "_when",
    "agency_staff", "apologize", "assign", "clean_applicant", "competent_agencies", "confirm_payment",
    "current_step", "decide",
    "draft_result", "grant_visibility", "insert_new_dossier", "intake", "performs", "receive", "receive_across_boundaries", "refuse", "request_payment", "request_supplement",
    "resume_target", "return_result", "roles_for", "staff_pairs", "step_holding", "stop", "submit_online",
    "supplement_received", "transfer", "verdict_for", "withdraw",
]
