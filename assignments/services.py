"""Every write to directives and tasks: one function per action, each the whole action in one transaction.

Each task action locks the task row, asks the transition table (`assignments.rules`), checks who acts
(the lead unit's staff, or the assigning unit's heads and managers), writes the change, bumps `version`,
writes one history line (`TaskEvent`) and the in-app notices through the outbox, all in one transaction:
an action that fails leaves nothing behind, not even its uploaded files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from dossiers.uploads import delete_stored, store_upload, validate_upload
from notices.models import NoticeChannel
from notices.services import queue_notice
from organisation.errors import ActionNotAllowed, ConcurrentChange, NotAllowed, ValidationFailed
from organisation.models import Agency, Role
from organisation.selectors import descendant_ids, scoped_agency_ids, staff_pairs

from . import rules
from .messages import render, task_context
from .models import (
    DeadlineKind,
    Directive,
    ExtensionRequest,
    ExtensionState,
    ReportKind,
    ReportOutcome,
    Task,
    TaskEvent,
    TaskFile,
    TaskReport,
    TaskStatus,
)

# A task is "due soon" this many working days before its deadline (the sweep's first warning).
DUE_SOON_WORKING_DAYS = 3
MAX_WORKING_DAYS = 3650


def _fail(field: str, message, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [str(message)]})


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _when(at, field: str = "assigned_at") -> datetime:
    """The time of an action: now, or an earlier moment entered late (a backlog, an import); never the future."""
    now = timezone.now()
    if at is None:
        return now
    if isinstance(at, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(at.strip()) if at.strip() else None
        if parsed is None:
            raise _fail(field, _("Thời điểm không hợp lệ."))
        at = parsed
    if not isinstance(at, datetime):
        raise _fail(field, _("Thời điểm không hợp lệ."))
    at = _aware(at)
    if at > now + timedelta(seconds=5):
        raise _fail(field, _("Thời điểm không được ở tương lai."), "future_time")
    return min(at, now)


def _date(value, field: str, *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise _fail(field, _("Vui lòng nhập ngày."), "required")
        return None
    if isinstance(value, datetime):
        return timezone.localtime(_aware(value)).date()
    if isinstance(value, date):
        return value
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:  # as dates are written in Vietnamese: 31/12/2026
            try:
                parsed = datetime.strptime(value.strip(), "%d/%m/%Y").date()
            except ValueError:
                parsed = None
    if parsed is None:
        raise _fail(field, _("Ngày không hợp lệ (ví dụ 2026-12-31)."))
    return parsed


def _text(value, field: str, message, *, max_length: int | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise _fail(field, message, "required")
    if max_length and len(text) > max_length:
        raise _fail(field, _("Tối đa %(n)d ký tự.") % {"n": max_length}, "too_long")
    return text


def _actor_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:255] if user else ""


def _local_day(value: datetime) -> date:
    return timezone.localtime(value).date()


# --- who acts ------------------------------------------------------------------------------------


def may_assign_for(user, agency_id: int) -> bool:
    """A head or manager of the assigning unit, a manager above it, or a superuser."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    pairs = staff_pairs(user)
    if (agency_id, Role.HEAD) in pairs or (agency_id, Role.MANAGER) in pairs:
        return True
    return agency_id in scoped_agency_ids(user, roles=[Role.MANAGER])


def sides_for(task: Task, user) -> set[str]:
    """The sides the user acts for on this task: the lead unit's staff, the assigner's heads and managers."""
    sides = set()
    if user is None or not getattr(user, "is_authenticated", False):
        return sides
    if user.is_superuser or any(agency == task.lead_agency_id for agency, _role in staff_pairs(user)):
        sides.add(rules.LEAD)
    if may_assign_for(user, task.assigner_id):
        sides.add(rules.ASSIGNER)
    return sides


def _check(task: Task, actor, action: str) -> rules.Transition:
    row = rules.transition(action, task.status)
    if row is None:
        status = TaskStatus(task.status).label
        if action == rules.REQUEST_EXTENSION and task.status != rules.OPEN:
            msg = _("Nhiệm vụ đã báo cáo hoàn thành: không thể đề nghị gia hạn.")
            raise ActionNotAllowed(msg, code="extension_after_completion", fields={"status": [msg]})
        raise ActionNotAllowed(
            _("Không thể thực hiện thao tác này khi nhiệm vụ đang ở trạng thái “%(status)s”.") % {"status": status},
            code="action_not_allowed",
        )
    if row.side not in sides_for(task, actor):
        if row.side == rules.LEAD:
            raise NotAllowed(_("Chỉ cán bộ của đơn vị chủ trì được thực hiện thao tác này."))
        raise NotAllowed(_("Chỉ lãnh đạo, quản lý của đơn vị giao nhiệm vụ được thực hiện thao tác này."))
    return row


def _lock(task, expected_version) -> Task:
    pk = task.pk if isinstance(task, Task) else task
    fresh = (Task.objects.select_for_update(of=("self",))
             .select_related("directive", "assigner", "lead_agency").get(pk=pk))
    if expected_version not in (None, ""):
        try:
            expected = int(expected_version)
        except (TypeError, ValueError):
            raise _fail("expected_version", _("Phiên bản phải là một số nguyên.")) from None
        if expected != fresh.version:
            raise ConcurrentChange(
                _("Nhiệm vụ vừa được người khác cập nhật (phiên bản %(now)d, không phải %(seen)d). Vui lòng tải lại.")
                % {"now": fresh.version, "seen": expected}
            )
    return fresh


def _event(task: Task, action: str, actor, from_status: str, note: str = "", *, at: datetime) -> TaskEvent:
    return TaskEvent.objects.create(task=task, at=at, action=action, actor=actor, actor_name=_actor_name(actor),
                                    from_status=from_status, to_status=task.status, note=note)


def _save(task: Task, fields: Iterable[str]) -> None:
    task.version += 1
    task.save(update_fields=sorted({*fields, "version", "updated_at"}))


def heads_of(agency_id: int) -> list:
    """The active heads of a unit (they hear about its tasks); its managers when it has no head."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    heads = list(users.filter(memberships__agency_id=agency_id, memberships__role=Role.HEAD).distinct())
    return heads or list(users.filter(memberships__agency_id=agency_id, memberships__role=Role.MANAGER).distinct())


def _notify(task: Task, agency_id: int, event: str, key: str, **extra) -> None:
    subject, body = render(event, task_context(task, **extra))
    for user in heads_of(agency_id):
        queue_notice(event=event, channel=NoticeChannel.IN_APP, recipient=user.get_username(), subject=subject,
                     body=body, user=user, dedupe_key=f"task:{task.pk}:{event}:{key}:user:{user.pk}")


# --- deadlines -----------------------------------------------------------------------------------


def due_moments(due_on: date, agency) -> tuple[datetime, datetime]:
    """(late from, due soon from): the midnight after the due date, and DUE_SOON_WORKING_DAYS before it."""
    from worktime.services import subtract_working_hours

    due_at = datetime.combine(due_on + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())
    return due_at, subtract_working_hours(due_at, DUE_SOON_WORKING_DAYS * 8, agency)


def _set_deadline(task: Task, due_on: date | None) -> None:
    task.due_on = due_on
    if due_on is None:
        task.due_at = task.due_soon_at = None
    else:
        task.due_at, task.due_soon_at = due_moments(due_on, task.lead_agency)
    task.is_due_soon = task.is_late = False


def working_days_deadline(assigned_at: datetime, days: int, agency) -> date:
    """The date N working days after the assignment, on the lead unit's working calendar."""
    from worktime.services import compute_appointment_for

    appointment = compute_appointment_for(assigned_at, days, "working_days", agency)
    return _local_day(appointment.appointment_at)


# --- files ---------------------------------------------------------------------------------------


def _check_files(files, field: str = "files") -> list:
    files = [f for f in (files or []) if f]
    for f in files:
        validate_upload(f, field)
    return files


def _store_files(report: TaskReport, files: list, stored: list[str]) -> None:
    for f in files:
        upload = store_upload(f, folder="tasks")
        stored.append(upload.name)
        TaskFile.objects.create(report=report, file=upload.name, file_name=upload.original_filename or upload.name,
                                content_type=upload.content_type, size=upload.size)


def _with_files(fn):
    """Run `fn(stored)` in one transaction; files it stored are removed again when it fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return fn(stored)
    except BaseException:
        delete_stored(stored)
        raise


# --- directives and assignment -------------------------------------------------------------------


def create_directive(*, actor, number, issued_on, signer, title, issuing_agency: Agency, file=None) -> Directive:
    """Record a directive (văn bản chỉ đạo) of a unit the actor may assign for."""
    if issuing_agency is None:
        raise _fail("issuing_agency", _("Vui lòng chọn cơ quan ban hành."), "required")
    if not may_assign_for(actor, issuing_agency.pk):
        raise NotAllowed(_("Chỉ lãnh đạo, quản lý của cơ quan ban hành được nhập văn bản giao nhiệm vụ."))
    number = _text(number, "number", _("Vui lòng nhập số, ký hiệu văn bản."), max_length=60)
    signer = _text(signer, "signer", _("Vui lòng nhập người ký."), max_length=120)
    title = _text(title, "title", _("Vui lòng nhập trích yếu văn bản."), max_length=500)
    issued_on = _date(issued_on, "issued_on", required=True)
    if issued_on > timezone.localdate():
        raise _fail("issued_on", _("Ngày ban hành không được ở tương lai."), "future_date")
    files = _check_files([file] if file else [], "file")

    def write(stored):
        directive = Directive(number=number, issued_on=issued_on, signer=signer, title=title,
                              issuing_agency=issuing_agency, created_by=actor)
        if files:
            upload = store_upload(files[0], folder="directives")
            stored.append(upload.name)
            directive.file, directive.file_name, directive.content_type = (upload.name, upload.original_filename,
                                                                            upload.content_type)
        try:
            with transaction.atomic():
                directive.save()
        except IntegrityError:
            raise _fail("number", _("Cơ quan đã có văn bản số %(number)s.") % {"number": number}, "duplicate") from None
        return directive

    return _with_files(write)


def _subordinates(assigner_id: int) -> set[int]:
    return descendant_ids([assigner_id]) - {assigner_id}


def check_units(assigner_id: int, lead_agency, supporting: Iterable) -> None:
    """The lead and supporting units must be under the assigner (its tree), the lead not also supporting."""
    tree = _subordinates(assigner_id)
    if lead_agency is None:
        raise _fail("lead_agency", _("Vui lòng chọn đơn vị chủ trì."), "required")
    if lead_agency.pk not in tree:
        raise _fail("lead_agency", _("Đơn vị “%(unit)s” không thuộc phạm vi của đơn vị giao nhiệm vụ.")
                    % {"unit": lead_agency.name}, "outside_tree")
    for agency in supporting:
        if agency.pk not in tree:
            raise _fail("supporting_agencies", _("Đơn vị “%(unit)s” không thuộc phạm vi của đơn vị giao nhiệm vụ.")
                        % {"unit": agency.name}, "outside_tree")
        if agency.pk == lead_agency.pk:
            raise _fail("supporting_agencies", _("Đơn vị chủ trì không đồng thời là đơn vị phối hợp."), "lead_supporting")


def resolve_deadline(assigned_at: datetime, kind, due_on, working_days, lead_agency) -> tuple[str, date | None, int | None]:
    """(kind, due date, working days) from what the assigner entered; bad input names its field."""
    kind = kind or (DeadlineKind.DATE if due_on else DeadlineKind.WORKING_DAYS if working_days else DeadlineKind.NONE)
    if kind not in DeadlineKind.values:
        raise _fail("deadline_kind", _("Loại thời hạn không hợp lệ (date, working_days, none)."))
    if kind == DeadlineKind.NONE:
        return kind, None, None
    if kind == DeadlineKind.WORKING_DAYS:
        try:
            days = int(working_days)
        except (TypeError, ValueError):
            days = 0
        if isinstance(working_days, bool) or days < 1 or days > MAX_WORKING_DAYS:
            raise _fail("working_days", _("Số ngày làm việc phải là số nguyên từ 1 đến %(max)d.")
                        % {"max": MAX_WORKING_DAYS})
        return kind, working_days_deadline(assigned_at, days, lead_agency), days
    due = _date(due_on, "due_on", required=True)
    if rules.deadline_problem(_local_day(assigned_at), due):
        raise _fail("due_on", _("Hạn hoàn thành (%(due)s) không được trước ngày giao nhiệm vụ (%(assigned)s).")
                    % {"due": due.strftime("%d/%m/%Y"), "assigned": _local_day(assigned_at).strftime("%d/%m/%Y")},
                    "deadline_before_assignment")
    return kind, due, None


def assign_task(*, actor, directive: Directive, title, lead_agency, supporting_agencies=(), description: str = "",
                deadline_kind=None, due_on=None, working_days=None, assigned_at=None, notify: bool = True) -> Task:
    """Assign a task of a directive to a lead unit (and supporting units), with a deadline or none."""
    if directive is None:
        raise _fail("directive", _("Vui lòng chọn văn bản giao nhiệm vụ."), "required")
    if not may_assign_for(actor, directive.issuing_agency_id):
        raise NotAllowed(_("Chỉ lãnh đạo, quản lý của đơn vị giao được giao nhiệm vụ."))
    title = _text(title, "title", _("Vui lòng nhập nội dung nhiệm vụ."), max_length=500)
    supporting = list({a.pk: a for a in supporting_agencies or []}.values())
    check_units(directive.issuing_agency_id, lead_agency, supporting)
    at = _when(assigned_at)
    if _local_day(at) < directive.issued_on:
        raise _fail("assigned_at", _("Ngày giao không được trước ngày ban hành văn bản."), "before_directive")
    kind, due, days = resolve_deadline(at, deadline_kind, due_on, working_days, lead_agency)
    with transaction.atomic():
        task = Task(directive=directive, title=title, description=(description or "").strip(),
                    assigner_id=directive.issuing_agency_id, lead_agency=lead_agency, assigned_at=at,
                    deadline_kind=kind, deadline_working_days=days, original_due_on=due, created_by=actor)
        _set_deadline(task, due)
        task.save()
        if supporting:
            task.supporting_agencies.set(supporting)
        note = _("Giao %(lead)s chủ trì; hạn hoàn thành: %(due)s.") % {
            "lead": lead_agency.name, "due": due.strftime("%d/%m/%Y") if due else _("không có thời hạn")}
        _event(task, "assign", actor, "", note, at=at)
        if notify:
            for agency_id in [lead_agency.pk, *(a.pk for a in supporting)]:
                _notify(task, agency_id, "task_assigned", str(agency_id))
    return task


# --- the lead unit's actions ---------------------------------------------------------------------


def _percent(value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if rules.percent_problem(value):
        raise _fail("percent", _("Tiến độ phải là số nguyên từ 0 đến 100."))
    return value


def report_progress(task, *, actor, text, percent, files=(), expected_version=None, at=None) -> Task:
    files = _check_files(files)

    def write(stored):
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.REPORT_PROGRESS)
        body = _text(text, "text", _("Vui lòng nhập nội dung báo cáo."))
        value = _percent(percent)
        now = _when(at, "at")
        report = TaskReport.objects.create(task=locked, kind=ReportKind.PROGRESS, text=body, percent=value,
                                           submitted_at=now, submitted_by=actor)
        _store_files(report, files, stored)
        from_status = locked.status
        locked.progress_percent = value
        _save(locked, {"progress_percent"})
        _event(locked, rules.REPORT_PROGRESS, actor, from_status, f"{value}% – {body}", at=now)
        return locked

    return _with_files(write)


def request_extension(task, *, actor, proposed_due_on, reason, expected_version=None, at=None) -> Task:
    with transaction.atomic():
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.REQUEST_EXTENSION)
        now = _when(at, "at")
        proposed = _date(proposed_due_on, "proposed_due_on", required=True)
        problem = rules.extension_problem(locked.due_on, proposed)
        if problem == "no_deadline":
            msg = _("Nhiệm vụ không có thời hạn: không cần gia hạn.")
            raise ActionNotAllowed(msg, code="no_deadline", fields={"proposed_due_on": [msg]})
        if problem == "not_later":
            raise _fail("proposed_due_on", _("Hạn đề nghị phải sau hạn đang áp dụng (%(due)s).")
                        % {"due": locked.due_on.strftime("%d/%m/%Y")}, "not_later")
        if not rules.extension_may_be_granted(locked.due_on, _local_day(now)):
            msg = _("Nhiệm vụ đã quá hạn (%(due)s): không thể gia hạn.") % {"due": locked.due_on.strftime("%d/%m/%Y")}
            raise ActionNotAllowed(msg, code="deadline_passed", fields={"proposed_due_on": [msg]})
        reason = _text(reason, "reason", _("Vui lòng nêu lý do đề nghị gia hạn."))
        if ExtensionRequest.objects.filter(task=locked, state=ExtensionState.PENDING).exists():
            raise ActionNotAllowed(_("Đã có đề nghị gia hạn đang chờ xem xét."), code="extension_pending")
        request = ExtensionRequest.objects.create(task=locked, requested_at=now, requested_by=actor, reason=reason,
                                        old_due_on=locked.due_on, proposed_due_on=proposed)
        _save(locked, ())
        _event(locked, rules.REQUEST_EXTENSION, actor, locked.status,
               _("Đề nghị gia hạn đến %(due)s. Lý do: %(reason)s") % {"due": proposed.strftime("%d/%m/%Y"),
                                                                    "reason": reason}, at=now)
        _notify(locked, locked.assigner_id, "task_extension_requested", str(request.pk),
                old_due=locked.due_on, new_due=proposed, reason=reason)
    return locked


def _pending(task: Task) -> ExtensionRequest:
    pending = ExtensionRequest.objects.select_for_update().filter(task=task, state=ExtensionState.PENDING).first()
    if pending is None:
        raise ActionNotAllowed(_("Không có đề nghị gia hạn nào đang chờ xem xét."), code="no_pending_extension")
    return pending


def grant_extension(task, *, actor, due_on=None, note: str = "", expected_version=None, at=None) -> Task:
    """Grant the pending request: the deadline in force moves (the original is kept), if it has not passed."""
    with transaction.atomic():
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.GRANT_EXTENSION)
        request = _pending(locked)
        now = _when(at, "at")
        new_due = _date(due_on, "due_on", required=False) or request.proposed_due_on
        if not rules.extension_may_be_granted(locked.due_on, _local_day(now)):
            msg = _("Đã quá hạn %(due)s: không thể gia hạn nữa, chỉ có thể từ chối đề nghị.") % {
                "due": locked.due_on.strftime("%d/%m/%Y")}
            raise ActionNotAllowed(msg, code="deadline_passed", fields={"due_on": [msg]})
        if new_due <= locked.due_on:
            raise _fail("due_on", _("Hạn mới phải sau hạn đang áp dụng (%(due)s).")
                        % {"due": locked.due_on.strftime("%d/%m/%Y")}, "not_later")
        request.state, request.decided_at, request.decided_by = ExtensionState.GRANTED, now, actor
        request.granted_due_on, request.decision_note = new_due, (note or "").strip()
        request.save()
        old = locked.due_on
        _set_deadline(locked, new_due)
        _save(locked, {"due_on", "due_at", "due_soon_at", "is_due_soon", "is_late"})
        _event(locked, rules.GRANT_EXTENSION, actor, locked.status,
               _("Gia hạn từ %(old)s đến %(new)s (hạn ban đầu %(original)s).") % {
                   "old": old.strftime("%d/%m/%Y"), "new": new_due.strftime("%d/%m/%Y"),
                   "original": locked.original_due_on.strftime("%d/%m/%Y")}, at=now)
        _notify(locked, locked.lead_agency_id, "task_extension_granted", str(request.pk))
    return locked


def refuse_extension(task, *, actor, note: str = "", expected_version=None, at=None) -> Task:
    with transaction.atomic():
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.REFUSE_EXTENSION)
        request = _pending(locked)
        now = _when(at, "at")
        note = _text(note, "note", _("Vui lòng nêu lý do không đồng ý gia hạn."))
        request.state, request.decided_at, request.decided_by, request.decision_note = (
            ExtensionState.REFUSED, now, actor, note)
        request.save()
        _save(locked, ())
        _event(locked, rules.REFUSE_EXTENSION, actor, locked.status, note, at=now)
        _notify(locked, locked.lead_agency_id, "task_extension_refused", str(request.pk), note=note)
    return locked


def report_completion(task, *, actor, text, files=(), expected_version=None, at=None) -> Task:
    """The lead unit reports the task done, with its evidence; a pending extension request lapses."""
    files = _check_files(files)

    def write(stored):
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.REPORT_COMPLETION)
        body = _text(text, "text", _("Vui lòng nêu kết quả và minh chứng hoàn thành."))
        now = _when(at, "at")
        report = TaskReport.objects.create(task=locked, kind=ReportKind.COMPLETION, text=body, percent=100,
                                           submitted_at=now, submitted_by=actor)
        _store_files(report, files, stored)
        ExtensionRequest.objects.filter(task=locked, state=ExtensionState.PENDING).update(
            state=ExtensionState.WITHDRAWN, decided_at=now)
        from_status = locked.status
        locked.status, locked.progress_percent = TaskStatus.COMPLETION_REPORTED, 100
        locked.reported_on = _local_day(now)
        _save(locked, {"status", "progress_percent", "reported_on"})
        _event(locked, rules.REPORT_COMPLETION, actor, from_status, body, at=now)
        _notify(locked, locked.assigner_id, "task_completion_reported", str(report.pk))
        return locked

    return _with_files(write)


# --- the assigner's answer to a completion report --------------------------------------------------


def _last_completion(task: Task) -> TaskReport:
    return (TaskReport.objects.select_for_update().filter(task=task, kind=ReportKind.COMPLETION, outcome="")
            .order_by("-submitted_at", "-id").first())


def accept_completion(task, *, actor, note: str = "", expected_version=None, at=None) -> Task:
    """Accept: the task is done as of the accepted report's date, judged against the deadline in force."""
    with transaction.atomic():
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.ACCEPT_COMPLETION)
        now = _when(at, "at")
        report = _last_completion(locked)
        report.outcome, report.decided_at, report.decided_by = ReportOutcome.ACCEPTED, now, actor
        report.decision_note = (note or "").strip()
        report.save()
        from_status = locked.status
        locked.status, locked.completed_at = TaskStatus.DONE, report.submitted_at
        locked.verdict = rules.verdict(locked.due_on, _local_day(report.submitted_at)) or ""
        locked.is_late = locked.verdict == rules.LATE
        _save(locked, {"status", "completed_at", "verdict", "is_late"})
        label = locked.get_verdict_display() if locked.verdict else _("không có thời hạn")
        _event(locked, rules.ACCEPT_COMPLETION, actor, from_status,
               (_("Xác nhận hoàn thành (%(verdict)s).") % {"verdict": label}) + (f" {report.decision_note}"
                                                                               if report.decision_note else ""), at=now)
        _notify(locked, locked.lead_agency_id, "task_accepted", str(report.pk), verdict=label)
    return locked


def return_completion(task, *, actor, note, expected_version=None, at=None) -> Task:
    """Send the completion report back: the task is open again and its clock runs on."""
    with transaction.atomic():
        locked = _lock(task, expected_version)
        _check(locked, actor, rules.RETURN_COMPLETION)
        note = _text(note, "note", _("Vui lòng nêu lý do trả lại."))
        now = _when(at, "at")
        report = _last_completion(locked)
        report.outcome, report.decided_at, report.decided_by, report.decision_note = (
            ReportOutcome.RETURNED, now, actor, note)
        report.save()
        from_status = locked.status
        locked.status, locked.reported_on = TaskStatus.OPEN, None
        _save(locked, {"status", "reported_on"})
        _event(locked, rules.RETURN_COMPLETION, actor, from_status, note, at=now)
        _notify(locked, locked.lead_agency_id, "task_returned", str(report.pk), note=note)
    return locked


ACTIONS = {
    rules.REPORT_PROGRESS: report_progress,
    rules.REQUEST_EXTENSION: request_extension,
    rules.GRANT_EXTENSION: grant_extension,
    rules.REFUSE_EXTENSION: refuse_extension,
    rules.REPORT_COMPLETION: report_completion,
    rules.ACCEPT_COMPLETION: accept_completion,
    rules.RETURN_COMPLETION: return_completion,
}
