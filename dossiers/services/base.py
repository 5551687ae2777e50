"""What every action of `dossiers.services` shares: the row lock and version check, the clock (`at`,
now, working time), the timeline event with its national outbox row, the save that bumps `version`, the
step helpers (plan, start, finish, the current step) and the schedule of a dossier just received.

An action module imports these; nothing here performs an action of its own.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from national.services import record_dossier_event
from organisation.errors import ActionNotAllowed, ConcurrentChange, NotAllowed, ValidationFailed
from organisation.models import Agency, Role
from organisation.names import display_name
from reporting.rollup import refresh_dossier as refresh_report_months
from worktime import calendars

from .. import transitions as tt
from ..models import (
    Dossier,
    Status,
    Step,
    TimelineEvent,
    Verdict,
)
from ..selectors import (
    departments_named,
    procedure_steps,
    roles_for,
)
from ..supplements import DEFAULT_DEADLINE_WORKING_DAYS

# Vietnamese names of the actions, for messages and the timeline.
ACTION_LABELS = {
    "submit": gettext_lazy("nộp hồ sơ trực tuyến"),
    "receive": gettext_lazy("tiếp nhận"),
    "refuse": gettext_lazy("từ chối tiếp nhận"),
    "transfer": gettext_lazy("chuyển xử lý"),
    "assign": gettext_lazy("phân công"),
    "request-supplement": gettext_lazy("yêu cầu bổ sung"),
    "supplement": gettext_lazy("nhận hồ sơ bổ sung"),
    "request-payment": gettext_lazy("yêu cầu nộp phí"),
    "confirm-payment": gettext_lazy("xác nhận đã nộp phí"),
    "decide": gettext_lazy("phê duyệt kết quả"),
    "return": gettext_lazy("trả kết quả"),
    "withdraw": gettext_lazy("rút hồ sơ"),
    "stop": gettext_lazy("dừng xử lý"),
    "apologize": gettext_lazy("xin lỗi, hẹn lại"),
    "recompute": gettext_lazy("tính lại thời hạn theo lịch mới"),
}


CLOSED_STEP_STATUSES = {Status.REFUSED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED, Status.DECIDED, Status.RETURNED}


def _clock():
    """The working calendar's questions (appointments, working hours): `worktime.calendars`."""
    return calendars


def _check(dossier, actor, action: str) -> tt.Transition:
    try:
        return tt.check(action, dossier.status, roles_for(dossier, actor, action))
    except tt.TransitionError as exc:
        label = ACTION_LABELS.get(action, action)
        if exc.kind == "status":
            raise ActionNotAllowed(
                _("Không thể %(action)s khi hồ sơ đang ở trạng thái “%(status)s”.")
                % {"action": label, "status": Status(dossier.status).label},
                code="action_not_allowed",
            ) from None
        if exc.kind == "role":
            raise NotAllowed(_("Ông/bà không có quyền %(action)s hồ sơ này.") % {"action": label}) from None
        raise ActionNotAllowed(_("Thao tác không hợp lệ."), code="unknown_action") from None


def _now() -> datetime:
    return timezone.now()


def _aware(value: datetime) -> datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _when(at, field: str = "at") -> datetime:
    """The time of an action: now, or an earlier moment entered late; never the future."""
    now = _now()
    if at is None:
        return now
    if not isinstance(at, datetime):
        raise ValidationFailed(_("Thời điểm không hợp lệ."), fields={field: [_("Thời điểm không hợp lệ.")]})
    at = _aware(at)
    if at > now + timedelta(seconds=5):
        msg = _("Thời điểm không được ở tương lai.")
        raise ValidationFailed(msg, code="future_time", fields={field: [msg]})
    return min(at, now)


def _lock(dossier, expected_version) -> Dossier:
    """The dossier row, locked until the end of the transaction, checked against the caller's version."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    fresh = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency", "current_agency", "citizen")
        .get(pk=pk)
    )
    if expected_version not in (None, ""):
        try:
            expected = int(expected_version)
        except (TypeError, ValueError):
            msg = _("Phiên bản phải là một số nguyên.")
            raise ValidationFailed(msg, fields={"expected_version": [msg]}) from None
        if expected != fresh.version:
            raise ConcurrentChange(
                _("Hồ sơ vừa được người khác cập nhật (phiên bản %(now)d, không phải %(seen)d). Vui lòng tải lại.")
                % {"now": fresh.version, "seen": expected}
            )
    return fresh


def _actor_name(user) -> str:
    if user is None:
        return ""
    return display_name(user)[:255]


def _event(dossier, action, actor, from_status, to_status, note="", *, at=None, public=True) -> TimelineEvent:
    event = TimelineEvent.objects.create(
        dossier=dossier, at=at or _now(), action=action, actor=actor, actor_name=_actor_name(actor),
        from_status=from_status, to_status=to_status, note=note, public=public,
    )
    record_dossier_event(dossier, event)  # the national portal's outbox row, in this transaction
    refresh_report_months(dossier)  # the reports' monthly rows of a dossier received in a closed month
    return event


def _save(dossier: Dossier, fields: set[str]) -> None:
    dossier.version += 1
    dossier.save(update_fields=sorted({*fields, "version", "updated_at"}))


def _required_text(value, field: str, message: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed(message, code="required", fields={field: [message]})
    return text


def verdict_for(finished_at: datetime | None, due_at: datetime | None) -> str | None:
    """domain.md §6: on time when finished by the due time, early when on an earlier day, else late."""
    if finished_at is None or due_at is None:
        return None
    if finished_at > due_at:
        return Verdict.LATE
    if timezone.localdate(finished_at) < timezone.localdate(due_at):
        return Verdict.EARLY
    return Verdict.ON_TIME


def _due_soon(due_at: datetime, hours, agency) -> datetime:
    return _clock().subtract_working_hours(due_at, hours, agency)


def _due_soon_from(start_at: datetime, due_at: datetime, agency) -> datetime:
    """The dossier's due-soon point: DUE_SOON_WORKING_HOURS of working time before it is due, or half its
    working time for a dossier given less than twice that (a same-day dossier is not due soon at receipt)."""
    total = Decimal(_clock().working_seconds_between(start_at, due_at, agency)) / 3600
    return _due_soon(due_at, min(Decimal(settings.DUE_SOON_WORKING_HOURS), max(total, 0) / 2), agency)


def _reset_flags(obj) -> None:
    """A new due time (receipt, a step started, the clock restarted after a supplement): its late and
    due-soon flags start cleared, whatever the old due time had reached. The deadline sweep sets them,
    and warns once per due time, when the new one passes its points; in between, the screens and
    `selectors.late_q` compare the times themselves. Setting the flags here instead would hide the new
    due time from the sweep, which only takes rows whose flag is not yet set."""
    obj.is_late = False
    obj.is_due_soon = False


def _start_step(step: Step, at: datetime, *, handed_by=None, assignee=None, save: bool = True) -> None:
    hours = Decimal(step.allowance_seconds) / 3600
    step.started_at = at
    step.finished_at = None
    step.verdict = None
    step.due_at = _clock().add_working_hours(at, hours, step.agency)
    # One working day ahead like the dossier, or half the allowance for a step shorter than that.
    soon_hours = min(Decimal(settings.DUE_SOON_WORKING_HOURS), hours / 2)
    step.due_soon_at = _due_soon(step.due_at, soon_hours, step.agency)
    _reset_flags(step)
    if handed_by is not None:
        step.handed_by = handed_by
    if assignee is not None:
        step.assignee = assignee
    if save:
        step.save()


def _finish_step(step: Step, at: datetime, note: str = "", *, by=None) -> None:
    step.finished_at = at
    step.finished_by = by  # the handler of record, assigned or not
    step.verdict = verdict_for(at, step.due_at)
    step.is_late = step.verdict == Verdict.LATE
    step.is_due_soon = False
    if note:
        step.note = f"{step.note}\n{note}".strip()
    step.save()


def _steps(dossier) -> list[Step]:
    return list(dossier.steps.select_related("agency", "assignee").order_by("order"))


def _close_open_steps(steps: list[Step], at: datetime, note: str = "", *, by=None) -> None:
    for step in steps:
        if step.started_at is not None and step.finished_at is None:
            _finish_step(step, at, note, by=by)


def _step_agency(procedure_step, receiving: Agency) -> Agency:
    if procedure_step.performer == "parent":
        return receiving.parent or receiving
    if procedure_step.performer == "agency" and procedure_step.agency_id:
        return procedure_step.agency
    return receiving


def _plan_steps(dossier: Dossier, start_at: datetime, appointment_at: datetime) -> list[Step]:
    """The dossier's steps from the procedure's internal process (or one step covering the whole limit),
    not yet saved."""
    rows = procedure_steps(dossier.procedure)
    steps = []
    if not rows:
        seconds = _clock().working_seconds_between(start_at, appointment_at, dossier.agency)
        steps.append(Step(dossier=dossier, order=1, name=_("Xử lý hồ sơ"), agency=dossier.agency,
                          role=Role.PROCESSING_OFFICER, allowance_seconds=max(int(seconds), 0)))
    agencies = [_step_agency(row, dossier.agency) for row in rows]
    # The departments the steps name, each at its step's agency: one query for all of them.
    named = [i for i, row in enumerate(rows) if row.department_name.strip()]
    departments = dict(zip(named, departments_named([(agencies[i], rows[i].department_name.strip())
                                                      for i in named]), strict=True))
    for i, row in enumerate(rows):
        steps.append(Step(dossier=dossier, order=i + 1, name=row.name, agency=agencies[i],
                          department=departments.get(i), role=row.role,
                          allowance_seconds=int(Decimal(row.allowance_hours) * 3600)))
    return steps


def _insert_steps(steps: list[Step], *, history: bool = True) -> None:
    """Insert new steps (the dossier must be saved) and their history rows, one statement each.

    `history=False` for the steps of a dossier taken in this very action (`intake`): the intake's timeline
    event records them being made, and their history starts with their first change."""
    if history:
        bulk_create_with_history(steps, Step)
    else:
        Step.objects.bulk_create(steps)


def _schedule(dossier: Dossier, received_at: datetime, actor) -> list[Step]:
    """Appointment, due-soon time and steps of a dossier just received; the desk step starts at once."""
    steps = _plan_schedule(dossier, received_at, actor)
    _insert_steps(steps)
    return steps


def _plan_schedule(dossier: Dossier, received_at: datetime, actor) -> list[Step]:
    """`_schedule` without the writes: the dossier's appointment fields set, its steps planned (the desk
    step started) and not yet saved, so that an intake writes each row once."""
    clock = _clock()
    procedure = dossier.procedure
    appointment = clock.compute_appointment_for(received_at, procedure.effective_amount, procedure.time_limit_unit,
                                                dossier.agency)
    dossier.appointment_at = appointment.appointment_at
    dossier.original_appointment_at = appointment.appointment_at
    dossier.receipt_due_at = dossier.portal_due_at = appointment.appointment_at
    dossier.due_soon_at = _due_soon_from(appointment.start_at, appointment.appointment_at, dossier.agency)
    _reset_flags(dossier)
    steps = _plan_steps(dossier, appointment.start_at, appointment.appointment_at)
    first = steps[0]
    if first.role == Role.DESK_OFFICER:
        _start_step(first, received_at, handed_by=actor, assignee=actor, save=False)
    dossier.current_agency = first.agency if first.started_at else dossier.agency
    return steps


def _choice(value, choices, field: str, default):
    value = value or default
    if value not in choices.values:
        msg = _("Giá trị không hợp lệ. Chọn một trong: %(values)s.") % {"values": ", ".join(choices.values)}
        raise ValidationFailed(msg, fields={field: [msg]})
    return value


def _fmt(value: datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _finish_dossier(d: Dossier, when: datetime, fields: set[str]) -> None:
    if d.finished_at is None:
        d.finished_at = when
        # Against the receipt's appointment (restarted by a supplement), never the apology's new date (§6).
        d.verdict = verdict_for(when, d.receipt_due_at or d.appointment_at)
        d.is_late = d.verdict == Verdict.LATE
        d.is_due_soon = False
        fields |= {"finished_at", "verdict", "is_late", "is_due_soon"}


def _check_verified(d: Dossier, actor, action: str, verified: bool) -> tt.Transition:
    """The transition of `action`; for a fact an integration verified (a gateway's signed payment, the post's
    delivery) with no person acting, on the receiving desk's authority."""
    if verified and actor is None:
        if not tt.allowed(action, d.status, {tt.DESK_OFFICER}):
            raise ActionNotAllowed(
                _("Không thể %(action)s khi hồ sơ đang ở trạng thái “%(status)s”.")
                % {"action": ACTION_LABELS.get(action, action), "status": Status(d.status).label},
                code="action_not_allowed",
            )
        return tt.TRANSITIONS[action]
    return _check(d, actor, action)


def _items_text(items) -> str:
    if isinstance(items, str):
        lines = [line.strip() for line in items.splitlines()]
    else:
        lines = [str(item).strip() for item in (items or ())]
    return "\n".join(line for line in lines if line)


def _supplement_deadline(value, when: datetime, agency) -> datetime:
    if value in (None, ""):
        return _clock().add_working_hours(when, DEFAULT_DEADLINE_WORKING_DAYS * 8, agency)
    if not isinstance(value, datetime):
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value)[:10])
            except ValueError:
                msg = _("Hạn bổ sung không hợp lệ.")
                raise ValidationFailed(msg, fields={"deadline_at": [msg]}) from None
        value = timezone.make_aware(datetime.combine(value, time(17, 0)))
    if value <= when:
        msg = _("Hạn bổ sung phải sau thời điểm yêu cầu.")
        raise ValidationFailed(msg, fields={"deadline_at": [msg]})
    return value
