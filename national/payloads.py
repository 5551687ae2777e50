"""The wire objects, built from the dossier's own facts: the dossier object of `DongBoHoSoMC` and the
progress entry of `CapNhatTienDoHoSoMC` (api.md, "National portal (DVCQG) synchronisation").

The times that change (status, appointment, finish, return) come from the outbox row's snapshot, taken
with the change, so a backlog sent late still tells each change as it was.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime

from .rules import status_code, wire_time


class NoNationalCode(Exception):
    """The dossier's procedure has no national code: the dossier cannot be synced until it gets one."""


def _dt(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return parse_datetime(value)


def snapshot_of(dossier, event) -> dict:
    """The facts of a change that later changes overwrite on the dossier row (no query)."""
    def iso(value):
        return value.isoformat() if value else None

    return {
        "status": event.to_status if event.to_status is not None else dossier.status,
        "at": iso(event.at),
        "received_at": iso(dossier.received_at),
        "appointment_at": iso(dossier.appointment_at),
        "finished_at": iso(dossier.finished_at),
        "returned_at": iso(dossier.returned_at),
    }


def national_code_of(dossier) -> tuple[str, str, str, str]:
    """(MaTTHC, TenTTHC, MaLinhVuc, TenLinhVuc) from the catalogue and its mapping; NoNationalCode else."""
    procedure = dossier.procedure
    mapping = getattr(procedure, "national_mapping", None)
    if mapping is None or not mapping.national_code:
        raise NoNationalCode(procedure.code)
    field = procedure.field
    return (mapping.national_code, mapping.national_name or procedure.name,
            mapping.field_code or field.code, mapping.field_name or field.name)


def dossier_code(dossier) -> str:
    """The code the national portal knows the dossier by: its own code when it was filed there."""
    return dossier.national_code or dossier.code or ""


def dossier_object(dossier, snapshot: dict, components, steps) -> dict:
    ma_tthc, ten_tthc, ma_lv, ten_lv = national_code_of(dossier)
    agency = dossier.current_agency or dossier.agency
    status = snapshot.get("status") or dossier.status
    return {
        "MaHoSo": dossier_code(dossier),
        "MaTTHC": ma_tthc,
        "TenTTHC": ten_tthc,
        "MaLinhVuc": ma_lv,
        "TenLinhVuc": ten_lv,
        "KenhThucHien": {"counter": "1", "online": "2", "postal": "3"}.get(dossier.channel, "1"),
        "ChuHoSo": dossier.owner_name or dossier.applicant_name,
        "LoaiDoiTuong": "2" if dossier.applicant_kind == "organisation" else "1",
        "MaDoiTuong": "",
        "SoGiayTo": dossier.owner_id_number or dossier.applicant_id_number,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "DiaChi": dossier.applicant_address,
        "TrichYeuHoSo": dossier.summary or ten_tthc,
        "NgayTiepNhan": wire_time(_dt(snapshot.get("received_at"))),
        "NgayHenTra": wire_time(_dt(snapshot.get("appointment_at"))),
        "TrangThaiHoSo": status_code(status),
        "NgayTra": wire_time(_dt(snapshot.get("returned_at"))),
        "NgayKetThucXuLy": wire_time(_dt(snapshot.get("finished_at"))),
        "HinhThuc": "1" if dossier.return_method == "post" else "0",
        "DonViXuLy": agency.name,
        "MaDonViXuLy": agency.code,
        "TaiLieuNop": [
            {"TepDinhKemId": str(c.pk), "TenTepDinhKem": c.original_filename or c.name,
             "MaThanhPhanHoSo": str(c.component_id or ""), "TenThanhPhanHoSo": c.name, "IsDeleted": "False",
             "DuongDanTaiTepTin": ""}
            for c in components
        ],
        "DanhSachGiayToKetQua": (
            [{"TenGiayTo": dossier.result_file.name.rsplit("/", 1)[-1], "MaThanhPhanHoSo": "",
              "GiayToId": f"KQ-{dossier.pk}", "DuongDanTepTinKetQua": ""}]
            if dossier.result_file and status in (9, 10) else []
        ),
    }


def _step_at(steps, at: datetime | None):
    """The step being worked on just after `at` (the latest started by then and not finished before)."""
    if at is None:
        return None
    open_then = [s for s in steps if s.started_at is not None and s.started_at <= at
                 and (s.finished_at is None or s.finished_at > at)]
    return open_then[-1] if open_then else None


def progress_entry(dossier, event, snapshot: dict, steps) -> dict:
    at = _dt(snapshot.get("at")) or (event.at if event is not None else None)
    step = _step_at(steps, at)
    place = step.department.name if step is not None and step.department_id else (
        step.agency.name if step is not None else (dossier.current_agency or dossier.agency).name)
    return {
        "MaHoSo": dossier_code(dossier),
        "NguoiXuLy": (event.actor_name if event is not None else "") or "Hệ thống",
        "ChucDanh": "",
        "ThoiDiemXuLy": wire_time(at),
        "PhongBanXuLy": place,
        "NoiDungXuLy": ((event.note or event.action) if event is not None else "")[:2000],
        "TrangThai": status_code(snapshot.get("status") or dossier.status),
        "NgayBatDau": wire_time(step.started_at if step is not None else _dt(snapshot.get("received_at"))),
        "NgayKetThucTheoQuyDinh": wire_time(step.due_at if step is not None else _dt(snapshot.get("appointment_at"))),
    }
