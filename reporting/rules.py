"""The time rules of the managers' figures (domain.md §6), one dossier at a time, as pure functions.

No Django, no database: the selectors express the same rules in SQL (`reporting/selectors.py`) and
tests/reporting/test_rules_sql.py checks the two agree on every fixture; tests/reporting/test_rules.py
tables every case here.

The facts of a dossier (stored on its row and its supplement rounds):
- ``receipt_due_at``: the appointment on the receipt, restarted by the last supplement reply (Decree 61);
  an apology never moves it;
- ``portal_due_at``: the receipt's first appointment plus the working time spent waiting for the applicant
  (the national portal's reading, formula 2.1); the services keep it;
- ``rounds``: each supplement request and reply made after the dossier was received;
- the apology's issue time and new date, if one was issued.

The two readings of a dossier at a moment ``end`` (the end of a reporting period):
- the desk's own (Decree 61): finished → early / on time / late against ``receipt_due_at``; open and waiting
  for a supplement requested by its due time → "waiting" (never late while it waits); else open → in time
  or late against ``receipt_due_at``;
- the national one (2.1): more than one supplement request → late; finished → on time when finished by
  ``portal_due_at``; open and waiting → judged at the request time; else open → against ``portal_due_at``.

Which dossiers a period counts: "received" by receipt time; "finished" by finish time, whenever received;
"open" at the period's end (received before it, not finished by it); the progress indicator counts those
"processed": finished in it plus open at its end.

The apology is its own fact: "late and apologised", then "new date kept" (finished by the new date),
"missed" (finished after it, or still open after it) or "pending" (open, the new date still ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

EARLY, ON_TIME, LATE = "early", "on_time", "late"
PENDING_IN_TIME, PENDING_LATE, WAITING = "pending_in_time", "pending_late", "waiting"
KEPT, MISSED, PENDING = "kept", "missed", "pending"

# States that count as "early, on time or still within time" in each reading.
IN_TIME_STATES = frozenset({EARLY, ON_TIME, PENDING_IN_TIME, WAITING})
LATE_STATES = frozenset({LATE, PENDING_LATE})


@dataclass(frozen=True)
class Round:
    """A supplement round after receipt: requested, and replied (None while the desk waits)."""

    requested_at: datetime
    replied_at: datetime | None = None


@dataclass(frozen=True)
class Facts:
    received_at: datetime | None
    receipt_due_at: datetime | None = None
    portal_due_at: datetime | None = None
    finished_at: datetime | None = None
    rounds: tuple[Round, ...] = ()
    apology_issued_at: datetime | None = None
    apology_new_at: datetime | None = None


def verdict(finished_at: datetime, due_at: datetime | None, tz: tzinfo) -> str:
    """On time when finished by the due time; early when on an earlier (local) day; else late."""
    if due_at is None:
        return ON_TIME
    if finished_at > due_at:
        return LATE
    if finished_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return EARLY
    return ON_TIME


def received_by(f: Facts, end: datetime) -> bool:
    return f.received_at is not None and f.received_at < end


def finished_by(f: Facts, end: datetime) -> bool:
    return received_by(f, end) and f.finished_at is not None and f.finished_at < end


def open_at(f: Facts, end: datetime) -> bool:
    return received_by(f, end) and not finished_by(f, end)


def waiting_round(f: Facts, end: datetime) -> Round | None:
    """The round the dossier was waiting on at ``end`` (requested before it, not replied by it)."""
    for r in f.rounds:
        if r.requested_at < end and (r.replied_at is None or r.replied_at >= end):
            return r
    return None


def rounds_by(f: Facts, end: datetime) -> int:
    return sum(1 for r in f.rounds if r.requested_at < end)


def desk_state(f: Facts, end: datetime, tz: tzinfo) -> str | None:
    """The desk's own reading (Decree 61 restart) of the dossier as it stood at ``end``; None if not received."""
    if not received_by(f, end):
        return None
    if finished_by(f, end):
        return verdict(f.finished_at, f.receipt_due_at, tz)
    waiting = waiting_round(f, end)
    if waiting is not None:
        if f.receipt_due_at is None or waiting.requested_at <= f.receipt_due_at:
            return WAITING
        return PENDING_LATE
    if f.receipt_due_at is not None and f.receipt_due_at < end:
        return PENDING_LATE
    return PENDING_IN_TIME


def national_state(f: Facts, end: datetime, tz: tzinfo) -> str | None:
    """The national portal's reading (formula 2.1) at ``end``; None if not received."""
    if not received_by(f, end):
        return None
    finished = finished_by(f, end)
    if rounds_by(f, end) >= 2:
        return LATE if finished else PENDING_LATE
    if finished:
        return verdict(f.finished_at, f.portal_due_at, tz)
    waiting = waiting_round(f, end)
    if waiting is not None:
        # Judged at the moment the supplement was requested.
        if f.portal_due_at is None or waiting.requested_at <= f.portal_due_at:
            return PENDING_IN_TIME
        return PENDING_LATE
    if f.portal_due_at is not None and f.portal_due_at < end:
        return PENDING_LATE
    return PENDING_IN_TIME


def apology_outcome(f: Facts, end: datetime) -> str | None:
    """Kept / missed / pending for a dossier apologised before ``end``; None without an apology then."""
    if f.apology_issued_at is None or f.apology_issued_at >= end or not received_by(f, end):
        return None
    if finished_by(f, end):
        return KEPT if f.finished_at <= f.apology_new_at else MISSED
    return MISSED if f.apology_new_at < end else PENDING


def membership(f: Facts, start: datetime, end: datetime) -> frozenset[str]:
    """The sets of a period [start, end) the dossier belongs to: received, finished, open, processed."""
    out = set()
    if f.received_at is not None and start <= f.received_at < end:
        out.add("received")
    if finished_by(f, end) and f.finished_at >= start:
        out.add("finished")
    if open_at(f, end):
        out.add("open")
    if "finished" in out or "open" in out:
        out.add("processed")
    return frozenset(out)
