"""Supplements: everything missing asked for in one go (`request_supplement`, form 02) and the documents
received (`supplement_received`), partial replies included; the clock restarts when the round closes.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from notices.services import notify_citizen
from organisation.errors import NotAllowed, ValidationFailed

from .. import rules
from .. import transitions as tt
from ..models import (
    Dossier,
    Status,
    SupplementRequest,
)
from ..rules import current_step
from ..selectors import (
    roles_for,
)
from ..supplements import answer
from ..uploads import delete_stored, dossier_usage
from .base import (
    _check,
    _clock,
    _due_soon_from,
    _event,
    _fmt,
    _items_text,
    _lock,
    _reset_flags,
    _save,
    _schedule,
    _start_step,
    _steps,
    _supplement_deadline,
    _when,
)
from .intake import _clean_components, _store_components


def request_supplement(dossier, *, actor, items, reason: str = "", deadline_at=None, expected_version=None,
                       at: datetime | None = None) -> Dossier:
    """Ask for everything missing in one go (form 02): a new supplement round with the date by which the
    applicant is asked to supplement (`deadline_at`, by default DEFAULT_DEADLINE_WORKING_DAYS working days
    on), the applicant told."""
    text = _items_text(items)
    if not text:
        msg = _("Vui lòng liệt kê các giấy tờ cần bổ sung.")
        raise ValidationFailed(msg, code="required", fields={"items": [msg]})
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "request-supplement")
        when, before = _when(at), d.status
        rounds = d.supplements.count()
        deadline = _supplement_deadline(deadline_at, when, d.agency)
        SupplementRequest.objects.create(dossier=d, round=rounds + 1, requested_at=when, requested_by=actor,
                                         items=text, reason=(reason or "").strip(),
                                         resume_status=tt.resume_status(before), deadline_at=deadline)
        d.status = t.to_status
        d.supplement_count += 1
        _save(d, {"status", "supplement_count"})
        _event(d, "request-supplement", actor, before, d.status, text.replace("\n", "; "), at=when)
        notify_citizen(d, "supplement_requested", key=str(rounds + 1), items=text.replace("\n", "; "),
                       reason=(reason or "").strip().rstrip("."), ref=d.reference, deadline=deadline,
                       restart=_("Thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ.")
                       if d.received_at is not None else "")
    return d


def resume_target(dossier: Dossier, open_round: SupplementRequest | None) -> int:
    """Where the dossier goes when the documents arrive (`rules.resume_target`, from the open round as loaded)."""
    return rules.resume_target(received=dossier.received_at is not None,
                               recorded_resume_status=open_round.resume_status if open_round is not None else None)


def _check_resume(dossier: Dossier, actor, target: int) -> None:
    """Completing a dossier never received is its receipt: the roles of that action are needed too."""
    needs = tt.supplement_needs(target)
    if needs is None:
        return
    action, status = needs
    try:
        tt.check(action, status, roles_for(dossier, actor, action))
    except tt.TransitionError:
        raise NotAllowed(_("Chỉ cán bộ một cửa mới được tiếp nhận hồ sơ.")) from None


def supplement_received(dossier, *, actor, components=(), restart_clock: bool = True, accept_incomplete: bool = False,
                        note: str = "", expected_version=None, at: datetime | None = None) -> Dossier:
    """The missing documents arrive and the round is closed.

    Only when every requested item is answered (`dossiers.supplements.answer`, over this and earlier
    replies of the round), or an officer accepts the reply as complete (`accept_incomplete`, with a
    `note`): otherwise the documents are kept, the dossier keeps waiting (5) and the applicant is told
    what is still missing.

    A dossier in processing resumes it (4) and, by default, its clock restarts (Decree 61): a new
    appointment counted from now for the full limit, the current step's due time likewise, and the
    deadline flags cleared so the sweep warns about the new deadline. The waiting time is added up, so
    the national portal's rule (subtracting it) can be computed. A dossier asked for the documents at the
    counter is received now (2, by the desk): code kept, appointment, steps, receipt notice; its clock
    never ran, so there is no waiting time to add. An online dossier never received returns to the
    desk's queue (1). Documents that arrive before the dossier is received are part of the dossier as
    received (round 0: the receipt, form 01, lists them).
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            _check(d, actor, "supplement")
            open_round = d.supplements.filter(replied_at__isnull=True).order_by("-round").first()
            target = resume_target(d, open_round)
            _check_resume(d, actor, target)
            items = _clean_components(d.procedure, components, held=dossier_usage(d))
            when, before = _when(at), d.status
            clock = _clock()
            received = d.received_at is not None
            round_no = d.supplement_count
            fields = {"status"}
            if open_round is not None:
                partial = _supplement_reply(d, actor, open_round, items, accept_incomplete, note, when,
                                            received, stored)
                if partial is not None:
                    return partial
                open_round.replied_at = when
                open_round.save(update_fields=["replied_at"])
                round_no = open_round.round
                if received:
                    d.supplement_wait_seconds += clock.working_seconds_between(open_round.requested_at, when,
                                                                               d.agency)
                    d.portal_due_at = clock.add_working_hours(d.original_appointment_at or d.appointment_at,
                                                              d.supplement_wait_seconds / 3600, d.agency)
                    fields |= {"supplement_wait_seconds", "portal_due_at"}
            _store_components(d, items, round_no if received else 0, stored)
            d.status = target
            note = _("Đã nhận hồ sơ bổ sung lần %(n)d.") % {"n": round_no}
            if open_round is not None and open_round.accepted_note:
                note += " " + _("Chấp nhận là đầy đủ: %(note)s") % {"note": open_round.accepted_note}
            if target == Status.RECEIVED and not received:
                d.received_at, d.received_by = when, actor
                _schedule(d, when, actor)
                fields |= {"received_at", "received_by", "appointment_at", "original_appointment_at", "due_soon_at",
                           "receipt_due_at", "portal_due_at",
                           "is_late", "is_due_soon", "current_agency"}
                note += " " + _("Hồ sơ đầy đủ, được tiếp nhận: hẹn trả %(at)s.") % {"at": _fmt(d.appointment_at)}
            elif received and restart_clock:
                procedure = d.procedure
                appointment = clock.compute_appointment_for(when, procedure.effective_amount,
                                                            procedure.time_limit_unit, d.agency)
                d.appointment_at = d.receipt_due_at = appointment.appointment_at
                d.due_soon_at = _due_soon_from(appointment.start_at, d.appointment_at, d.agency)
                _reset_flags(d)
                fields |= {"appointment_at", "receipt_due_at", "due_soon_at", "is_late", "is_due_soon"}
                step = current_step(_steps(d))
                if step is not None:
                    started = step.started_at
                    _start_step(step, appointment.start_at)
                    step.started_at = started
                    step.save(update_fields=["started_at"])
                note += " " + _("Thời hạn tính lại từ đầu: hẹn trả mới %(at)s.") % {"at": _fmt(d.appointment_at)}
            _save(d, fields)
            _event(d, "supplement", actor, before, d.status, note, at=when)
            if d.status == Status.RECEIVED and not received:
                notify_citizen(d, "received")
    except BaseException:
        delete_stored(stored)
        raise
    return d


def _supplement_reply(d, actor, open_round, items, accept_incomplete: bool, note: str, when, received: bool,
                      stored: list[str]) -> Dossier | None:
    """Record which items this reply answers; the dossier if the round stays open (partial reply), None
    when the round may close (all answered, or accepted as complete by an officer with a note)."""
    done, missing = answer(open_round.item_list, list(open_round.answered_items or ()), [i.name for i in items])
    open_round.answered_items = done
    note = (note or "").strip()
    if missing and accept_incomplete:
        if not roles_for(d, actor, "supplement") & tt.STAFF_WORK:
            raise NotAllowed(_("Chỉ cán bộ mới được chấp nhận hồ sơ bổ sung là đầy đủ."))
        if not note:
            msg = _("Vui lòng ghi rõ lý do chấp nhận hồ sơ bổ sung khi còn thiếu giấy tờ.")
            raise ValidationFailed(msg, code="required", fields={"note": [msg]})
        open_round.accepted_note = note
    open_round.save(update_fields=["answered_items", "accepted_note"])
    if not missing or accept_incomplete:
        return None
    if not items:
        msg = _("Hồ sơ bổ sung chưa có giấy tờ nào được yêu cầu: còn thiếu %(items)s.") % {"items": "; ".join(missing)}
        raise ValidationFailed(msg, code="supplement_incomplete", fields={"components": [msg]})
    _store_components(d, items, open_round.round if received else 0, stored)
    _save(d, set())
    left = "; ".join(missing)
    _event(d, "supplement-partial", actor, d.status, d.status,
           _("Đã nhận một phần hồ sơ bổ sung lần %(n)d; còn thiếu: %(items)s.") % {"n": open_round.round, "items": left},
           at=when)
    notify_citizen(d, "supplement_incomplete", key=f"{open_round.round}:{len(done)}", items=left,
                   ref=d.reference, deadline=open_round.deadline_at)
    return d
