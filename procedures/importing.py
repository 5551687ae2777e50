"""The catalogue's exchange format: one row per procedure, as CSV or Excel, read and written here.

Reading is pure: it turns a file into `ProcedureSpec`s or a list of `RowError`s (row and column of
every problem) without touching the database; the codes that must already exist are passed in.
`procedures.services.import_catalogue` writes the specs. Export writes the same columns, so an
exported file imports back with no change.

Cells holding lists use `;` between items and `|` between the parts of an item:
  components: `Tờ khai|original|1|required; Giấy chứng sinh|original|1|required`
              (name|kind|count|required[|held in: population, reused or citizen_store])
  steps:      `Tiếp nhận|receiving|desk_officer|4; Thẩm định|parent|processing_officer|16|Sở Tư pháp`
              (name|performer|role|hours[|department[|agency code]])
A literal `;`, `|` or `\\` inside a name is written with a backslash before it.

The `form` cell holds the procedure's electronic form as JSON (procedures/formdefs.py):
  `{"effective_from": "2026-01-01", "definition": {"title": …, "fields": […]}}`, or the definition alone
  (then effective from the day of the import). An empty cell keeps the forms the procedure has.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisation.models import AgencyLevel

from . import formdefs
from .formtext import definition_error_text
from .models import ComponentKind, DataHolder, OnlineMode, Performer, ProcedureStatus, StepRole, TimeUnit
from .text import fold

COLUMNS = [
    "code", "name", "field_code", "field_name", "agency_levels", "time_limit_amount", "time_limit_unit",
    "committed_amount", "online_mode", "online_only", "on_the_spot", "fee_text", "fee_amount", "legal_basis",
    "status", "effective_from", "effective_to", "components", "steps",
]
# Optional: when the column is absent, imported procedures keep what they have.
OPTIONAL_COLUMNS = ["agencies", "requirements", "result", "national_code", "full_online_eligible", "paper_result",
                    "boundary_free", "form"]
EXPORT_COLUMNS = COLUMNS + OPTIONAL_COLUMNS

MAX_AMOUNT = Decimal("99999.99")
MAX_FEE = 2_147_483_647
MAX_COUNT = 32_767


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = _("dòng %(row)d, cột %(column)s") % {"row": self.row, "column": self.column or "-"}
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    kind: str = ComponentKind.ORIGINAL
    count: int = 1
    required: bool = True
    held_in: str = ""


@dataclass(frozen=True)
class StepSpec:
    order: int
    name: str
    performer: str
    role: str
    allowance_hours: Decimal
    department_name: str = ""
    agency_code: str = ""


@dataclass(frozen=True)
class FormSpec:
    definition: dict  # checked by formdefs.parse
    effective_from: datetime.date | None = None  # None: from the day it is written


@dataclass
class ProcedureSpec:
    row: int
    code: str
    name: str
    field_code: str
    field_name: str
    agency_levels: str
    time_limit_amount: Decimal
    time_limit_unit: str
    committed_amount: Decimal | None
    online_mode: str
    online_only: bool
    on_the_spot: bool
    fee_text: str
    fee_amount: int
    legal_basis: str
    status: str
    effective_from: datetime.date | None
    effective_to: datetime.date | None
    components: list[ComponentSpec] = field(default_factory=list)
    steps: list[StepSpec] = field(default_factory=list)
    agencies: list[str] | None = None  # None: the file has no such column, keep the current ones
    requirements: str | None = None
    result: str | None = None
    national_code: str | None = None  # the national procedure code (mã TTHC quốc gia), kept by `national`
    full_online_eligible: bool | None = None  # Decision 766 (3.3), None: keep the current value
    paper_result: bool | None = None  # Decision 766 (4.1), None: keep the current value
    boundary_free: bool | None = None  # Decree 309/2026 (phi địa giới), None: keep the current value
    form: FormSpec | None = None  # None: keep the procedure's electronic forms

    def model_values(self) -> dict:
        """The Procedure columns this row sets (field_code resolved by the caller)."""
        values = {
            "name": self.name, "agency_levels": self.agency_levels, "time_limit_amount": self.time_limit_amount,
            "time_limit_unit": self.time_limit_unit, "committed_amount": self.committed_amount,
            "online_mode": self.online_mode, "online_only": self.online_only, "on_the_spot": self.on_the_spot,
            "fee_text": self.fee_text, "fee_amount": self.fee_amount, "legal_basis": self.legal_basis,
            "status": self.status, "effective_from": self.effective_from, "effective_to": self.effective_to,
        }
        if self.requirements is not None:
            values["requirements"] = self.requirements
        for name in ("full_online_eligible", "paper_result", "boundary_free"):
            if getattr(self, name) is not None:
                values[name] = getattr(self, name)
        if self.result is not None:
            values["result"] = self.result
        return values


class UnreadableFile(Exception):
    """The file is not a CSV or Excel workbook we can read."""


# --- reading a table ---------------------------------------------------------------------------

def read_table(content: bytes, filename: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the data rows (with their spreadsheet row numbers) of a .csv or .xlsx file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise UnreadableFile(_("Chỉ nhận tệp .csv hoặc .xlsx."))


def _read_csv(content: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(_("Tệp CSV phải được lưu với bảng mã UTF-8.")) from None
    if "\x00" in text:
        raise UnreadableFile(_("Tệp CSV chứa ký tự không hợp lệ."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(_("Không đọc được tệp CSV: %(error)s") % {"error": exc}) from None
    if not records:
        raise UnreadableFile(_("Tệp không có dữ liệu."))
    header, rows = records[0], records[1:]
    # A record is a spreadsheet row: quoted line breaks inside a cell do not shift the numbering.
    return [str(h) for h in header], [(index + 2, row) for index, row in enumerate(rows)]


def _read_xlsx(content: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise UnreadableFile(_("Không đọc được tệp Excel: %(error)s") % {"error": exc}) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        header: list[str] | None = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = ["" if v is None else str(v) for v in values]
                continue
            rows.append((number, list(values)))
    finally:
        workbook.close()
    if header is None:
        raise UnreadableFile(_("Tệp không có dữ liệu."))
    return header, rows


# --- splitting list cells ------------------------------------------------------------------------

def split_escaped(text: str, separator: str) -> list[str]:
    """Split on a separator that is not preceded by a backslash; unescape the parts."""
    if "\\" not in text:
        return text.split(separator)
    parts, current, chars = [], [], iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in (";", "|", "\\") else ch + nxt)
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _split_keep_escapes(text: str, separator: str) -> list[str]:
    """Split on unescaped separators but keep the escapes, for a second split on another separator."""
    if "\\" not in text:
        return text.split(separator)
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("|", "\\|")


# --- cell parsers ----------------------------------------------------------------------------------
# Each returns the value or raises CellError with a message for the citizen-facing error table.

class CellError(ValueError):
    pass


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_VALUES: dict[type, tuple[str, ...]] = {}


def _choice(value, choices: type, aliases: Mapping[str, str], label, default: str | None = None) -> str:
    """A choice's code, or its Vietnamese label or alias folded; `label` (lazy) names it in the error."""
    values = _VALUES.get(choices)
    if values is None:
        values = _VALUES[choices] = tuple(choices.values)  # TextChoices.values rebuilds a list on every access
    text = cell_text(value)
    if not text:
        if default is not None:
            return default
        raise CellError(_("Bắt buộc."))
    if text in values:
        return text
    folded = fold(text).replace("-", "_")
    if folded in values:
        return folded
    if folded in aliases:
        return aliases[folded]
    raise CellError(
        _("%(label)s không hợp lệ “%(value)s”; dùng một trong: %(choices)s.")
        % {"label": label, "value": text, "choices": ", ".join(values)}
    )


LABEL_KIND = gettext_lazy("Loại bản")
LABEL_PERFORMER = gettext_lazy("Nơi thực hiện")
LABEL_ROLE = gettext_lazy("Vai trò")
LABEL_UNIT = gettext_lazy("Đơn vị thời hạn")
LABEL_ONLINE = gettext_lazy("Mức độ trực tuyến")
LABEL_STATUS = gettext_lazy("Trạng thái")
LABEL_LEVEL = gettext_lazy("Cấp thực hiện")
LEVEL_ALIASES = {"xa": "commune", "cap xa": "commune", "tinh": "province", "cap tinh": "province", "bo": "ministry",
                 "huyen": "district"}
UNIT_ALIASES = {"ngay lam viec": "working_days", "gio lam viec": "working_hours", "ngay": "days",
                "trong ngay": "same_day", "ngay lam viec (8 gio)": "working_days"}
ONLINE_ALIASES = {"toan trinh": "full", "mot phan": "partial", "khong": "none", "khong truc tuyen": "none"}
STATUS_ALIASES = {"du thao": "draft", "da cong bo": "published", "cong bo": "published"}
KIND_ALIASES = {"ban chinh": "original", "ban sao chung thuc": "certified_copy", "ban sao": "copy",
                "certified copy": "certified_copy"}
PERFORMER_ALIASES = {"co quan tiep nhan": "receiving", "co quan cap tren": "parent", "cap tren": "parent",
                     "co quan duoc chi dinh": "agency"}
ROLE_ALIASES = {"bo phan mot cua": "desk_officer", "mot cua": "desk_officer", "chuyen vien": "processing_officer",
                "lanh dao": "head", "desk": "desk_officer", "officer": "processing_officer"}
TRUE_WORDS = {"true", "1", "yes", "y", "x", "co", "required", "bat buoc"}
FALSE_WORDS = {"false", "0", "no", "n", "khong", "optional", "khong bat buoc", ""}


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false", ""):
        return value == "true"
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    folded = fold(cell_text(value))
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise CellError(_("Giá trị đúng/sai không hợp lệ “%(value)s”; dùng true hoặc false.") % {"value": cell_text(value)})


def _decimal(value, *, required: bool) -> Decimal | None:
    if isinstance(value, bool):
        raise CellError(_("Phải là một số."))
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = cell_text(value).replace(" ", "")
        if not text:
            if required:
                raise CellError(_("Bắt buộc."))
            return None
        if re.fullmatch(r"-?\d+,\d+", text):  # Vietnamese decimal comma
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(_("Phải là một số, không phải “%(value)s”.") % {"value": cell_text(value)}) from None
    if not number.is_finite():
        raise CellError(_("Phải là một số."))
    if number < 0:
        raise CellError(_("Không được âm."))
    if number > MAX_AMOUNT:
        raise CellError(_("Quá lớn (tối đa %(max)s).") % {"max": MAX_AMOUNT})
    if number != number.quantize(Decimal("0.01")):
        raise CellError(_("Tối đa hai chữ số thập phân."))
    return number


def _integer(value, *, maximum: int, minimum: int = 0, default: int | None = None) -> int:
    if isinstance(value, bool):
        raise CellError(_("Phải là một số nguyên."))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(_("Phải là một số nguyên."))
        number = int(value)
    else:
        text = cell_text(value).replace(" ", "")
        if not text:
            if default is not None:
                return default
            raise CellError(_("Bắt buộc."))
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):  # 15.000 or 15,000 đồng
            text = re.sub(r"[.,]", "", text)
        if not re.fullmatch(r"-?\d+", text):
            raise CellError(_("Phải là một số nguyên, không phải “%(value)s”.") % {"value": cell_text(value)})
        number = int(text)
    if number < minimum:
        raise CellError(_("Không được nhỏ hơn %(min)d.") % {"min": minimum})
    if number > maximum:
        raise CellError(_("Quá lớn (tối đa %(max)d).") % {"max": maximum})
    return number


def cell_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Ngày không hợp lệ “%(value)s”; dùng YYYY-MM-DD hoặc DD/MM/YYYY.") % {"value": text})


def _limited(value, max_length: int, *, required: bool = False) -> str:
    text = cell_text(value)
    if required and not text:
        raise CellError(_("Bắt buộc."))
    if len(text) > max_length:
        raise CellError(_("Dài quá %(max)d ký tự.") % {"max": max_length})
    return text


def _levels(value) -> str:
    items = [part.strip() for part in re.split(r"[,;|]", cell_text(value)) if part.strip()]
    if not items:
        raise CellError(_("Bắt buộc: ít nhất một cấp (%(choices)s).") % {"choices": ", ".join(AgencyLevel.values)})
    levels = []
    for item in items:
        level = _choice(item, AgencyLevel, LEVEL_ALIASES, LABEL_LEVEL)
        if level not in levels:
            levels.append(level)
    joined = ",".join(levels)
    if len(joined) > 100:
        raise CellError(_("Dài quá %(max)d ký tự.") % {"max": 100})
    return joined


def _components(value) -> list[ComponentSpec]:
    text = cell_text(value)
    if not text:
        return []
    specs = []
    items = [item for item in _split_keep_escapes(text, ";") if item.strip()]
    for number, item in enumerate(items, start=1):
        parts = [p.strip() for p in split_escaped(item.strip(), "|")]
        try:
            if len(parts) > 5:
                raise CellError(_("Quá nhiều phần (tên|loại bản|số lượng|bắt buộc|nguồn dữ liệu)."))
            name = _limited(parts[0], 500, required=True)
            kind = _choice(parts[1] if len(parts) > 1 else "", ComponentKind, KIND_ALIASES, LABEL_KIND,
                           default=ComponentKind.ORIGINAL)
            count = _integer(parts[2] if len(parts) > 2 else "", maximum=MAX_COUNT, minimum=1, default=1)
            required = _bool(parts[3]) if len(parts) > 3 and parts[3] != "" else True
            held_in = parts[4] if len(parts) > 4 else ""
            if held_in not in DataHolder.values:
                raise CellError(_("Nguồn dữ liệu phải là một trong: %(values)s.")
                                % {"values": ", ".join(v for v in DataHolder.values if v)})
        except CellError as exc:
            raise CellError(_("Thành phần %(n)d: %(msg)s") % {"n": number, "msg": exc}) from None
        specs.append(ComponentSpec(name=name, kind=kind, count=count, required=required, held_in=held_in))
    return specs


def _steps(value, known_agencies: Iterable[str]) -> list[StepSpec]:
    text = cell_text(value)
    if not text:
        return []
    specs = []
    items = [item for item in _split_keep_escapes(text, ";") if item.strip()]
    for number, item in enumerate(items, start=1):
        parts = [p.strip() for p in split_escaped(item.strip(), "|")]
        try:
            if len(parts) < 4 or len(parts) > 6:
                raise CellError(_("Cần tên|nơi thực hiện|vai trò|số giờ[|phòng ban[|mã cơ quan]]."))
            name = _limited(parts[0], 255, required=True)
            performer = _choice(parts[1], Performer, PERFORMER_ALIASES, LABEL_PERFORMER)
            role = _choice(parts[2], StepRole, ROLE_ALIASES, LABEL_ROLE)
            hours = _decimal(parts[3], required=True)
            department = _limited(parts[4], 255) if len(parts) > 4 else ""
            agency_code = parts[5] if len(parts) > 5 else ""
            if performer == Performer.AGENCY and not agency_code:
                raise CellError(_("Nơi thực hiện “agency” cần mã cơ quan ở phần thứ sáu."))
            if agency_code and performer != Performer.AGENCY:
                raise CellError(_("Chỉ ghi mã cơ quan khi nơi thực hiện là “agency”."))
            if agency_code and agency_code not in known_agencies:
                raise CellError(_("Không có cơ quan mã “%(code)s”.") % {"code": agency_code})
        except CellError as exc:
            raise CellError(_("Bước %(n)d: %(msg)s") % {"n": number, "msg": exc}) from None
        specs.append(StepSpec(order=number, name=name, performer=performer, role=role, allowance_hours=hours,
                              department_name=department, agency_code=agency_code))
    return specs


def _agency_codes(value, known_agencies: Iterable[str]) -> list[str]:
    codes = []
    for code in (part.strip() for part in re.split(r"[;,]", cell_text(value))):
        if not code:
            continue
        if code not in known_agencies:
            raise CellError(_("Không có cơ quan mã “%(code)s”.") % {"code": code})
        if code not in codes:
            codes.append(code)
    return codes


def form_cell(value) -> FormSpec | None:
    """The `form` cell: JSON of a form definition, optionally wrapped with its effective date."""
    text = cell_text(value)
    if not text:
        return None
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CellError(_("Tờ khai điện tử không phải JSON hợp lệ (%(error)s).") % {"error": str(exc)[:120]}) from None
    effective_from = None
    if isinstance(raw, dict) and "definition" in raw:
        if set(raw) - {"definition", "effective_from", "version"}:
            raise CellError(_("Tờ khai điện tử: chỉ dùng các khóa definition, effective_from, version."))
        try:
            effective_from = cell_date(raw.get("effective_from"))
        except CellError as exc:
            raise CellError(_("Tờ khai điện tử, effective_from: %(msg)s") % {"msg": exc}) from None
        raw = raw["definition"]
    try:
        formdefs.parse(raw)
    except formdefs.DefinitionError as exc:
        raise CellError(_("Tờ khai điện tử không hợp lệ: %(msg)s") % {"msg": definition_error_text(exc)}) from None
    except RecursionError:
        raise CellError(_("Tờ khai điện tử không hợp lệ: lồng quá sâu.")) from None
    return FormSpec(definition=raw, effective_from=effective_from)


# --- rows to specs ---------------------------------------------------------------------------------

def parse_table(
    header: list[str],
    rows: Iterable[tuple[int, list]],
    *,
    known_fields: Mapping[str, str],
    known_agencies: Iterable[str],
) -> tuple[list[ProcedureSpec], list[RowError]]:
    """Check every row; return the specs, or all the errors (an error anywhere means nothing is imported).

    `known_fields` maps the existing field codes to their names; `known_agencies` holds the existing
    agency codes.
    """
    known_agencies = set(known_agencies)
    errors: list[RowError] = []
    columns = [(h or "").strip().lower() for h in header]
    index: dict[str, int] = {}
    for position, name in enumerate(columns):
        if not name:
            continue
        if name not in EXPORT_COLUMNS:
            errors.append(RowError(1, name, _("Cột không xác định.")))
        elif name in index:
            errors.append(RowError(1, name, _("Cột bị lặp.")))
        else:
            index[name] = position
    for name in COLUMNS:
        if name not in index:
            errors.append(RowError(1, name, _("Thiếu cột.")))
    if errors:
        return [], errors

    specs: list[ProcedureSpec] = []
    first_row_of_code: dict[str, int] = {}
    field_names_in_file: dict[str, tuple[str, int]] = {}

    for number, values in rows:
        if all(cell_text(v) == "" for v in values):
            continue

        def cell(name, values=values):
            position = index.get(name)
            return values[position] if position is not None and position < len(values) else None

        row_errors: list[RowError] = []

        def parse(name, parser, *args, row_errors=row_errors, number=number, cell=cell, **kwargs):
            try:
                return parser(cell(name), *args, **kwargs)
            except CellError as exc:
                row_errors.append(RowError(number, name, str(exc), cell_text(cell(name))[:200]))
                return None

        raw_code = cell("code")
        if isinstance(raw_code, float):
            row_errors.append(RowError(number, "code", _("Mã thủ tục phải để dạng văn bản (ô Text) để giữ các số 0."),
                                       cell_text(raw_code)))
            code = None
        else:
            code = parse("code", _limited, 40, required=True)
        if code:
            if code in first_row_of_code:
                row_errors.append(RowError(number, "code", _("Mã thủ tục trùng với dòng %(row)d.")
                                           % {"row": first_row_of_code[code]}, code))
            else:
                first_row_of_code[code] = number
        name = parse("name", _limited, 500, required=True)
        field_code = parse("field_code", _limited, 40, required=True)
        field_name = parse("field_name", _limited, 255)
        if field_code:
            if not field_name and field_code not in known_fields and field_code not in field_names_in_file:
                row_errors.append(RowError(number, "field_name",
                                           _("Lĩnh vực mã “%(code)s” chưa có: cần ghi tên lĩnh vực.") % {"code": field_code}))
            elif field_name:
                earlier = field_names_in_file.get(field_code)
                if earlier and earlier[0] != field_name:
                    row_errors.append(RowError(number, "field_name",
                                               _("Tên lĩnh vực khác với dòng %(row)d (“%(name)s”).")
                                               % {"row": earlier[1], "name": earlier[0]}, field_name))
                elif not earlier:
                    field_names_in_file[field_code] = (field_name, number)
        levels = parse("agency_levels", _levels)
        amount = parse("time_limit_amount", _decimal, required=True)
        unit = parse("time_limit_unit", _choice, TimeUnit, UNIT_ALIASES, LABEL_UNIT)
        committed = parse("committed_amount", _decimal, required=False)
        if committed is not None and amount is not None and committed > amount:
            row_errors.append(RowError(number, "committed_amount",
                                       _("Thời hạn cam kết không được dài hơn thời hạn giải quyết."), cell_text(cell("committed_amount"))))
        online = parse("online_mode", _choice, OnlineMode, ONLINE_ALIASES, LABEL_ONLINE, default=OnlineMode.NONE)
        online_only = parse("online_only", _bool)
        on_the_spot = parse("on_the_spot", _bool)
        fee_text = parse("fee_text", _limited, 500)
        fee_amount = parse("fee_amount", _integer, maximum=MAX_FEE, default=0)
        legal_basis = parse("legal_basis", _limited, 20_000)
        status = parse("status", _choice, ProcedureStatus, STATUS_ALIASES, LABEL_STATUS, default=ProcedureStatus.DRAFT)
        effective_from = parse("effective_from", cell_date)
        effective_to = parse("effective_to", cell_date)
        if effective_from and effective_to and effective_to < effective_from:
            row_errors.append(RowError(number, "effective_to", _("Ngày hết hiệu lực trước ngày có hiệu lực."),
                                       cell_text(cell("effective_to"))))
        components = parse("components", _components)
        steps = parse("steps", _steps, known_agencies)
        agencies = parse("agencies", _agency_codes, known_agencies) if "agencies" in index else None
        requirements = parse("requirements", _limited, 20_000) if "requirements" in index else None
        result = parse("result", _limited, 500) if "result" in index else None
        national_code = parse("national_code", _limited, 40) if "national_code" in index else None
        eligible = parse("full_online_eligible", _bool) if "full_online_eligible" in index else None
        paper = parse("paper_result", _bool) if "paper_result" in index else None
        boundary_free = parse("boundary_free", _bool) if "boundary_free" in index else None
        form = parse("form", form_cell) if "form" in index else None
        if code and any(e.column == "form" for e in row_errors):  # name the procedure, not only the row
            row_errors[:] = [RowError(e.row, e.column, _("Thủ tục %(code)s: %(msg)s") % {"code": code, "msg": e.message},
                                   e.value) if e.column == "form" else e for e in row_errors]

        if row_errors:
            errors.extend(row_errors)
            continue
        specs.append(ProcedureSpec(
            row=number, code=code, name=name, field_code=field_code, field_name=field_name, agency_levels=levels,
            time_limit_amount=amount, time_limit_unit=unit, committed_amount=committed, online_mode=online,
            online_only=online_only, on_the_spot=on_the_spot, fee_text=fee_text, fee_amount=fee_amount,
            legal_basis=legal_basis, status=status, effective_from=effective_from, effective_to=effective_to,
            components=components, steps=steps, agencies=agencies, requirements=requirements, result=result,
            national_code=national_code,
            full_online_eligible=eligible, paper_result=paper, boundary_free=boundary_free, form=form,
        ))
    if not specs and not errors:
        errors.append(RowError(2, "", _("Tệp không có dòng dữ liệu nào.")))
    return specs, errors


# --- export ----------------------------------------------------------------------------------------

def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def export_row(procedure) -> list[str]:
    """One procedure as a row of EXPORT_COLUMNS; needs field, components, steps (with agency), agencies."""
    components = "; ".join(
        "|".join([escape(c.name), c.kind, str(c.count), "required" if c.required else "optional",
                  *([c.held_in] if c.held_in else [])])
        for c in procedure.components.all()
    )
    steps = []
    for step in procedure.steps.all():
        parts = [escape(step.name), step.performer, step.role, _number(step.allowance_hours)]
        agency_code = step.agency.code if step.agency_id else ""
        if step.department_name or agency_code:
            parts.append(escape(step.department_name))
        if agency_code:
            parts.append(agency_code)
        steps.append("|".join(parts))
    return [
        procedure.code, procedure.name, procedure.field.code, procedure.field.name, procedure.agency_levels,
        _number(procedure.time_limit_amount), procedure.time_limit_unit, _number(procedure.committed_amount),
        procedure.online_mode, "true" if procedure.online_only else "false",
        "true" if procedure.on_the_spot else "false", procedure.fee_text, str(procedure.fee_amount),
        procedure.legal_basis, procedure.status,
        procedure.effective_from.isoformat() if procedure.effective_from else "",
        procedure.effective_to.isoformat() if procedure.effective_to else "",
        components, "; ".join(steps),
        "; ".join(a.code for a in procedure.agencies.all()), procedure.requirements, procedure.result,
        getattr(getattr(procedure, "national_mapping", None), "national_code", ""),
        "true" if procedure.full_online_eligible else "false", "true" if procedure.paper_result else "false",
        "true" if procedure.boundary_free else "false",
        form_json(procedure),
    ]


def form_json(procedure) -> str:
    """The `form` cell: the procedure's latest form version with its effective date, or empty."""
    versions = getattr(procedure, "form_versions", None)
    if versions is None:
        versions = list(procedure.form_definitions.order_by("-effective_from", "-version"))
    if not versions:
        return ""
    latest = versions[0]
    return json.dumps({"effective_from": latest.effective_from.isoformat(), "definition": latest.definition},
                      ensure_ascii=False, separators=(",", ":"))


def write_csv(procedures: Iterable, stream: io.TextIOBase) -> int:
    """Write the procedures as UTF-8 CSV (the caller opens the stream with encoding utf-8-sig for Excel)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for procedure in procedures:
        writer.writerow(export_row(procedure))
        count += 1
    return count


def write_xlsx(procedures: Iterable, stream) -> int:
    """Write the procedures as an Excel workbook; every cell is text, so codes like 1.001930 keep their
    zeros and a name starting with "=" is never taken for a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("procedures")

    def text_cells(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        return cells

    sheet.append(text_cells(EXPORT_COLUMNS))
    count = 0
    for procedure in procedures:
        sheet.append(text_cells(export_row(procedure)))
        count += 1
    workbook.save(stream)
    return count


def write(procedures: Iterable, stream, fmt: str) -> int:
    """Write procedures to a binary stream as `csv` (UTF-8 with BOM, which Excel needs) or `xlsx`."""
    if fmt == "xlsx":
        return write_xlsx(procedures, stream)
    if fmt != "csv":
        raise ValueError(fmt)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        return write_csv(procedures, text)
    finally:
        text.flush()
        text.detach()


def format_of(filename: str) -> str | None:
    """`csv` or `xlsx` from a file name, None when neither."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    return None
