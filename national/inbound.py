"""A dossier filed on the national portal and pushed to us (api.md, "Inbound").

Checked whole before anything is written: the national code (MaHoSo), the procedure (by its national
code, else its local code), the receiving agency (MaDonViTiepNhan), the applicant, each file (decoded and
put through the portal's own upload checks). Then, in one transaction, the dossier is created at
status 1 in that agency's desk list, channel online, the national code kept; the same MaHoSo again
returns the dossier made the first time (the unique national code settles a race).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

from .models import ProcedureMapping, SyncState
from .rules import parse_wire_time

SOURCE_NAME = "Cổng Dịch vụ công quốc gia"


@dataclass
class InboundFile:
    name: str
    component_id: int | None
    component_name: str
    content: ContentFile | None
    link: str
    content_type: str = ""
    safe_name: str = ""


def _text(payload: dict, key: str, limit: int, *, required: bool = False) -> str:
    value = payload.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise ValidationFailed(_("Trường %(f)s không hợp lệ.") % {"f": key}, fields={key: [_("Giá trị không hợp lệ.")]})
    value = " ".join(str(value).split())
    if required and not value:
        msg = _("Vui lòng cung cấp %(f)s.") % {"f": key}
        raise ValidationFailed(msg, code="required", fields={key: [msg]})
    if len(value) > limit:
        msg = _("%(f)s dài quá %(n)d ký tự.") % {"f": key, "n": limit}
        raise ValidationFailed(msg, fields={key: [msg]})
    return value


def _procedure(code: str):
    from procedures.models import Procedure

    mapping = (ProcedureMapping.objects.select_related("procedure").filter(national_code=code)
               .order_by("procedure__code").first())
    if mapping is not None:
        return mapping.procedure
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        msg = _("Không có thủ tục mã %(code)s trong danh mục.") % {"code": code}
        raise ValidationFailed(msg, code="unknown_procedure", fields={"MaTTHC": [msg]})
    return procedure


def _remember_code(procedure, code: str) -> None:
    """The national portal named the procedure by our own code: that is its national code (kept, unless an
    administrator set another)."""
    mapping, _created = ProcedureMapping.objects.get_or_create(procedure=procedure, defaults={"national_code": code})
    if not mapping.national_code:
        mapping.national_code = code
        mapping.save(update_fields=["national_code"])


def _agency(code: str):
    from organisation.models import Agency

    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        msg = _("Không có cơ quan mã %(code)s.") % {"code": code}
        raise ValidationFailed(msg, code="unknown_agency", fields={"MaDonViTiepNhan": [msg]})
    return agency


def _files(procedure, entries) -> list[InboundFile]:
    from dossiers.uploads import validate_upload

    if entries in (None, ""):
        return []
    if not isinstance(entries, list):
        raise ValidationFailed(_("TaiLieuNop phải là một danh sách."), fields={"TaiLieuNop": [_("Phải là danh sách.")]})
    components = list(procedure.components.all())
    by_name = {c.name.strip().lower(): c for c in components}
    by_id = {str(c.pk): c for c in components}
    out = []
    for i, entry in enumerate(entries):
        where = f"TaiLieuNop[{i}]"
        if not isinstance(entry, dict):
            raise ValidationFailed(_("Tệp đính kèm không hợp lệ."), fields={where: [_("Phải là một đối tượng.")]})
        if str(entry.get("IsDeleted", "False")).strip().lower() == "true":
            continue
        name = _text(entry, "TenTepDinhKem", 255, required=True)
        ref = str(entry.get("MaThanhPhanHoSo") or "").strip()
        component = by_id.get(ref) or by_name.get(ref.lower()) or by_name.get(str(entry.get("TenThanhPhanHoSo") or "").strip().lower())
        content = None
        link = ""
        data = entry.get("NoiDung")
        if data:
            try:
                raw = base64.b64decode(str(data), validate=True)
            except (binascii.Error, ValueError):
                msg = _("Nội dung tệp không phải base64 hợp lệ.")
                raise ValidationFailed(msg, fields={f"{where}.NoiDung": [msg]}) from None
            content = ContentFile(raw, name=name)
        else:
            link = str(entry.get("DuongDanTaiTepTin") or "").strip()[:1000]
            if not link.startswith(("http://", "https://")):
                msg = _("Cần NoiDung (base64) hoặc DuongDanTaiTepTin (http/https).")
                raise ValidationFailed(msg, fields={where: [msg]})
        item = InboundFile(name=name, component_id=component.pk if component else None,
                           component_name=component.name if component else (entry.get("TenThanhPhanHoSo") or name),
                           content=content, link=link)
        if content is not None:
            try:
                item.content_type, item.safe_name = validate_upload(content, field=f"{where}.NoiDung")
            except (PayloadTooLarge, UnsupportedMediaType) as exc:  # the inbound contract answers 400
                raise ValidationFailed(exc.detail, code=exc.code, fields=exc.fields) from None
        out.append(item)
    return out


def receive_inbound(payload) -> tuple[object, bool]:
    """(the dossier, created?) for one pushed dossier object; ValidationFailed (nothing stored) when bad."""
    from dossiers.models import Channel, Dossier, DossierComponent, ReturnMethod, Status, TimelineEvent
    from dossiers.services import agency_staff, clean_applicant, insert_new_dossier, performs
    from dossiers.uploads import delete_stored, store_upload
    from notices.services import notify_staff
    from organisation.models import Role

    if not isinstance(payload, dict):
        raise ValidationFailed(_("Nội dung phải là một đối tượng JSON."), code="invalid_body")
    national_code = _text(payload, "MaHoSo", 60, required=True)
    existing = Dossier.objects.filter(national_code=national_code).first()
    if existing is not None:
        return existing, False
    payload_code = _text(payload, "MaTTHC", 40, required=True)
    procedure = _procedure(payload_code)
    agency = _agency(_text(payload, "MaDonViTiepNhan", 40, required=True))
    if not performs(procedure, agency):
        msg = _("Cơ quan %(agency)s không thực hiện thủ tục này.") % {"agency": agency.name}
        raise ValidationFailed(msg, code="agency_not_performing", fields={"MaDonViTiepNhan": [msg]})
    kind = "organisation" if str(payload.get("LoaiDoiTuong", "1")).strip() == "2" else "person"
    id_number = _text(payload, "SoGiayTo", 30)
    applicant = clean_applicant({
        "kind": kind, "full_name": _text(payload, "ChuHoSo", 255, required=True),
        "id_type": "cccd" if kind == "person" and len(id_number) == 12 and id_number.isdigit() else (
            "tax_code" if kind == "organisation" else "other") if id_number else "cccd",
        "id_number": id_number, "phone": _text(payload, "SoDienThoai", 20), "email": _text(payload, "Email", 254),
        "address": _text(payload, "DiaChi", 500),
    }, prefix="ChuHoSo")
    try:
        filed_at = parse_wire_time(_text(payload, "NgayTiepNhan", 14)) or timezone.now()
    except ValueError:
        msg = _("Thời gian phải theo dạng yyyyMMddHHmmss.")
        raise ValidationFailed(msg, fields={"NgayTiepNhan": [msg]}) from None
    filed_at = min(filed_at, timezone.now())
    files = _files(procedure, payload.get("TaiLieuNop"))
    summary = _text(payload, "TrichYeuHoSo", 2000)
    by_post = str(payload.get("HinhThuc", "0")).strip() == "1"
    stored: list[str] = []
    try:
        with transaction.atomic():
            from worktime import services as clock

            expected = clock.compute_appointment_for(timezone.now(), procedure.effective_amount,
                                                     procedure.time_limit_unit, agency)
            # No history row for the new dossier: its "submit" event below records it (as at intake).
            dossier = insert_new_dossier({
                "procedure": procedure, "agency": agency, "current_agency": agency, "status": Status.SUBMITTED,
                "channel": Channel.ONLINE, "return_method": ReturnMethod.POST if by_post else ReturnMethod.ONLINE,
                "return_address": applicant["address"] if by_post else "", "summary": summary,
                "submitted_at": filed_at, "appointment_at": expected.appointment_at, "national_code": national_code,
                "applicant_kind": applicant["kind"], "applicant_name": applicant["full_name"],
                "applicant_id_type": applicant["id_type"], "applicant_id_number": applicant["id_number"],
                "applicant_phone": applicant["phone"], "applicant_email": applicant["email"],
                "applicant_address": applicant["address"], "owner_name": applicant["full_name"],
                "owner_id_number": applicant["id_number"],
            })
            rows = []
            for item in files:
                values = {"dossier": dossier, "component_id": item.component_id, "name": item.component_name[:500],
                          "supplement_round": 0}
                if item.content is not None:
                    upload = store_upload(item.content, folder="dossiers", content_type=item.content_type,
                                          safe_name=item.safe_name)
                    stored.append(upload.name)
                    values.update(file=upload.name, original_filename=item.name[:255],
                                  content_type=upload.content_type)
                rows.append(DossierComponent(**values))
            DossierComponent.objects.bulk_create(rows)
            links = [f"{item.name}: {item.link}" for item in files if item.link]
            note = _("Nộp qua Cổng Dịch vụ công quốc gia, mã hồ sơ %(code)s.") % {"code": national_code}
            if links:
                note += " " + _("Tệp ở Cổng quốc gia: %(links)s") % {"links": "; ".join(links)}
            # The national portal holds this dossier already: its first event is not sent back to it.
            TimelineEvent.objects.create(dossier=dossier, at=filed_at, action="submit", actor=None,
                                         actor_name=SOURCE_NAME, from_status=None, to_status=Status.SUBMITTED,
                                         note=note)
            SyncState.objects.create(dossier=dossier, held_since=timezone.now())
            _remember_code(procedure, payload_code)
            notify_staff(agency_staff(agency, Role.DESK_OFFICER), dossier, "submitted_online")
    except IntegrityError:
        delete_stored(stored)
        existing = Dossier.objects.filter(national_code=national_code).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        delete_stored(stored)
        raise
    return dossier, True


__all__ = ["receive_inbound", "DomainError"]
