"""After the working calendar changed (a holiday added, a Saturday swapped), the open dossiers' due times
are worked out again from the same starting point and the same limit, as if the new calendar had been known.

A dossier keeps the receipt's start: its receipt time, or the moment the complete supplement arrived when the
clock restarted then (Decree 61). A dossier with an apology keeps the new date it was promised: that date
was chosen by a head, not computed. Each dossier whose due time moves is changed in a transaction of its own,
under its row lock, with a timeline event, and its applicant is told the new appointment; running it again
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.services import notify_citizen

from .models import Dossier, Status
from .services.base import _clock, _due_soon_from, _event, _fmt, _lock, _reset_flags, _save, _start_step

# Received and not finished: the statuses whose appointment is still a promise.
OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED,
                 Status.WITHDRAWAL_REQUESTED)


@dataclass
class RecomputeResult:
    examined: int = 0
    moved: list[tuple[str, datetime, datetime]] = field(default_factory=list)  # (code, old, new)


def _clock_start(dossier: Dossier) -> datetime:
    """The receipt time, or the last complete supplement's arrival when it restarted the clock."""
    restarted = dossier.supplements.filter(replied_at__isnull=False, requested_at__gte=dossier.received_at).aggregate(
        last=Max("replied_at"))["last"]
    return max(dossier.received_at, restarted) if restarted else dossier.received_at


def candidates(since: date | None = None, agency_ids=None):
    """Open received dossiers without an apology whose appointment is on or after `since`."""
    rows = Dossier.objects.filter(status__in=OPEN_STATUSES, received_at__isnull=False, finished_at__isnull=True,
                                  apology__isnull=True)
    if since is not None:
        start = timezone.make_aware(datetime.combine(since, time.min))
        rows = rows.filter(Q(appointment_at__gte=start))
    if agency_ids:
        rows = rows.filter(agency_id__in=list(agency_ids))
    return rows.order_by("pk")


def recompute_one(dossier_id: int, *, dry_run: bool = False) -> tuple[datetime, datetime] | None:
    """The dossier's appointment under today's calendar; changed (and the citizen told) when it moved."""
    clock = _clock()
    with transaction.atomic():
        d = _lock(dossier_id, None)
        if d.status not in OPEN_STATUSES or d.finished_at is not None or hasattr(d, "apology"):
            return None
        procedure = d.procedure
        start = _clock_start(d)
        appointment = clock.compute_appointment_for(start, procedure.effective_amount, procedure.time_limit_unit,
                                                    d.agency)
        # The receipt's own first appointment (before any Decree 61 restart): the national portal's reading
        # counts from it, plus the working time spent waiting, which a calendar change does not alter.
        first = appointment if start == d.received_at else clock.compute_appointment_for(
            d.received_at, procedure.effective_amount, procedure.time_limit_unit, d.agency)
        portal_due = clock.add_working_hours(first.appointment_at, Decimal(d.supplement_wait_seconds) / 3600,
                                             d.agency) if d.supplement_wait_seconds else first.appointment_at
        old = d.appointment_at
        if appointment.appointment_at == old:
            if d.portal_due_at is not None and d.portal_due_at != portal_due and not dry_run:
                d.portal_due_at = portal_due  # only the national reading moved: nothing to tell the applicant
                _save(d, {"portal_due_at"})
            return None
        if dry_run:
            return old, appointment.appointment_at
        d.appointment_at = d.receipt_due_at = appointment.appointment_at
        d.original_appointment_at = first.appointment_at
        d.portal_due_at = portal_due
        d.due_soon_at = _due_soon_from(appointment.start_at, d.appointment_at, d.agency)
        _reset_flags(d)
        fields = {"appointment_at", "receipt_due_at", "original_appointment_at", "portal_due_at", "due_soon_at",
                  "is_late", "is_due_soon"}
        _save(d, fields)
        for step in d.steps.filter(finished_at__isnull=True, started_at__isnull=False):
            step_start = max(step.started_at, start)
            started = step.started_at
            _start_step(step, step_start, save=False)
            step.started_at = started
            step.save(update_fields=["started_at", "due_at", "due_soon_at", "is_late", "is_due_soon", "finished_at",
                                     "verdict"])
        note = _("Lịch làm việc thay đổi: thời hạn được tính lại, hẹn trả mới %(at)s (trước đây %(old)s).") % {
            "at": _fmt(d.appointment_at), "old": _fmt(old)}
        _event(d, "recompute", None, d.status, d.status, note)
        notify_citizen(d, "appointment_changed", key=d.appointment_at.isoformat(),
                       old_appointment=old, new_appointment=d.appointment_at)
        return old, d.appointment_at


def recompute_appointments(*, since: date | None = None, agency_ids=None, dry_run: bool = False) -> RecomputeResult:
    result = RecomputeResult()
    for pk, code in candidates(since, agency_ids).values_list("pk", "code").iterator(chunk_size=500):
        result.examined += 1
        moved = recompute_one(pk, dry_run=dry_run)
        if moved is not None:
            result.moved.append((code, *moved))
    return result
