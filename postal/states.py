"""The states of a postal order and which update may move it where (pure, no Django).

Both directions go requested → created → collecting → collected → delivering → delivered: to deliver a
result the post collects it at the desk and delivers it to the applicant; to collect a dossier it collects
it from the applicant and delivers it to the desk. `failed` (undeliverable) and `cancelled` end an order.
Updates arrive by callback and by polling, in any order and more than once: only a move forward counts.
"""

from __future__ import annotations

REQUESTED, CREATED, COLLECTING, COLLECTED, DELIVERING, DELIVERED = (
    "requested", "created", "collecting", "collected", "delivering", "delivered")
FAILED, CANCELLED = "failed", "cancelled"

ORDER = (REQUESTED, CREATED, COLLECTING, COLLECTED, DELIVERING, DELIVERED)
FINAL = frozenset({DELIVERED, FAILED, CANCELLED})
KNOWN = frozenset(ORDER) | {FAILED, CANCELLED}


def advances(current: str, new: str) -> bool:
    """Whether an update to `new` moves an order in `current` forward (a repeat or a step back does not)."""
    if new not in KNOWN or current in FINAL or new == REQUESTED:
        return False
    if new in (FAILED, CANCELLED):
        return True
    return ORDER.index(new) > ORDER.index(current)
