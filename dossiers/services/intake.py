"""Intake: a dossier taken at the counter (`intake`, with the three outcomes of the check) or submitted
online (`submit_online`), and the checks of what the applicant hands in (`clean_applicant`, the components
and their files).
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.services import notify_citizen, notify_staff
from organisation.errors import ConcurrentChange, NotAllowed, ValidationFailed
from organisation.models import Agency, Role
from organisation.phones import is_national, normalize_phone
from procedures.services import check_form

from .. import rules
from .. import transitions as tt
from ..codes import next_code_and_register_number
from ..models import (
    ApplicantKind,
    Channel,
    ComponentSource,
    Dossier,
    DossierComponent,
    IdType,
    ReturnMethod,
    Status,
    Step,
    SupplementRequest,
)
from ..selectors import (
    active_agencies,
    dossier_by_idempotency_key,
    remember_new_rows,
    staff_pairs,
)
from ..uploads import check_dossier_limits, delete_stored, store_upload, validate_upload
from ..uploads import upload_size as _upload_size
from .base import (
    _choice,
    _clock,
    _event,
    _finish_dossier,
    _fmt,
    _insert_steps,
    _items_text,
    _now,
    _plan_schedule,
    _supplement_deadline,
    _when,
)

_CCCD = re.compile(r"^\d{12}$")


_OTHER_ID = re.compile(r"^[A-Za-z0-9]{5,20}$")




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
        "phone": normalize_phone(str(data.get("phone") or "")),
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
    if out["phone"] and not is_national(out["phone"]):
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


def performs(procedure, agency) -> bool:
    """Whether `agency` performs `procedure`: at one of its levels (`rules.performed_at_level`), or named
    among its agencies."""
    if rules.performed_at_level(procedure.agency_levels, agency.level):
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
        candidates = active_agencies(actor, desk_ids)
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


def insert_new_dossier(values: dict, *, agency=None, code_day=None) -> Dossier:
    """Insert a new dossier (taking `agency`'s code and register number of `code_day` when it is given),
    with no history row: the history of a dossier starts with its first change, its creation is the
    timeline event written with it (who, when, from which counter or portal), which a history row would
    only repeat. Every creation of a dossier goes through here: the intakes, the online submission and
    the dossiers pushed by the national portal (`national.inbound`).

    No savepoint: an idempotency key (or national code) already used makes the INSERT fail, which rolls
    the whole action back (the code number with it), and the caller answers with the dossier made the
    first time (`_intake_transaction`, `receive_inbound`).
    """
    if code_day is not None:
        code, register_no = next_code_and_register_number(agency, code_day)
        values = {**values, "code": code, "register_year": code_day.year, "register_no": register_no}
    dossier = Dossier(**values)
    dossier.save_without_historical_record(force_insert=True)
    return dossier


@contextmanager
def _intake_transaction(user, key: str, fingerprint: str, stored: list[str], replayed: list[Dossier]):
    """The one transaction of an intake. If it fails, the files it stored are deleted; if it failed on an
    idempotency key already used (a replay, or a race lost to the same request sent twice), the dossier
    made the first time is put in `replayed` (or a 409 raised for a different body) and the error is
    swallowed. A first intake, the usual case, costs no look-up of its key and no savepoint. The
    calendar version is read once for the whole intake, in a request or not (`calendars.one_version`)."""
    try:
        with _clock().one_version(), transaction.atomic():
            yield
    except IntegrityError:
        delete_stored(stored)
        existing = _idempotent(user, key, fingerprint) if key else None
        if existing is None:
            raise
        replayed.append(existing)
    except BaseException:
        delete_stored(stored)
        raise


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
           reason: str = "", fully_online: bool = False, competent_agency: Agency | None = None,
           form=None) -> Dossier:
    """A desk officer takes a dossier at the counter and records the outcome of the check (domain.md §3).

    `outcome` "receive" (tiếp nhận, form 01): status 2 at once, with its code, appointment and steps, the
    desk step started, the applicant told. "supplement" (form 02, `items` lists everything missing in
    one go): the dossier is recorded with its code at status 5 with a supplement round, but not received:
    no appointment, the clock starts when the complete dossier arrives (`supplement_received` receives
    it then). "refuse" (form 03, with `reason`): recorded with its code at status 3. Either way the
    counter visit is `submitted_at`, the officer `received_by`, and the applicant is told.

    `received_at` enters a dossier taken earlier on paper (never in the future); it is noted in the
    timeline. An online-only procedure may still be entered for a citizen by an officer (noted).
    `form` is the procedure's electronic form (tờ khai điện tử) as filled, checked against the version in
    force on the day it was taken and stored with it; a bad value is a 400 naming its path.
    The same `idempotency_key` and body return the dossier made the first time; a different body is 409.

    A boundary-free procedure (phi địa giới) that `agency` does not perform goes to
    `receive_across_boundaries` (below): received here for `competent_agency` (or the only agency of
    the province that performs it), whose receipt starts the clock.
    """
    agency = _intake_agency(actor, procedure, agency)
    if procedure.boundary_free and agency.is_active and not performs(procedure, agency):
        if received_at is not None:
            msg = _("Hồ sơ phi địa giới được chuyển ngay khi tiếp nhận, không nhập bù thời điểm tiếp nhận.")
            raise ValidationFailed(msg, code="boundary_free_no_backdating", fields={"received_at": [msg]})
        return receive_across_boundaries(
            actor=actor, procedure=procedure, receiving=agency, competent=competent_agency, applicant=applicant,
            summary=summary, components=components, channel=channel, return_method=return_method,
            return_address=return_address, idempotency_key=idempotency_key, outcome=outcome, form=form)
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
    form_version, form_data = check_form(procedure, form, on=timezone.localdate(received_at))
    items = _clean_components(procedure, components)
    fingerprint = _fingerprint({
        **({"form": form_data} if form_version is not None else {}),
        "procedure": procedure.code, "agency": agency.code, "channel": channel, "applicant": clean,
        "summary": summary or "", "return_method": return_method, "return_address": return_address or "",
        "received_at": received_at.isoformat() if backdated else None,
        "components": [[c.name, c.kind, c.count, c.component_id, c.digest] for c in items],
        # Only when not the default, so the keys of intakes made before outcomes existed still match.
        **({"outcome": outcome, "items": items_text, "reason": reason_text} if outcome != "receive" else {}),
    })
    # A replayed key is not looked up first: the dossier's INSERT meets the unique key, the intake rolls
    # back and `_intake_transaction` answers with the dossier made the first time (409 for another body).
    at = received_at  # the counter visit
    received = outcome == "receive"
    stored: list[str] = []
    replayed: list[Dossier] = []
    with _intake_transaction(actor, key, fingerprint, stored, replayed):
        values = {
            "procedure": procedure, "agency": agency, "current_agency": agency, "status": transition.to_status,
            "channel": channel, "return_method": return_method, "return_address": (return_address or "")[:500],
            "summary": summary or "", "received_by": actor, "created_by": actor,
            "fully_online": bool(fully_online) and channel == Channel.ONLINE,
            "received_at": at if received else None, "submitted_at": None if received else at,
            "idempotency_key": key, "idempotency_fingerprint": fingerprint if key else "",
            "form_definition": form_version, "form_data": form_data,
            **_applicant_fields(clean),
        }
        steps: list[Step] = []
        # Everything the dossier row holds is worked out first (appointment and steps, the supplement
        # round, the refusal), so that each row is written once, by one INSERT.
        if received:
            planned = Dossier(**values)
            steps = _plan_schedule(planned, at, actor)
            values.update({name: getattr(planned, name) for name in (
                "appointment_at", "original_appointment_at", "due_soon_at", "is_late", "is_due_soon",
                "current_agency", "receipt_due_at", "portal_due_at")})
        elif outcome == "supplement":
            values["supplement_count"] = 1
        else:
            planned, fields = Dossier(**values, reason=reason_text), {"reason"}
            _finish_dossier(planned, at, fields)
            values.update({name: getattr(planned, name) for name in fields})
        dossier = insert_new_dossier(values, agency=agency, code_day=timezone.localdate(at))
        if steps:
            for step in steps:
                step.dossier = dossier
            _insert_steps(steps, history=False)
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
            event = _event(dossier, "request-supplement", actor, None, dossier.status,
                           " ".join([items_text.replace("\n", "; "), *notes]), at=at)
            notify_citizen(dossier, "supplement_requested", key="1", items=items_text.replace("\n", "; "),
                           reason=reason_text.rstrip("."), ref=dossier.reference,
                           deadline=supplements[0].deadline_at)
        else:
            event = _event(dossier, "refuse", actor, None, dossier.status, " ".join([reason_text, *notes]),
                           at=at)
            notify_citizen(dossier, "refused")
    if replayed:
        return replayed[0]
    # A new dossier's rows are all in hand: its detail is shown without reading them back.
    remember_new_rows(dossier, steps=steps, events=[event], components=components, supplements=supplements)
    return dossier


def submit_online(*, citizen, procedure, agency, applicant: dict, summary: str = "", components=(),
                  return_method: str = "online", return_address: str = "", idempotency_key: str = "",
                  form=None) -> Dossier:
    """A citizen's online submission (nộp trực tuyến): status 1 without a code until the desk receives it.

    The appointment stored now is the expected one, shown to the citizen; receipt computes the real one.
    The agency's desk officers get an in-app notice. `form`: the electronic form as filled, checked against
    the version in force today and stored with it (a bad value is a 400 naming its path).
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
    form_version, form_data = check_form(procedure, form)
    items = _clean_components(procedure, components)
    fingerprint = _fingerprint({
        **({"form": form_data} if form_version is not None else {}),
        "procedure": procedure.code, "agency": agency.code, "applicant": clean, "summary": summary or "",
        "return_method": return_method, "return_address": return_address or "",
        "components": [[c.name, c.kind, c.count, c.component_id, c.digest] for c in items],
    })
    now = _now()
    stored: list[str] = []
    replayed: list[Dossier] = []
    with _intake_transaction(citizen, key, fingerprint, stored, replayed):
        values = {
            "procedure": procedure, "agency": agency, "current_agency": agency, "status": Status.SUBMITTED,
            "channel": Channel.ONLINE, "return_method": return_method,
            "return_address": (return_address or "")[:500], "summary": summary or "", "citizen": citizen,
            "submitted_at": now, "created_by": citizen, "idempotency_key": key,
            "fully_online": procedure.online_mode == "full",
            "form_definition": form_version, "form_data": form_data,
            "idempotency_fingerprint": fingerprint if key else "", **_applicant_fields(clean),
        }
        # The expected appointment is in the row as it is inserted (written once).
        values["appointment_at"] = _clock().compute_appointment_for(
            now, procedure.effective_amount, procedure.time_limit_unit, agency).appointment_at
        dossier = insert_new_dossier(values)
        _store_components(dossier, items, 0, stored)
        _event(dossier, "submit", citizen, None, Status.SUBMITTED, at=now)
        notify_citizen(dossier, "submitted")
        desk = agency_staff(agency, Role.DESK_OFFICER)
        notify_staff(desk, dossier, "submitted_online")
    return replayed[0] if replayed else dossier


def agency_staff(agency, role: str) -> list:
    return list(get_user_model().objects.filter(memberships__agency=agency, memberships__role=role, is_active=True)
                .distinct())


# Any desk of the province (phi địa giới).
# Any desk of the province (phi địa giới, Decree 309/2026): a procedure the catalogue marks boundary-free
# is accepted at any desk of the province whatever its own agency performs; the receiving desk issues the
# receipt and the dossier goes to the competent agency, whose receipt starts the clock.
#
# It is the routing machinery (liên thông) run from the desk: the dossier belongs to the competent agency
# (`agency`) and waits there at status 1, like an online submission, with the receiving desk's code and
# register entry and `intake_agency` naming the desk; the desk's hand-over is the dossier's step 0, at the
# desk (which is what lets the desk keep seeing it, as every agency a dossier has a step at does). The
# competent agency's desk receives it with `routing.receive`: the appointment runs from that receipt.

BOUNDARY_FREE_STEP = "boundary-free"


def competent_agencies(procedure, receiving: Agency) -> list[Agency]:
    """The agencies of `receiving`'s province that perform `procedure` (other than `receiving`): where a
    boundary-free dossier taken at `receiving` may be sent. None when the procedure is not boundary-free."""
    from organisation.selectors import province_agency_ids


    if not procedure.boundary_free:
        return []
    ids = province_agency_ids(receiving)
    named = list(procedure.agencies.filter(pk__in=ids, is_active=True).exclude(pk=receiving.pk).order_by("code"))
    if named:
        return named
    return [a for a in Agency.objects.filter(pk__in=ids, is_active=True).exclude(pk=receiving.pk).order_by("code")
            if performs(procedure, a)]


def choose_competent(procedure, receiving: Agency, competent: Agency | None) -> Agency:
    """The competent agency a boundary-free dossier taken at `receiving` goes to: the one given (it must be
    among `competent_agencies`), else the only candidate; a 400 naming `competent_agency` otherwise."""
    candidates = competent_agencies(procedure, receiving)
    if competent is not None:
        if competent in candidates:
            return competent
        msg = _("Cơ quan %(agency)s không giải quyết thủ tục này trong tỉnh.") % {"agency": competent.name}
        raise ValidationFailed(msg, code="agency_not_performing", fields={"competent_agency": [msg]})
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        msg = _("Không có cơ quan nào trong tỉnh giải quyết thủ tục này.")
        raise ValidationFailed(msg, code="agency_not_performing", fields={"competent_agency": [msg]})
    msg = _("Vui lòng chọn cơ quan có thẩm quyền giải quyết.")
    raise ValidationFailed(msg, code="required", fields={"competent_agency": [msg]})


def receive_across_boundaries(*, actor, procedure, receiving: Agency, competent: Agency | None, applicant: dict,
                              summary: str = "", components=(), channel: str = "counter",
                              return_method: str = "desk", return_address: str = "", idempotency_key: str = "",
                              outcome: str = "receive", form=None) -> Dossier:
    """The desk of `receiving` takes a boundary-free dossier for `competent` (called by `intake`, which has
    checked the officer and the procedure): code and register entry of the desk, step 0 at the desk,
    status 1 at the competent agency, the applicant told where the dossier is and that the time limit runs
    from the competent agency's receipt, that agency's desk officers told it is coming."""
    from procedures.services import check_form

    from ..selectors import remember_new_rows

    if (outcome or "receive") != "receive":
        msg = _("Hồ sơ phi địa giới chỉ được tiếp nhận để chuyển đến cơ quan có thẩm quyền; việc yêu cầu bổ sung "
                "hoặc từ chối do cơ quan đó quyết định.")
        raise ValidationFailed(msg, code="boundary_free_receive_only", fields={"outcome": [msg]})
    # Recorded at the competent agency as submitted and not yet received there: the table's "submit" by a desk.
    tt.check("submit", tt.NEW, {Role.DESK_OFFICER})
    competent = choose_competent(procedure, receiving, competent)
    _check_procedure(procedure, competent, field="competent_agency")
    channel = _choice(channel, Channel, "channel", Channel.COUNTER)
    return_method = _choice(return_method, ReturnMethod, "return_method", ReturnMethod.DESK)
    clean = clean_applicant(applicant)
    key = _check_key(idempotency_key)
    form_version, form_data = check_form(procedure, form)
    items = _clean_components(procedure, components)
    fingerprint = _fingerprint({
        **({"form": form_data} if form_version is not None else {}),
        "procedure": procedure.code, "agency": receiving.code, "competent": competent.code, "channel": channel,
        "applicant": clean, "summary": summary or "", "return_method": return_method,
        "return_address": return_address or "",
        "components": [[c.name, c.kind, c.count, c.component_id, c.digest] for c in items],
    })
    now = _now()
    stored: list[str] = []
    replayed: list[Dossier] = []
    with _intake_transaction(actor, key, fingerprint, stored, replayed):
        expected = _clock().compute_appointment_for(now, procedure.effective_amount, procedure.time_limit_unit,
                                                    competent)
        values = {
            "procedure": procedure, "agency": competent, "current_agency": competent, "intake_agency": receiving,
            "status": Status.SUBMITTED, "channel": channel, "return_method": return_method,
            "return_address": (return_address or "")[:500], "summary": summary or "", "received_by": actor,
            "created_by": actor, "submitted_at": now, "appointment_at": expected.appointment_at,
            "idempotency_key": key, "idempotency_fingerprint": fingerprint if key else "",
            "form_definition": form_version, "form_data": form_data,
            **_applicant_fields(clean),
        }
        dossier = insert_new_dossier(values, agency=receiving, code_day=timezone.localdate(now))
        step = Step(
            dossier=dossier, order=0, name=_("Tiếp nhận phi địa giới, chuyển cơ quan có thẩm quyền"),
            agency=receiving, role=Role.DESK_OFFICER, assignee=actor, handed_by=actor, finished_by=actor,
            started_at=now, finished_at=now, note=competent.name)
        step.save_without_historical_record(force_insert=True)  # told by the "forward" event
        _grant(dossier, receiving)
        components = _store_components(dossier, items, 0, stored)
        note = _("Tiếp nhận tại %(desk)s (phi địa giới), chuyển đến %(agency)s, cơ quan có thẩm quyền giải "
                 "quyết. Thời hạn giải quyết tính từ khi %(agency)s tiếp nhận.") % {
            "desk": receiving.name, "agency": competent.name}
        event = _event(dossier, "forward", actor, None, Status.SUBMITTED, note, at=now)
        notify_citizen(dossier, "forwarded", desk=receiving.name)
        notify_staff(agency_staff(competent, Role.DESK_OFFICER), dossier, "forwarded_in", desk=receiving.name)
    if replayed:
        return replayed[0]
    remember_new_rows(dossier, steps=[step], events=[event], components=components, supplements=[])
    return dossier


def _grant(dossier: Dossier, agency: Agency) -> None:
    """The desk keeps seeing the dossier: its step 0 says so; where the visibility fact exists
    (dossiers.visibility, PostgreSQL), the grant is written with the action as well."""
    try:
        from ..visibility import grant_visibility
    except ImportError:
        return
    grant_visibility(dossier, agency)
