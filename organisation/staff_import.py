"""Import staff accounts and their roles from a spreadsheet (CSV or Excel), all or nothing.

Columns (header names, Vietnamese or English): `username` (tên đăng nhập), `full_name` (họ tên, family name
first), `email`, `agency` (agency code), `role` (desk_officer | processing_officer | head | manager |
administrator, or its Vietnamese label), optional `department` (department code at that agency) and
`active` (1/0). One row per role: a person with two roles has two rows. Every row is checked first; an
error anywhere is reported by row and column and nothing is written. Existing accounts are updated (name,
e-mail, active) and get the listed roles; roles not listed are left as they are. New accounts get no usable
password: they set one through the password reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from procedures.importing import RowError, read_table
from procedures.text import fold

from .models import Agency, Department, Role, StaffMembership

COLUMNS = {
    "username": {"username", "ten dang nhap"},
    "full_name": {"full_name", "full name", "ho ten", "ho va ten"},
    "email": {"email", "thu dien tu"},
    "agency": {"agency", "co quan", "ma co quan"},
    "role": {"role", "vai tro"},
    "department": {"department", "phong ban", "ma phong ban"},
    "active": {"active", "hoat dong", "con hoat dong"},
}
REQUIRED = ("username", "full_name", "agency", "role")
_TRUE = {"1", "true", "yes", "co", "x"}
_FALSE = {"0", "false", "no", "khong", ""}


@dataclass
class StaffRow:
    row: int
    username: str
    first_name: str
    last_name: str
    email: str
    agency: Agency
    role: str
    department: Department | None
    active: bool


@dataclass
class StaffImportResult:
    created: int = 0
    updated: int = 0
    roles_added: int = 0
    errors: list[RowError] = field(default_factory=list)


def split_vietnamese_name(full_name: str) -> tuple[str, str]:
    """("Lan", "Nguyễn Thị") from "Nguyễn Thị Lan": given name, then family and middle names."""
    parts = full_name.split()
    if len(parts) == 1:
        return parts[0], ""
    return parts[-1], " ".join(parts[:-1])


def _role(value: str) -> str | None:
    folded = fold(value)
    for role in Role:
        if folded in {fold(role.value), fold(str(role.label))}:
            return role.value
    return None


def _cell(values: list, index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    return str(values[index]).strip()


def parse_staff(content: bytes, filename: str) -> tuple[list[StaffRow], list[RowError]]:
    header, rows = read_table(content, filename)
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = fold(name or "").replace("_", " ")
        for column, aliases in COLUMNS.items():
            if key in {fold(a).replace("_", " ") for a in aliases}:
                positions[column] = index
    errors = [RowError(1, column, _("Thiếu cột bắt buộc.")) for column in REQUIRED if column not in positions]
    if errors:
        return [], errors
    agencies = {a.code: a for a in Agency.objects.all()}
    departments = {(d.agency_id, d.code): d for d in Department.objects.all()}
    parsed: list[StaffRow] = []
    seen: set[tuple[str, str, str]] = set()
    for number, values in rows:
        cells = {column: _cell(values, positions.get(column)) for column in COLUMNS}
        if not any(cells.values()):
            continue
        row_errors = []
        username = cells["username"]
        if not username or len(username) > 150 or any(c.isspace() for c in username):
            row_errors.append(RowError(number, "username", _("Tên đăng nhập không hợp lệ."), username))
        if not cells["full_name"] or len(cells["full_name"]) > 300:
            row_errors.append(RowError(number, "full_name", _("Cần có họ tên."), cells["full_name"]))
        if cells["email"]:
            try:
                validate_email(cells["email"])
            except ValidationError:
                row_errors.append(RowError(number, "email", _("Địa chỉ thư điện tử không hợp lệ."), cells["email"]))
        agency = agencies.get(cells["agency"])
        if agency is None:
            row_errors.append(RowError(number, "agency", _("Không có cơ quan mã này."), cells["agency"]))
        role = _role(cells["role"])
        if role is None:
            row_errors.append(RowError(number, "role", _("Vai trò không hợp lệ."), cells["role"]))
        department = None
        if cells["department"] and agency is not None:
            department = departments.get((agency.id, cells["department"]))
            if department is None:
                row_errors.append(RowError(number, "department", _("Cơ quan không có phòng ban mã này."),
                                           cells["department"]))
        active_text = fold(cells["active"])
        if active_text not in _TRUE | _FALSE:
            row_errors.append(RowError(number, "active", _("Chỉ nhận 1 hoặc 0."), cells["active"]))
        if (username, cells["agency"], role or "") in seen:
            row_errors.append(RowError(number, "role", _("Dòng trùng: vai trò này đã có ở dòng trước."), cells["role"]))
        seen.add((username, cells["agency"], role or ""))
        if row_errors:
            errors.extend(row_errors)
            continue
        first, last = split_vietnamese_name(cells["full_name"])
        parsed.append(StaffRow(number, username, first, last, cells["email"], agency, role, department,
                               active_text in _TRUE or active_text == ""))
    return parsed, errors


def import_staff(content: bytes, filename: str) -> StaffImportResult:
    """Check the whole file, then write every account and role in one transaction (or nothing)."""
    rows, errors = parse_staff(content, filename)
    result = StaffImportResult(errors=errors)
    if errors:
        return result
    User = get_user_model()
    with transaction.atomic():
        users: dict[str, object] = {}
        for spec in rows:
            user = users.get(spec.username)
            if user is None:
                user = User.objects.select_for_update().filter(username=spec.username).first()
                if user is None:
                    user = User(username=spec.username)
                    user.set_unusable_password()
                    result.created += 1
                else:
                    result.updated += 1
                user.first_name, user.last_name, user.is_active = spec.first_name, spec.last_name, spec.active
                if spec.email:
                    user.email = spec.email
                user.save()
                users[spec.username] = user
            membership, created = StaffMembership.objects.get_or_create(
                user=user, agency=spec.agency, role=spec.role, defaults={"department": spec.department}
            )
            if created:
                result.roles_added += 1
            elif spec.department and membership.department_id != spec.department.id:
                membership.department = spec.department
                membership.save(update_fields=["department"])
    return result
