"""Every write to a dossier: one function per domain action, each the whole action in one transaction.

Each action locks the dossier row, asks the transition table (`dossiers.transitions`), checks the
optional `expected_version` (optimistic concurrency: a stale screen gets 409, nothing changes), writes the
change, bumps `version`, writes one timeline event and the notices, all in the same transaction: an action
that fails leaves no event and no notice behind.

Services take model instances and plain values and return the (fresh) dossier; a caller must use the
returned object, not the one it passed in. `at` (where offered) records an action that happened earlier on
paper (entering a backlog after an outage, the demo data): never in the future.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from national.services import record_dossier_event
from notices.services import notify_citizen, notify_staff
from organisation.errors import ActionNotAllowed, ConcurrentChange, NotAllowed, ValidationFailed
from organisation.models import Agency, Role, StaffMembership
from organisation.names import display_name

from . import transitions as tt
from .codes import next_dossier_code, next_register_number
from .models import (
    ApplicantKind,
    Channel,
    ComponentSource,
    Dossier,
    DossierComponent,
    FeePayment,
    IdType,
    ReturnMethod,
    Status,
    Step,
    SupplementRequest,
    TimelineEvent,
    Verdict,
)
from .selectors import (
    active_agencies,
    department_named,
    dossier_by_idempotency_key,
    procedure_steps,
    remember_new_rows,
    transfer_destinations,
)
from .uploads import check_dossier_limits, delete_stored, dossier_usage, store_upload, validate_upload
from .uploads import upload_size as _upload_size

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

# Actions whose roles count only at the receiving agency's desk; the others also count at the agency
# holding the dossier's current step (liên thông).
DESK_ONLY_ACTIONS = frozenset({"submit", "receive", "return", "withdraw"})

CLOSED_STEP_STATUSES = {Status.REFUSED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED, Status.DECIDED, Status.RETURNED}

_CCCD = re.compile(r"^\d{12}$")
_OTHER_ID = re.compile(r"^[A-Za-z0-9]{5,20}$")
_PHONE = re.compile(r"^(?:0|\+84)\d{9}$")


def _clock():
    """The working-time services, imported when first needed (the calendar app loads after this one)."""
    from worktime import services

    return services


# --- who may do what -------------------------------------------------------------------------------


def staff_pairs(user) -> set[tuple[int, str]]:
    """Every (agency id, role) the user holds, in one query; cached on the user object for a request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_motcua_staff_pairs", None)
    if cached is None:
        cached = set(StaffMembership.objects.filter(user=user).values_list("agency_id", "role"))
        try:
            user._motcua_staff_pairs = cached
        except AttributeError:
            pass
    return cached


def roles_for(dossier, user, action: str | None = None, pairs: set[tuple[int, str]] | None = None) -> set[str]:
    """The roles `user` holds for `action` on `dossier`.

    A desk officer of the receiving agency always counts (the desk receives supplements, fees and the
    result even while a province department holds the dossier); other roles count at the agency holding
    the current step, except for the desk-only actions. The owner of an online dossier is `citizen`; a
    superuser holds every staff role.
    """
    roles: set[str] = set()
    if user is None or not getattr(user, "is_authenticated", False):
        return roles
    if dossier.citizen_id is not None and dossier.citizen_id == user.pk:
        roles.add(tt.CITIZEN)
    if user.is_superuser:
        return roles | set(tt.STAFF_ROLES)
    pairs = staff_pairs(user) if pairs is None else pairs
    holding = dossier.current_agency_id or dossier.agency_id
    for agency_id, role in pairs:
        if agency_id == dossier.agency_id and role == Role.DESK_OFFICER:
            roles.add(role)
        if action not in DESK_ONLY_ACTIONS and agency_id == holding:
            roles.add(role)
    return roles


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


# --- small helpers ---------------------------------------------------------------------------------


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
    if at is not None:  # an action entered for a closed month: its report rollup is read live until rebuilt
        from reporting.rollup import invalidate_from

        invalidate_from(at)
    event = TimelineEvent.objects.create(
        dossier=dossier, at=at or _now(), action=action, actor=actor, actor_name=_actor_name(actor),
        from_status=from_status, to_status=to_status, note=note, public=public,
    )
    record_dossier_event(dossier, event)  # the national portal's outbox row, in this transaction
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


# --- steps -----------------------------------------------------------------------------------------


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


def current_step(steps: list[Step]) -> Step | None:
    """The step being worked on: started, not finished (the latest such one)."""
    open_steps = [s for s in steps if s.started_at is not None and s.finished_at is None]
    return open_steps[-1] if open_steps else None


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
    for i, row in enumerate(rows, start=1):
        agency = _step_agency(row, dossier.agency)
        department = None
        if row.department_name:
            department = department_named(agency, row.department_name.strip())
        steps.append(Step(dossier=dossier, order=i, name=row.name, agency=agency, department=department,
                          role=row.role, allowance_seconds=int(Decimal(row.allowance_hours) * 3600)))
    return steps


def _insert_steps(steps: list[Step]) -> None:
    """Insert new steps and their history rows, one statement each (the dossier must be saved)."""
    bulk_create_with_history(steps, Step)


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


# --- input checks ----------------------------------------------------------------------------------


@dataclass
class CleanComponent:
    name: str
    kind: str
    count: int
    component_id: int | None
    file: object | None
    content_type: str = ""
    safe_name: str = ""
    digest: str = ""
    data_source: str = ""


def clean_applicant(applicant: dict | None, prefix: str = "applicant") -> dict:
    """The applicant's fields checked; every problem is reported at once, named `applicant.<field>`."""
    data = dict(applicant or {})
    errors: dict[str, list[str]] = {}
    out = {
        "kind": (data.get("kind") or ApplicantKind.PERSON),
        "full_name": " ".join(str(data.get("full_name") or "").split()),
        "id_type": (data.get("id_type") or IdType.CCCD),
        "id_number": str(data.get("id_number") or "").strip().replace(" ", ""),
        "phone": re.sub(r"[\s.\-()]", "", str(data.get("phone") or "")),
        "email": str(data.get("email") or "").strip(),
        "address": " ".join(str(data.get("address") or "").split()),
        "owner_name": " ".join(str(data.get("owner_name") or "").split()),
        "owner_id_number": str(data.get("owner_id_number") or "").strip(),
    }
    if out["kind"] not in ApplicantKind.values:
        errors[f"{prefix}.kind"] = [_("Loại chủ hồ sơ không hợp lệ.")]
    if not out["full_name"]:
        errors[f"{prefix}.full_name"] = [_("Vui lòng nhập họ và tên người nộp.")]
    elif len(out["full_name"]) > 255:
        errors[f"{prefix}.full_name"] = [_("Họ và tên quá dài (tối đa 255 ký tự).")]
    if out["id_type"] not in IdType.values:
        errors[f"{prefix}.id_type"] = [_("Loại giấy tờ không hợp lệ.")]
    elif out["id_number"]:
        if out["id_type"] == IdType.CCCD and not _CCCD.match(out["id_number"]):
            errors[f"{prefix}.id_number"] = [_("Số căn cước (CCCD) phải gồm đúng 12 chữ số.")]
        elif out["id_type"] != IdType.CCCD and not _OTHER_ID.match(out["id_number"]):
            errors[f"{prefix}.id_number"] = [_("Số giấy tờ phải gồm 5 đến 20 chữ cái hoặc chữ số.")]
    if out["phone"] and not _PHONE.match(out["phone"]):
        errors[f"{prefix}.phone"] = [_("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0 hoặc +84.")]
    if out["email"]:
        try:
            validate_email(out["email"])
        except DjangoValidationError:
            errors[f"{prefix}.email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if len(out["address"]) > 500:
        errors[f"{prefix}.address"] = [_("Địa chỉ quá dài (tối đa 500 ký tự).")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)
    return out


def _clean_components(procedure, components, prefix: str = "components",
                      held: tuple[int, int, int] = (0, 0, 0)) -> list[CleanComponent]:
    """Components checked and their files validated by content, before anything is stored.

    `held`: the (components, files, bytes) the dossier already holds; with the new ones they must stay
    within the per-dossier limits (`uploads.check_dossier_limits`), checked before any file is read."""
    components = list(components or ())
    new_files = [raw.get("file") for raw in components if isinstance(raw, dict) and hasattr(raw.get("file"), "read")]
    check_dossier_limits(held[0] + len(components), held[1] + len(new_files),
                         held[2] + sum(_upload_size(f) for f in new_files), field=prefix)
    known = {c.pk: c for c in procedure.components.all()} if components else {}
    out, errors = [], {}
    for i, raw in enumerate(components or ()):
        where = f"{prefix}[{i}]"
        if not isinstance(raw, dict):
            errors[where] = [_("Thành phần hồ sơ không hợp lệ.")]
            continue
        ref = raw.get("component")
        component = None
        if ref not in (None, ""):
            try:
                component = known.get(int(ref))
            except (TypeError, ValueError):
                component = None
            if component is None:
                errors[f"{where}.component"] = [_("Giấy tờ này không thuộc thủ tục.")]
                continue
        name = " ".join(str(raw.get("name") or (component.name if component else "")).split())
        kind = raw.get("kind") or (component.kind if component else "original")
        count = raw.get("count", component.count if component else 1)
        if not name:
            errors[f"{where}.name"] = [_("Vui lòng nhập tên giấy tờ.")]
        elif len(name) > 500:
            errors[f"{where}.name"] = [_("Tên giấy tờ quá dài.")]
        if kind not in ("original", "certified_copy", "copy"):
            errors[f"{where}.kind"] = [_("Loại bản phải là bản chính, bản sao chứng thực hoặc bản sao.")]
        source = raw.get("data_source") or ""
        if source not in ComponentSource.values:
            errors[f"{where}.data_source"] = [_("Nguồn dữ liệu không hợp lệ.")]
        try:
            count = int(count)
            if not 1 <= count <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors[f"{where}.count"] = [_("Số lượng phải là số nguyên từ 1 đến 100.")]
        item = CleanComponent(name=name, kind=kind, count=count if isinstance(count, int) else 1,
                              component_id=component.pk if component else None, file=raw.get("file") or None,
                              data_source=source if source in ComponentSource.values else "")
        if item.file is not None and not (hasattr(item.file, "read") and hasattr(item.file, "seek")):
            # A JSON body can only name a file, not carry one.
            errors[f"{where}.file"] = [_("Tệp phải được gửi kèm (multipart/form-data).")]
            continue
        if item.file is not None:
            # 413 / 415 are raised as they are: the whole request is refused, nothing stored.
            item.content_type, item.safe_name = validate_upload(item.file, field=f"{where}.file")
            item.digest = _file_digest(item.file)
        out.append(item)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return out


def _file_digest(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else [file.read()]:
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _store_components(dossier, items: list[CleanComponent], supplement_round: int,
                      stored: list[str]) -> list[DossierComponent]:
    created = []
    for item in items:
        values = {"dossier": dossier, "component_id": item.component_id, "name": item.name, "kind": item.kind,
                  "count": item.count, "supplement_round": supplement_round, "data_source": item.data_source}
        if item.file is not None:
            upload = store_upload(item.file, folder="dossiers", content_type=item.content_type,
                                  safe_name=item.safe_name)
            stored.append(upload.name)
            values.update(file=upload.name, original_filename=upload.original_filename,
                          content_type=upload.content_type)
        created.append(DossierComponent(**values))
    # One INSERT for all of them (the files are stored first; a failed insert deletes them with `stored`).
    return DossierComponent.objects.bulk_create(created) if created else []


def _choice(value, choices, field: str, default):
    value = value or default
    if value not in choices.values:
        msg = _("Giá trị không hợp lệ. Chọn một trong: %(values)s.") % {"values": ", ".join(choices.values)}
        raise ValidationFailed(msg, fields={field: [msg]})
    return value


def performs(procedure, agency) -> bool:
    """Whether `agency` performs `procedure`: named among its agencies, or at one of its levels."""
    levels = {lvl.strip() for lvl in (procedure.agency_levels or "").split(",") if lvl.strip()}
    if agency.level in levels:
        return True
    return procedure.agencies.filter(pk=agency.pk).exists()


def _check_procedure(procedure, agency, field: str = "agency") -> None:
    if procedure.status != "published":
        msg = _("Thủ tục chưa được công bố, không thể tiếp nhận.")
        raise ValidationFailed(msg, code="procedure_not_published", fields={"procedure": [msg]})
    today = timezone.localdate()
    if (procedure.effective_from and procedure.effective_from > today) or (
        procedure.effective_to and procedure.effective_to < today
    ):
        msg = _("Thủ tục không còn (hoặc chưa có) hiệu lực.")
        raise ValidationFailed(msg, code="procedure_not_in_force", fields={"procedure": [msg]})
    if not agency.is_active or not performs(procedure, agency):
        msg = _("Cơ quan %(agency)s không thực hiện thủ tục này.") % {"agency": agency.name}
        raise ValidationFailed(msg, code="agency_not_performing", fields={field: [msg]})


def _intake_agency(actor, procedure, agency) -> Agency:
    """The receiving agency: the one given (where the actor is a desk officer) or the actor's own desk."""
    if actor.is_superuser:
        desk_ids = None
    else:
        desk_ids = {a for a, role in staff_pairs(actor) if role == Role.DESK_OFFICER}
        if not desk_ids:
            raise NotAllowed(_("Chỉ cán bộ một cửa mới được tiếp nhận hồ sơ."))
    if agency is None:
        if desk_ids is None:
            msg = _("Vui lòng chọn cơ quan tiếp nhận.")
            raise ValidationFailed(msg, code="required", fields={"agency": [msg]})
        candidates = active_agencies(desk_ids)
        fitting = [a for a in candidates if performs(procedure, a)]
        if len(fitting) == 1 or (fitting and len(candidates) == 1):
            return fitting[0]
        if not fitting:
            agency = candidates[0] if candidates else None
            if agency is None:
                raise NotAllowed(_("Chỉ cán bộ một cửa mới được tiếp nhận hồ sơ."))
            return agency  # _check_procedure names the problem
        msg = _("Ông/bà làm việc ở nhiều cơ quan: vui lòng chọn cơ quan tiếp nhận.")
        raise ValidationFailed(msg, code="required", fields={"agency": [msg]})
    if desk_ids is not None and agency.pk not in desk_ids:
        msg = _("Ông/bà không phải cán bộ một cửa của cơ quan này.")
        raise ValidationFailed(msg, code="agency_not_yours", fields={"agency": [msg]})
    return agency


def _fingerprint(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _idempotent(user, key: str, fingerprint: str) -> Dossier | None:
    existing = dossier_by_idempotency_key(user, key)
    if existing is None:
        return None
    if existing.idempotency_fingerprint != fingerprint:
        raise ConcurrentChange(
            _("Khóa Idempotency-Key này đã được dùng cho một hồ sơ khác nội dung."), code="idempotency_conflict"
        )
    existing.idempotent_replay = True  # the API answers a replay with `Idempotent-Replayed: true`
    return existing


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 100:
        msg = _("Idempotency-Key dài tối đa 100 ký tự.")
        raise ValidationFailed(msg, fields={"idempotency_key": [msg]})
    return key


def _applicant_fields(clean: dict) -> dict:
    return {
        "applicant_kind": clean["kind"], "applicant_name": clean["full_name"], "applicant_id_type": clean["id_type"],
        "applicant_id_number": clean["id_number"], "applicant_phone": clean["phone"],
        "applicant_email": clean["email"], "applicant_address": clean["address"],
        "owner_name": clean["owner_name"] or clean["full_name"],
        "owner_id_number": clean["owner_id_number"] or clean["id_number"],
    }


def _create_with_key(values: dict, *, agency, code_day, user, key, fingerprint) -> tuple[Dossier, bool]:
    """Insert the dossier (taking a code when `code_day` is given); a lost idempotency race returns the
    winner's dossier, and the savepoint also gives the code number back."""
    try:
        with transaction.atomic():
            if code_day is not None:
                values = {**values, "code": next_dossier_code(agency, code_day), "register_year": code_day.year,
                          "register_no": next_register_number(agency.pk, code_day.year)}
            return Dossier.objects.create(**values), True
    except IntegrityError:
        if key:
            existing = _idempotent(user, key, fingerprint)
            if existing is not None:
                return existing, False
        raise


# --- intake and submission -------------------------------------------------------------------------


# The three outcomes of the counter check (domain.md §3) and the action of the transition table each is.
INTAKE_OUTCOMES = {"receive": "receive", "supplement": "request-supplement", "refuse": "refuse"}


def _clean_outcome(outcome, items, reason) -> tuple[str, str, str]:
    outcome = outcome or "receive"
    if outcome not in INTAKE_OUTCOMES:
        msg = _("Kết quả kiểm tra hồ sơ phải là một trong: %(values)s.") % {"values": ", ".join(INTAKE_OUTCOMES)}
        raise ValidationFailed(msg, fields={"outcome": [msg]})
    items_text, reason_text = _items_text(items), (reason or "").strip() if isinstance(reason, str) else ""
    if outcome == "supplement" and not items_text:
        msg = _("Vui lòng liệt kê đầy đủ các giấy tờ cần bổ sung.")
        raise ValidationFailed(msg, code="required", fields={"items": [msg]})
    if outcome == "refuse" and not reason_text:
        msg = _("Vui lòng nêu lý do từ chối tiếp nhận.")
        raise ValidationFailed(msg, code="required", fields={"reason": [msg]})
    if outcome == "receive":
        items_text, reason_text = "", ""
    return outcome, items_text, reason_text


def intake(*, actor, procedure, agency=None, channel: str = "counter", applicant: dict, summary: str = "",
           components=(), received_at: datetime | None = None, return_method: str = "desk",
           return_address: str = "", idempotency_key: str = "", outcome: str = "receive", items="",
           reason: str = "", fully_online: bool = False) -> Dossier:
    """A desk officer takes a dossier at the counter and records the outcome of the check (domain.md §3).

    `outcome` "receive" (tiếp nhận, form 01): status 2 at once, with its code, appointment and steps, the
    desk step started, the applicant told. "supplement" (form 02, `items` lists everything missing in
    one go): the dossier is recorded with its code at status 5 with a supplement round, but not received:
    no appointment, the clock starts when the complete dossier arrives (`supplement_received` receives
    it then). "refuse" (form 03, with `reason`): recorded with its code at status 3. Either way the
    counter visit is `submitted_at`, the officer `received_by`, and the applicant is told.

    `received_at` enters a dossier taken earlier on paper (never in the future); it is noted in the
    timeline. An online-only procedure may still be entered for a citizen by an officer (noted).
    The same `idempotency_key` and body return the dossier made the first time; a different body is 409.
    """
    agency = _intake_agency(actor, procedure, agency)
    _check_procedure(procedure, agency)
    outcome, items_text, reason_text = _clean_outcome(outcome, items, reason)
    tt_roles = {Role.DESK_OFFICER} if actor.is_superuser or (agency.pk, Role.DESK_OFFICER) in staff_pairs(actor) \
        else set()
    try:
        transition = tt.check(INTAKE_OUTCOMES[outcome], tt.NEW, tt_roles)
    except tt.TransitionError:
        raise NotAllowed(_("Chỉ cán bộ một cửa mới được tiếp nhận hồ sơ.")) from None
    channel = _choice(channel, Channel, "channel", Channel.COUNTER)
    return_method = _choice(return_method, ReturnMethod, "return_method", ReturnMethod.DESK)
    clean = clean_applicant(applicant)
    key = _check_key(idempotency_key)
    now = _now()
    backdated = received_at is not None
    received_at = _when(received_at, "received_at")
    items = _clean_components(procedure, components)
    fingerprint = _fingerprint({
        "procedure": procedure.code, "agency": agency.code, "channel": channel, "applicant": clean,
        "summary": summary or "", "return_method": return_method, "return_address": return_address or "",
        "received_at": received_at.isoformat() if backdated else None,
        "components": [[c.name, c.kind, c.count, c.component_id, c.digest] for c in items],
        # Only when not the default, so the keys of intakes made before outcomes existed still match.
        **({"outcome": outcome, "items": items_text, "reason": reason_text} if outcome != "receive" else {}),
    })
    if key:
        existing = _idempotent(actor, key, fingerprint)
        if existing is not None:
            return existing
    at = received_at  # the counter visit
    received = outcome == "receive"
    stored: list[str] = []
    try:
        with transaction.atomic():
            values = {
                "procedure": procedure, "agency": agency, "current_agency": agency, "status": transition.to_status,
                "channel": channel, "return_method": return_method, "return_address": (return_address or "")[:500],
                "summary": summary or "", "received_by": actor, "created_by": actor,
                "fully_online": bool(fully_online) and channel == Channel.ONLINE,
                "received_at": at if received else None, "submitted_at": None if received else at,
                "idempotency_key": key, "idempotency_fingerprint": fingerprint if key else "",
                **_applicant_fields(clean),
            }
            steps: list[Step] = []
            if received:  # appointment and steps worked out first, so that each row is written once
                planned = Dossier(**values)
                steps = _plan_schedule(planned, at, actor)
                values.update({name: getattr(planned, name) for name in (
                    "appointment_at", "original_appointment_at", "due_soon_at", "is_late", "is_due_soon",
                    "current_agency", "receipt_due_at", "portal_due_at")})
            dossier, created = _create_with_key(values, agency=agency, code_day=timezone.localdate(at),
                                                user=actor, key=key, fingerprint=fingerprint)
            if not created:
                return dossier
            if steps:
                for step in steps:
                    step.dossier = dossier
                _insert_steps(steps)
            components = _store_components(dossier, items, 0, stored)
            supplements: list[SupplementRequest] = []
            notes = []
            if backdated and now - at > timedelta(minutes=1):
                notes.append(_("Tiếp nhận trên giấy lúc %(at)s, nhập vào hệ thống lúc %(now)s.")
                             % {"at": _fmt(at), "now": _fmt(now)})
            if procedure.online_only and channel != Channel.ONLINE:
                notes.append(_("Thủ tục chỉ tiếp nhận trực tuyến: cán bộ nhập hộ công dân."))
            if outcome == "receive":
                event = _event(dossier, "receive", actor, None, dossier.status, " ".join(notes), at=at)
                notify_citizen(dossier, "received")
            elif outcome == "supplement":
                supplements.append(SupplementRequest.objects.create(
                    dossier=dossier, round=1, requested_at=at, requested_by=actor, items=items_text,
                    reason=reason_text, resume_status=tt.resume_status(tt.NEW),
                    deadline_at=_supplement_deadline(None, at, dossier.agency)))
                dossier.supplement_count = 1
                dossier.save(update_fields=["supplement_count", "updated_at"])
                event = _event(dossier, "request-supplement", actor, None, dossier.status,
                               " ".join([items_text.replace("\n", "; "), *notes]), at=at)
                notify_citizen(dossier, "supplement_requested", key="1", items=items_text.replace("\n", "; "),
                               reason=reason_text.rstrip("."), ref=dossier.reference,
                               deadline=supplements[0].deadline_at)
            else:
                dossier.reason = reason_text
                fields = {"reason"}
                _finish_dossier(dossier, at, fields)
                dossier.save(update_fields=sorted({*fields, "updated_at"}))
                event = _event(dossier, "refuse", actor, None, dossier.status, " ".join([reason_text, *notes]),
                               at=at)
                notify_citizen(dossier, "refused")
    except BaseException:
        delete_stored(stored)
        raise
    # A new dossier's rows are all in hand: its detail is shown without reading them back.
    remember_new_rows(dossier, steps=steps, events=[event], components=components, supplements=supplements)
    return dossier


def _fmt(value: datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def submit_online(*, citizen, procedure, agency, applicant: dict, summary: str = "", components=(),
                  return_method: str = "online", return_address: str = "", idempotency_key: str = "") -> Dossier:
    """A citizen's online submission (nộp trực tuyến): status 1 without a code until the desk receives it.

    The appointment stored now is the expected one, shown to the citizen; receipt computes the real one.
    The agency's desk officers get an in-app notice.
    """
    if citizen is None or not citizen.is_authenticated:
        raise NotAllowed(_("Vui lòng đăng nhập để nộp hồ sơ trực tuyến."))
    try:
        tt.check("submit", tt.NEW, {tt.CITIZEN})
    except tt.TransitionError:  # pragma: no cover - the table always allows it
        raise NotAllowed(_("Không thể nộp hồ sơ.")) from None
    if agency is None:
        msg = _("Vui lòng chọn cơ quan tiếp nhận.")
        raise ValidationFailed(msg, code="required", fields={"agency": [msg]})
    _check_procedure(procedure, agency)
    if procedure.online_mode == "none":
        msg = _("Thủ tục này chưa cung cấp dịch vụ công trực tuyến.")
        raise ValidationFailed(msg, code="not_online", fields={"procedure": [msg]})
    return_method = _choice(return_method, ReturnMethod, "return_method", ReturnMethod.ONLINE)
    clean = clean_applicant(applicant)
    key = _check_key(idempotency_key)
    items = _clean_components(procedure, components)
    fingerprint = _fingerprint({
        "procedure": procedure.code, "agency": agency.code, "applicant": clean, "summary": summary or "",
        "return_method": return_method, "return_address": return_address or "",
        "components": [[c.name, c.kind, c.count, c.component_id, c.digest] for c in items],
    })
    if key:
        existing = _idempotent(citizen, key, fingerprint)
        if existing is not None:
            return existing
    now = _now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            values = {
                "procedure": procedure, "agency": agency, "current_agency": agency, "status": Status.SUBMITTED,
                "channel": Channel.ONLINE, "return_method": return_method,
                "return_address": (return_address or "")[:500], "summary": summary or "", "citizen": citizen,
                "submitted_at": now, "created_by": citizen, "idempotency_key": key,
                "fully_online": procedure.online_mode == "full",
                "idempotency_fingerprint": fingerprint if key else "", **_applicant_fields(clean),
            }
            dossier, created = _create_with_key(values, agency=agency, code_day=None, user=citizen, key=key,
                                                fingerprint=fingerprint)
            if not created:
                return dossier
            expected = _clock().compute_appointment_for(now, procedure.effective_amount, procedure.time_limit_unit,
                                                        agency)
            dossier.appointment_at = expected.appointment_at
            dossier.save(update_fields=["appointment_at", "updated_at"])
            _store_components(dossier, items, 0, stored)
            _event(dossier, "submit", citizen, None, Status.SUBMITTED, at=now)
            notify_citizen(dossier, "submitted")
            desk = agency_staff(agency, Role.DESK_OFFICER)
            notify_staff(desk, dossier, "submitted_online")
    except BaseException:
        delete_stored(stored)
        raise
    return dossier


def agency_staff(agency, role: str) -> list:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(memberships__agency=agency, memberships__role=role, is_active=True)
                .distinct())


# --- actions ---------------------------------------------------------------------------------------


def receive(dossier, *, actor, expected_version=None, at: datetime | None = None) -> Dossier:
    """The desk receives an online dossier (1 → 2): code, appointment from now, steps, receipt notice."""
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        _check(d, actor, "receive")
        when = _when(at)
        d.code = next_dossier_code(d.agency, timezone.localdate(when))
        d.register_year = timezone.localdate(when).year
        d.register_no = next_register_number(d.agency_id, d.register_year)
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


def _finish_dossier(d: Dossier, when: datetime, fields: set[str]) -> None:
    if d.finished_at is None:
        d.finished_at = when
        # Against the receipt's appointment (restarted by a supplement), never the apology's new date (§6).
        d.verdict = verdict_for(when, d.receipt_due_at or d.appointment_at)
        d.is_late = d.verdict == Verdict.LATE
        d.is_due_soon = False
        fields |= {"finished_at", "verdict", "is_late", "is_due_soon"}


def refuse(dossier, *, actor, reason: str, expected_version=None, at: datetime | None = None) -> Dossier:
    """Refusal with reasons (form 03), at the desk (1 → 3) or after appraisal (4 → 3)."""
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do từ chối."))
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "refuse")
        when, before = _when(at), d.status
        d.status, d.reason = t.to_status, reason
        fields = {"status", "reason"}
        _close_open_steps(_steps(d), when, _("Từ chối: %(reason)s") % {"reason": reason}, by=actor)
        _finish_dossier(d, when, fields)
        _save(d, fields)
        _event(d, "refuse", actor, before, d.status, reason, at=when)
        notify_citizen(d, "refused")
    return d


def _check_assignee(assignee, agency) -> None:
    if assignee is None:
        return
    if not StaffMembership.objects.filter(user=assignee, agency=agency).exists():
        msg = _("%(user)s không làm việc tại %(agency)s.") % {"user": _actor_name(assignee), "agency": agency.name}
        raise ValidationFailed(msg, code="assignee_not_at_agency", fields={"assignee": [msg]})


def step_holding(step: Step) -> tt.StepHolding:
    return tt.StepHolding(agency=step.agency_id, role=step.role, department=step.department_id,
                          assignee=step.assignee_id, handed_by=step.handed_by_id)


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


def _items_text(items) -> str:
    if isinstance(items, str):
        lines = [line.strip() for line in items.splitlines()]
    else:
        lines = [str(item).strip() for item in (items or ())]
    return "\n".join(line for line in lines if line)


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


def _supplement_deadline(value, when: datetime, agency) -> datetime:
    from .supplements import DEFAULT_DEADLINE_WORKING_DAYS

    if value in (None, ""):
        return _clock().add_working_hours(when, DEFAULT_DEADLINE_WORKING_DAYS * 8, agency)
    if not isinstance(value, datetime):
        from datetime import date, time

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


def resume_target(dossier: Dossier, open_round: SupplementRequest | None) -> int:
    """Where the dossier goes when the documents arrive: as recorded with the round, else (a round asked
    for before that was recorded) as the services did then."""
    if open_round is not None and open_round.resume_status:
        return open_round.resume_status
    return tt.resume_status(tt.PROCESSING if dossier.received_at is not None else tt.SUBMITTED)


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
    from .supplements import answer

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


def request_payment(dossier, *, actor, amount, expected_version=None, at: datetime | None = None) -> Dossier:
    """Ask the applicant to pay the fee (nghĩa vụ tài chính): 4 → 6, once per dossier: the amount asked
    for is the whole obligation, and a second request would bill the applicant twice."""
    try:
        amount = int(amount)
        if amount <= 0 or amount > 2_000_000_000:
            raise ValueError
    except (TypeError, ValueError):
        msg = _("Số tiền phải là số nguyên dương (đồng).")
        raise ValidationFailed(msg, fields={"amount": [msg]}) from None
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "request-payment")
        if d.fee_amount is not None:
            raise ActionNotAllowed(
                _("Hồ sơ đã được yêu cầu nộp phí, lệ phí (%(amount)s đồng); không yêu cầu lần thứ hai.")
                % {"amount": f"{d.fee_amount:,}".replace(",", ".")},
                code="payment_already_requested",
            )
        when, before = _when(at), d.status
        d.status, d.fee_amount, d.paid_at = t.to_status, amount, None
        _save(d, {"status", "fee_amount", "paid_at"})
        shown = f"{amount:,}".replace(",", ".")
        _event(d, "request-payment", actor, before, d.status, _("%(amount)s đồng") % {"amount": shown}, at=when)
        notify_citizen(d, "payment_requested", key=str(d.version), amount=shown)
    return d


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


def confirm_payment(dossier, *, actor, expected_version=None, at: datetime | None = None, note: str = "",
                    verified: bool = False, method: str = "") -> Dossier:
    """The fee is paid: 6 → 4. `verified`: the payments app verified a gateway's signed confirmation (no
    person acts; the payment is recorded with the desk's authority and `note` names the receipt). `method`
    records how it was paid (cash by default; Decision 766 counts the online payments)."""
    method = _choice(method, FeePayment, "method", FeePayment.CASH)
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check_verified(d, actor, "confirm-payment", verified)
        when, before = _when(at), d.status
        d.status, d.paid_at, d.fee_paid_via = t.to_status, when, method
        _save(d, {"status", "paid_at", "fee_paid_via"})
        _event(d, "confirm-payment", actor, before, d.status, note, at=when)
    return d


def decide(dossier, *, actor, result: str, result_file=None, expected_version=None,
           at: datetime | None = None) -> Dossier:
    """The head approves the result (4 → 9): open steps finish, the dossier gets its verdict (§6). Without
    a text or file of their own, the processing officer's draft (`draft_result`) becomes the result."""
    result = (result or "").strip() if isinstance(result, str) else result
    content_type = safe_name = ""
    if result_file is not None:
        content_type, safe_name = validate_upload(result_file, field="result_file")
    stored: list[str] = []
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            t = _check(d, actor, "decide")
            result = _required_text(result or d.draft_result_text, "result", _("Vui lòng nhập kết quả giải quyết."))
            when, before = _when(at), d.status
            steps = _steps(d)
            _close_open_steps(steps, when, by=actor)
            # The result goes back to the receiving desk; its "return the result" step, if the procedure
            # ends with one, starts now (and finishes when the result is handed over).
            last = steps[-1] if steps else None
            if (last is not None and last.started_at is None and last.role == Role.DESK_OFFICER
                    and last.agency_id == d.agency_id):
                _start_step(last, when, handed_by=actor)
            d.status, d.result_text = t.to_status, result
            d.current_agency = d.agency
            fields = {"status", "result_text", "current_agency"}
            if result_file is not None:
                upload = store_upload(result_file, folder="results", content_type=content_type, safe_name=safe_name)
                stored.append(upload.name)
                d.result_file.name = upload.name
                fields.add("result_file")
            elif d.draft_result_file:
                d.result_file.name = d.draft_result_file.name
                fields.add("result_file")
            _finish_dossier(d, when, fields)
            _save(d, fields)
            _event(d, "decide", actor, before, d.status, result, at=when)
            notify_citizen(d, "result_ready")
            transaction.on_commit(partial(_sign_result, d.pk), robust=True)
            transaction.on_commit(partial(_post_result, d.pk), robust=True)
    except BaseException:
        delete_stored(stored)
        raise
    return d


def _sign_result(dossier_id: int) -> None:
    """The electronic result is signed (PAdES) once the decision is committed; see `signing.services`."""
    from signing.services import sign_result_after_decide

    sign_result_after_decide(dossier_id)


def _post_result(dossier_id: int) -> None:
    """A result to be returned by post: the delivery order goes to the postal service (`postal.services`)."""
    from postal.services import order_result_delivery

    order_result_delivery(dossier_id)


def return_result(dossier, *, actor, expected_version=None, at: datetime | None = None, note: str = "",
                  verified: bool = False) -> Dossier:
    """The receiving desk hands the result over (trả kết quả): 9 → 10. `verified`: the postal service
    confirmed delivery of the result (no person acts; `note` names the order)."""
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check_verified(d, actor, "return", verified)
        when, before = _when(at), d.status
        _close_open_steps(_steps(d), when, by=actor)
        d.status, d.returned_at = t.to_status, when
        d.current_agency = d.agency
        _save(d, {"status", "returned_at", "current_agency"})
        _event(d, "return", actor, before, d.status, note, at=when)
        notify_citizen(d, "returned")
    return d


def withdraw(dossier, *, actor, reason: str = "", expected_version=None, at: datetime | None = None) -> Dossier:
    """The applicant withdraws (rút hồ sơ): any open status → 7; the desk then stops it (7 → 8)."""
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "withdraw")
        when, before = _when(at), d.status
        d.status, d.reason = t.to_status, (reason or "").strip()
        fields = {"status", "reason"}
        _close_open_steps(_steps(d), when, _("Công dân rút hồ sơ."))
        _finish_dossier(d, when, fields)
        _save(d, fields)
        _event(d, "withdraw", actor, before, d.status, d.reason, at=when)
        notify_citizen(d, "withdrawn")
    return d


def stop(dossier, *, actor, reason: str, expected_version=None, at: datetime | None = None) -> Dossier:
    """Stop processing with a reason (dừng xử lý, 4 → 8), or close a withdrawal (7 → 8)."""
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do dừng xử lý."))
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "stop")
        when, before = _when(at), d.status
        d.status, d.reason = t.to_status, reason
        fields = {"status", "reason"}
        _close_open_steps(_steps(d), when, reason, by=actor)
        _finish_dossier(d, when, fields)
        _save(d, fields)
        _event(d, "stop", actor, before, d.status, reason, at=when)
        notify_citizen(d, "stopped")
    return d


def _apologize(dossier, *, actor, reason, new_appointment_at, expected_version=None):
    """The apology (form 04) lives with the deadlines (`dossiers.deadlines.apologize`), which checks the
    version under its own lock, so a stale screen gets the same 409 as for every other action."""
    from .deadlines import apologize

    return apologize(dossier, actor=actor, reason=reason, new_appointment_at=new_appointment_at,
                     expected_version=expected_version if expected_version not in (None, "") else None)


def draft_result(dossier, *, actor, result: str = "", result_file=None, expected_version=None,
                 at: datetime | None = None) -> Dossier:
    """The processing officer attaches a draft result (dự thảo kết quả) for the head: its text and, through
    the upload checks, its file. The status does not change; `decide` takes the draft as the result."""
    result = _required_text(result, "result", _("Vui lòng nhập nội dung dự thảo kết quả."))
    content_type = safe_name = ""
    if result_file is not None:
        content_type, safe_name = validate_upload(result_file, field="result_file")
    stored: list[str] = []
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            _check(d, actor, "draft-result")
            when = _when(at)
            d.draft_result_text, d.draft_result_by, d.draft_result_at = result, actor, when
            fields = {"draft_result_text", "draft_result_by", "draft_result_at"}
            if result_file is not None:
                upload = store_upload(result_file, folder="drafts", content_type=content_type, safe_name=safe_name)
                stored.append(upload.name)
                d.draft_result_file.name = upload.name
                fields.add("draft_result_file")
            _save(d, fields)
            _event(d, "draft-result", actor, d.status, d.status, result, at=when, public=False)
    except BaseException:
        delete_stored(stored)
        raise
    return d


# The actions by their API name; the API and the screens dispatch through it.
ACTIONS = {
    "receive": receive,
    "refuse": refuse,
    "transfer": transfer,
    "assign": assign,
    "request-supplement": request_supplement,
    "supplement": supplement_received,
    "request-payment": request_payment,
    "confirm-payment": confirm_payment,
    "decide": decide,
    "return": return_result,
    "withdraw": withdraw,
    "stop": stop,
    "apologize": _apologize,
    "draft-result": draft_result,
}
