"""The rules of an assigned task (nhiệm vụ được giao), pure: no Django, tested exhaustively.

One table says which action may move a task from which status to which, and which side takes it: the
lead unit (đơn vị chủ trì) reports progress, asks for more time and reports completion; the assigning
unit (đơn vị giao) grants or refuses the extension and accepts the completion or sends it back.

Deadlines are dates (hạn hoàn thành): a task done on a day before its deadline is early, on the day on
time, after it late, like a dossier's verdict (domain.md §6: "early when strictly before, by day").
The verdict is judged against the deadline in force: an extension granted on or before the deadline
moves it (the original is kept); once the deadline has passed an extension can no longer be granted,
so a late task stays late. A task with no deadline has no verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Statuses.
OPEN = "open"  # being carried out (đang thực hiện)
COMPLETION_REPORTED = "completion_reported"  # completion reported, waiting for the assigner (chờ xác nhận)
DONE = "done"  # completion accepted (đã hoàn thành)
STATUSES = (OPEN, COMPLETION_REPORTED, DONE)

# Who acts.
LEAD = "lead"  # the lead unit's staff
ASSIGNER = "assigner"  # the assigning unit's heads and managers
SIDES = (LEAD, ASSIGNER)

# Actions (the names of the services and of the API's action URLs, with "-" for "_").
REPORT_PROGRESS = "report_progress"
REQUEST_EXTENSION = "request_extension"
GRANT_EXTENSION = "grant_extension"
REFUSE_EXTENSION = "refuse_extension"
REPORT_COMPLETION = "report_completion"
ACCEPT_COMPLETION = "accept_completion"
RETURN_COMPLETION = "return_completion"


@dataclass(frozen=True)
class Transition:
    side: str
    from_status: str
    to_status: str


# The table: action -> the statuses it may start from, the status it leads to, and who takes it.
TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    REPORT_PROGRESS: (Transition(LEAD, OPEN, OPEN),),
    REQUEST_EXTENSION: (Transition(LEAD, OPEN, OPEN),),
    GRANT_EXTENSION: (Transition(ASSIGNER, OPEN, OPEN),),
    REFUSE_EXTENSION: (Transition(ASSIGNER, OPEN, OPEN),),
    REPORT_COMPLETION: (Transition(LEAD, OPEN, COMPLETION_REPORTED),),
    ACCEPT_COMPLETION: (Transition(ASSIGNER, COMPLETION_REPORTED, DONE),),
    RETURN_COMPLETION: (Transition(ASSIGNER, COMPLETION_REPORTED, OPEN),),
}
ACTIONS = tuple(TRANSITIONS)


def transition(action: str, status: str) -> Transition | None:
    """The row for this action from this status, or None when the action is not allowed there."""
    for row in TRANSITIONS.get(action, ()):
        if row.from_status == status:
            return row
    return None


def side_of(action: str) -> str | None:
    rows = TRANSITIONS.get(action)
    return rows[0].side if rows else None


def allowed_actions(status: str, sides) -> list[str]:
    """The actions someone acting for these sides may take on a task in this status."""
    sides = set(sides)
    return [a for a in ACTIONS if (row := transition(a, status)) is not None and row.side in sides]


# Verdicts.
EARLY = "early"
ON_TIME = "on_time"
LATE = "late"
VERDICTS = (EARLY, ON_TIME, LATE)


def verdict(due_on: date | None, finished_on: date | None) -> str | None:
    """Early / on time / late of a finished task against its deadline in force; None without either."""
    if due_on is None or finished_on is None:
        return None
    if finished_on < due_on:
        return EARLY
    if finished_on == due_on:
        return ON_TIME
    return LATE


def is_open_late(due_on: date | None, today: date, reported_on: date | None = None) -> bool:
    """An unfinished task is late from the day after its deadline, unless its completion was reported by
    the deadline and waits for the assigner's answer: waiting for the assigner is not lateness."""
    if due_on is None or today <= due_on:
        return False
    return not (reported_on is not None and reported_on <= due_on)


def extension_may_be_granted(due_on: date | None, on: date) -> bool:
    """An extension moves the deadline only while it has not passed: granted on or before the due date."""
    return due_on is not None and on <= due_on


def deadline_problem(assigned_on: date, due_on: date | None) -> str | None:
    """Why a deadline cannot be set, as a code, or None when it can (no deadline is allowed)."""
    if due_on is not None and due_on < assigned_on:
        return "deadline_before_assignment"
    return None


def extension_problem(current_due_on: date | None, proposed: date | None) -> str | None:
    """Why an extension to `proposed` cannot be asked for, as a code, or None."""
    if current_due_on is None:
        return "no_deadline"
    if proposed is None:
        return "required"
    if proposed <= current_due_on:
        return "not_later"
    return None


def percent_problem(value) -> str | None:
    if type(value) is not int or not 0 <= value <= 100:
        return "invalid_percent"
    return None
