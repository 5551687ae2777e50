"""The two ways the supplement rounds (bổ sung hồ sơ) move a dossier's due time (domain.md §3).

* Decree 61/2018 (the portal's default): when the complete dossier arrives the clock **restarts**:
  the new appointment is the full time limit counted from the last reply.
* The national portal's statistics (DVCQG): the original due time is **extended by the working time
  spent waiting** for the applicant, and a **second** (or later) supplement request makes the
  dossier count as late in its figures, whatever the dates say.

Only the facts are stored on a dossier (each round's request and reply time); this module derives
both results from them, so a report can use either. Pure: imports nothing from Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from .clock import (
    DEFAULT_SAME_DAY_CUTOFF,
    ClockError,
    Unit,
    WorkCalendar,
    add_working_seconds,
    compute_appointment,
    working_seconds_between,
)

__all__ = ["SupplementDeadlines", "SupplementRound", "supplement_deadlines"]


@dataclass(frozen=True)
class SupplementRound:
    """One supplement request and the applicant's reply (None while the desk is still waiting)."""

    requested_at: datetime
    replied_at: datetime | None = None


@dataclass(frozen=True)
class SupplementDeadlines:
    """Both readings of a dossier's due time after its supplement rounds.

    ``restart_due_at`` and ``portal_due_at`` are None while a round is unanswered: the clock is
    stopped and no due time exists yet.
    """

    original_due_at: datetime
    restart_due_at: datetime | None
    portal_due_at: datetime | None
    paused_seconds: int
    rounds: int
    waiting: bool
    portal_late_by_second_request: bool

    @property
    def due_at(self) -> datetime | None:
        """The due time under the default rule (Decree 61 restart)."""
        return self.restart_due_at


def _rounds(rounds: Iterable) -> list[SupplementRound]:
    out = []
    for r in rounds:
        if not isinstance(r, SupplementRound):
            requested, replied = r
            r = SupplementRound(requested, replied)
        if not isinstance(r.requested_at, datetime) or (
            r.replied_at is not None and not isinstance(r.replied_at, datetime)
        ):
            raise ClockError("supplement rounds need datetimes", code="invalid_rounds")
        if r.replied_at is not None and r.replied_at < r.requested_at:
            raise ClockError(
                f"a supplement reply ({r.replied_at.isoformat()}) precedes its request "
                f"({r.requested_at.isoformat()})",
                code="invalid_rounds",
            )
        out.append(r)
    out.sort(key=lambda r: r.requested_at)
    if any(r.replied_at is None for r in out[:-1]):
        raise ClockError("only the last supplement round may be unanswered", code="invalid_rounds")
    return out


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def supplement_deadlines(
    received_at: datetime,
    amount,
    unit: Unit | str,
    calendar: WorkCalendar,
    rounds: Iterable[SupplementRound | tuple[datetime, datetime | None]],
    *,
    same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF,
) -> SupplementDeadlines:
    """The due time of a dossier under both supplement rules.

    ``rounds`` are (requested_at, replied_at or None) in any order; only the last may be open.
    Waiting before ``received_at`` is ignored and overlapping rounds count once.
    Raises ClockError (``code="invalid_rounds"`` for inconsistent rounds).
    """
    original = compute_appointment(received_at, amount, unit, calendar, same_day_cutoff=same_day_cutoff)
    rs = _rounds(rounds)
    waiting = bool(rs) and rs[-1].replied_at is None
    closed = [(max(r.requested_at, received_at), r.replied_at) for r in rs if r.replied_at is not None]
    paused = sum(
        working_seconds_between(a, b, calendar) for a, b in _merged([(a, b) for a, b in closed if b > a])
    )
    if waiting:
        restart_due = portal_due = None
    elif rs:
        last_reply = max(r.replied_at for r in rs)
        restart_due = compute_appointment(
            last_reply, amount, unit, calendar, same_day_cutoff=same_day_cutoff
        ).appointment_at
        portal_due = add_working_seconds(original.appointment_at, paused, calendar)
    else:
        restart_due = portal_due = original.appointment_at
    return SupplementDeadlines(
        original_due_at=original.appointment_at,
        restart_due_at=restart_due,
        portal_due_at=portal_due,
        paused_seconds=paused,
        rounds=len(rs),
        waiting=waiting,
        portal_late_by_second_request=len(rs) >= 2,
    )
