"""Routing: the desk receives an online dossier (`receive`), the dossier is handed from step to step and
between agencies (`transfer`, liên thông), a step is given to an officer (`assign`); only the holder of
the step being worked on hands it over.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.services import notify_citizen, notify_staff
from organisation.errors import ActionNotAllowed, NotAllowed, ValidationFailed
from organisation.models import StaffMembership

from .. import transitions as tt
from ..codes import next_code_and_register_number
from ..models import (
    Dossier,
    Status,
    Step,
)
from ..rules import current_step, step_holding
from ..selectors import (
    transfer_destinations,
)
from .base import (
    _actor_name,
    _check,
    _event,
    _finish_step,
    _lock,
    _save,
    _schedule,
    _start_step,
    _steps,
    _when,
)


def receive(dossier, *, actor, expected_version=None, at: datetime | None = None) -> Dossier:
    """The desk receives an online dossier (1 → 2): code, appointment from now, steps, receipt notice.

    A boundary-free dossier (phi địa giới) forwarded by another desk of the province keeps the code and
    register entry that desk gave it; its clock starts here, at the competent agency's receipt (Decree
    309/2026), and its steps follow the desk's hand-over (step 0)."""
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        _check(d, actor, "receive")
        when = _when(at)
        if not d.code:
            d.register_year = timezone.localdate(when).year
            d.code, d.register_no = next_code_and_register_number(d.agency, timezone.localdate(when))
        d.received_at = when
        d.received_by = actor
        d.status = Status.RECEIVED
        _schedule(d, when, actor)
        _save(d, {"code", "register_year", "register_no", "received_at", "received_by", "status", "appointment_at",
                  "original_appointment_at",
                  "due_soon_at", "is_late", "is_due_soon", "current_agency"})
        _event(d, "receive", actor, Status.SUBMITTED, Status.RECEIVED, at=when)
        notify_citizen(d, "received")
    return d


def _check_assignee(assignee, agency) -> None:
    if assignee is None:
        return
    if not StaffMembership.objects.filter(user=assignee, agency=agency).exists():
        msg = _("%(user)s không làm việc tại %(agency)s.") % {"user": _actor_name(assignee), "agency": agency.name}
        raise ValidationFailed(msg, code="assignee_not_at_agency", fields={"assignee": [msg]})


def _check_holder(step: Step | None, actor, action: str) -> None:
    """Only the holder of the step being worked on finishes it (`transitions.check_finish_step`): the
    same hand-over repeated by the one who made it is 409, anyone else who does not hold the step 403."""
    if step is None:
        return
    memberships = StaffMembership.objects.filter(user=actor).values_list("agency_id", "role", "department_id")
    try:
        tt.check_finish_step(action, step_holding(step), actor.pk, list(memberships), superuser=actor.is_superuser)
    except tt.TransitionError as exc:
        if exc.kind == "repeat":
            raise ActionNotAllowed(
                _("Hồ sơ đã được chuyển sang bước “%(step)s”; thao tác này đã được thực hiện.") % {"step": step.name},
                code="already_handed_over",
            ) from None
        raise NotAllowed(
            _("Bước “%(step)s” không do ông/bà đảm nhận: chỉ người được giao hoặc cán bộ có vai trò của bước "
              "tại cơ quan xử lý mới chuyển tiếp được.") % {"step": step.name},
            code="not_step_holder",
        ) from None


def transfer(dossier, *, actor, to_agency=None, assignee=None, note: str = "", expected_version=None,
             at: datetime | None = None) -> Dossier:
    """Hand the dossier over (chuyển xử lý), recorded as one row of the control sheet (form 06).

    2 → 4: the desk step (if any) is finished and the first processing step starts. 4 → 4: the current
    step is finished with its verdict against its due time and the next step starts. With `to_agency`
    the step goes to that agency instead (liên thông): at 2 the first processing step is performed there;
    at 4 the current step moves there (finished here, continued there with its allowance). `assignee`
    names the officer of the new step, who must work at its agency.
    """
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "transfer")
        when, before = _when(at), d.status
        if to_agency is not None and not to_agency.is_active:
            msg = _("Cơ quan nhận không còn hoạt động.")
            raise ValidationFailed(msg, fields={"to_agency": [msg]})
        # Routing shares the applicant's data with the receiving agency: only where the procedure and the
        # agency tree allow (the same list the screen offers).
        if to_agency is not None and not transfer_destinations(d).filter(pk=to_agency.pk).exists():
            msg = _("Không thể chuyển hồ sơ đến cơ quan này.")
            raise ValidationFailed(msg, code="destination_not_allowed", fields={"to_agency": [msg]})
        steps = _steps(d)
        current = current_step(steps)
        _check_holder(current, actor, "transfer")
        if current is not None:
            _finish_step(current, when, by=actor)
        after = current.order if current is not None else 0
        following = [s for s in steps if s.order > after and s.started_at is None]
        if to_agency is not None and current is not None and before == Status.PROCESSING:
            for step in sorted(following, key=lambda s: -s.order):
                step.order += 1
                step.save(update_fields=["order"])
            nxt = Step(dossier=d, order=current.order + 1, name=current.name, agency=to_agency,
                       role=current.role, allowance_seconds=current.allowance_seconds)
        else:
            nxt = following[0] if following else None
            if nxt is not None and to_agency is not None:
                nxt.agency, nxt.department = to_agency, None
        if nxt is None:
            raise ActionNotAllowed(
                _("Không còn bước xử lý tiếp theo: hồ sơ chờ phê duyệt kết quả."), code="no_next_step"
            )
        _check_assignee(assignee, nxt.agency)
        if note:
            nxt.note = note
        _start_step(nxt, when, handed_by=actor, assignee=assignee)
        d.status = t.to_status
        d.current_agency = nxt.agency
        _save(d, {"status", "current_agency"})
        text = _("%(from)s → %(to)s (%(agency)s)") % {
            "from": current.name if current else _("Bộ phận một cửa"), "to": nxt.name, "agency": nxt.agency.name,
        }
        _event(d, "transfer", actor, before, d.status, f"{text}. {note}".strip() if note else text, at=when)
        if assignee is not None:
            notify_staff([assignee], d, "assigned", key=f"{nxt.pk}:{assignee.pk}", step=nxt.name, due=nxt.due_at)
    return d


def assign(dossier, *, actor, assignee, expected_version=None, at: datetime | None = None) -> Dossier:
    """The head gives the current step to an officer of the step's agency (phân công)."""
    if assignee is None:
        msg = _("Vui lòng chọn cán bộ xử lý.")
        raise ValidationFailed(msg, code="required", fields={"assignee": [msg]})
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        _check(d, actor, "assign")
        when = _when(at)
        step = current_step(_steps(d))
        if step is None:
            raise ActionNotAllowed(_("Hồ sơ không có bước đang xử lý để phân công."), code="no_current_step")
        _check_assignee(assignee, step.agency)
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        _save(d, set())
        _event(d, "assign", actor, d.status, d.status,
               _("Bước “%(step)s”: %(user)s") % {"step": step.name, "user": _actor_name(assignee)}, at=when,
               public=False)
        notify_staff([assignee], d, "assigned", key=f"{step.pk}:{assignee.pk}", step=step.name, due=step.due_at)
    return d
