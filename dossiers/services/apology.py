"""The apology (phiếu xin lỗi và hẹn lại, form 04): a head moves a late dossier's appointment once, in one
transaction, and the applicant is told. When it is owed is `rules.apology_owed`; the deadline sweep
(`dossiers.deadlines`) marks when it became owed.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from national.services import record_dossier_event
from notices.messages import fmt_time
from notices.services import notify_citizen
from organisation.errors import ActionNotAllowed, NotAllowed, ValidationFailed
from organisation.models import Role, StaffMembership
from organisation.names import display_name
from worktime.calendars import calendar_for, subtract_working_hours

from .. import rules
from ..models import Apology, Dossier, TimelineEvent
from ..selectors import apology_owed
from .base import _lock, _when, refresh_report_months


def _is_head_for(actor, dossier: Dossier) -> bool:
    """A head of the agency holding the dossier or of the receiving agency (or a superuser)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    agency_ids = {dossier.agency_id, dossier.current_agency_id or dossier.agency_id}
    return StaffMembership.objects.filter(user=actor, role=Role.HEAD, agency_id__in=agency_ids).exists()


def _already_issued() -> ActionNotAllowed:
    return ActionNotAllowed(
        _("Hồ sơ đã có phiếu xin lỗi: ngày hẹn trả kết quả chỉ được điều chỉnh một lần."),
        code="apology_already_issued",
    )


def _clean_new_appointment(value, *, old_at: datetime | None, now: datetime, agency) -> datetime:
    """The new appointment: a datetime (or ISO 8601 text) after the current one, in the future, on a working day."""
    def fail(msg, code="invalid"):
        return ValidationFailed(msg, code=code, fields={"new_appointment_at": [msg]})

    if isinstance(value, str) and value.strip():
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise fail(_("Thời gian hẹn mới không hợp lệ (ví dụ 2026-11-23T09:30:00+07:00)."))
        value = parsed
    if not isinstance(value, datetime):
        raise fail(_("Vui lòng nhập thời gian hẹn trả kết quả mới."), code="required")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    if old_at and value <= old_at:
        raise fail(_("Thời gian hẹn mới phải sau thời gian hẹn hiện tại (%(old)s).") % {"old": fmt_time(old_at)})
    if value <= now:
        raise fail(_("Thời gian hẹn mới phải ở tương lai."))
    local_day = timezone.localtime(value).date()
    if not calendar_for(agency).is_working_day(local_day):
        raise fail(_("Ngày %(date)s không phải ngày làm việc.") % {"date": local_day.strftime("%d/%m/%Y")},
                   code="not_working_day")
    return value


def apologize(dossier: Dossier, *, actor, reason: str, new_appointment_at, expected_version=None,
              at: datetime | None = None) -> Dossier:
    """Issue the apology (form 04) with a new appointment: once per dossier, by a head, in one transaction.

    The appointment moves, the original one is kept, the due-soon point is recomputed and the late and
    due-soon flags are cleared, so the sweep watches the new date; the applicant is told by every channel.
    `expected_version` and `at` work as in every other action.
    """
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        now = _when(at)
        if not _is_head_for(actor, locked):
            raise NotAllowed(_("Chỉ lãnh đạo cơ quan tiếp nhận hoặc đang giải quyết hồ sơ được ký phiếu xin lỗi."))
        if Apology.objects.filter(dossier_id=locked.pk).exists():
            raise _already_issued()
        if locked.status not in rules.APOLOGY_STATUSES:
            raise ActionNotAllowed(
                _("Không thể xin lỗi, hẹn lại khi hồ sơ đang ở trạng thái “%(status)s”.")
                % {"status": locked.status_label},
                code="action_not_allowed",
            )
        if not apology_owed(locked, now):
            raise ActionNotAllowed(
                _("Hồ sơ chưa đến thời điểm xin lỗi, hẹn lại: chỉ từ một ngày làm việc trước hạn trả kết quả."),
                code="apology_not_due",
            )
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            msg = _("Vui lòng nêu lý do chậm trả kết quả.")
            raise ValidationFailed(msg, code="required", fields={"reason": [msg]})
        agency = locked.agency
        old_at = locked.appointment_at
        new_at = _clean_new_appointment(new_appointment_at, old_at=old_at, now=now, agency=agency)

        try:
            with transaction.atomic():
                Apology.objects.create(dossier=locked, issued_at=now, issued_by=actor, reason=reason,
                                       old_appointment_at=old_at or new_at, new_appointment_at=new_at)
        except IntegrityError:  # another head won the race: the OneToOne keeps it at one
            raise _already_issued() from None

        locked.original_appointment_at = locked.original_appointment_at or old_at
        locked.appointment_at = new_at
        locked.due_soon_at = subtract_working_hours(new_at, settings.DUE_SOON_WORKING_HOURS, agency)
        locked.is_late = False
        locked.is_due_soon = False
        locked.apology_opened_at = locked.apology_opened_at or now
        locked.apologised_at, locked.apology_due_at = now, new_at  # the reports' copy of the apology's facts
        locked.version += 1
        locked.save(update_fields=["original_appointment_at", "appointment_at", "due_soon_at", "is_late",
                                   "is_due_soon", "apology_opened_at", "apologised_at", "apology_due_at",
                                   "version", "updated_at"])
        holder = locked.current_agency or agency
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Xin lỗi và hẹn lại ngày trả kết quả: %(old)s → %(new)s. Lý do: %(reason)s") % {
                "old": fmt_time(old_at), "new": fmt_time(new_at), "reason": reason}
        event = TimelineEvent.objects.create(
            dossier=locked, at=now, action="apologize", actor=actor,
            actor_name=display_name(actor)[:255],
            from_status=locked.status, to_status=locked.status, note=note,
        )
        record_dossier_event(locked, event)  # the new appointment, to the national portal
        refresh_report_months(locked)  # the reports' monthly rows (its due time and apology facts moved)
        notify_citizen(locked, "apology", old_appointment=old_at, new_appointment=new_at, reason=reason,
                       agency=holder.name)
    return locked


def _apologize(dossier, *, actor, reason, new_appointment_at, expected_version=None):
    """The apology (form 04) is `apologize`, which checks the
    version under its own lock, so a stale screen gets the same 409 as for every other action."""
    return apologize(dossier, actor=actor, reason=reason, new_appointment_at=new_appointment_at,
                     expected_version=expected_version if expected_version not in (None, "") else None)
