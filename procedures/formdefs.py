"""Electronic forms (tờ khai điện tử) as data: parse a form definition, check submitted values, prefill.

Pure rules, no Django: a definition is plain JSON kept in the catalogue (`procedures.FormDefinition`),
and what a citizen, a desk officer or an API client submits is checked here, with every problem keyed
by the field's path (`form.parents[1].id_number`). Messages are codes with parameters (`Problem`);
`procedures.formtext` words them in Vietnamese or English.

A definition:

    {"title": {"vi": "TỜ KHAI ĐĂNG KÝ KHAI SINH", "en": "BIRTH REGISTRATION DECLARATION"},
     "form_number": "Mẫu ... TT 04/2020/TT-BTP",            (optional, printed top right)
     "addressee": true,                                      (optional: print "Kính gửi: …")
     "commitment": {"vi": "...", "en": "..."},               (optional: printed above the signature)
     "fields": [ITEM, ...]}

An ITEM is a field or a group. A field: `name` (a-z, 0-9, _), `type` (one of TYPES), `label` ({vi, en}),
optional `help` ({vi, en}), `required` (bool), `prefill` (a path in a person record, PREFILL_PATHS; in a
prefilled group, a key of the row: ROW_KEYS) and the checks of its type:
  text, address, long_text: `min_length`, `max_length`, `pattern` (a regular expression the whole value
      must match) with `pattern_message` ({vi, en});
  date: `past` (not after today), `min`, `max` (YYYY-MM-DD); values typed as YYYY-MM-DD or DD/MM/YYYY;
  id_number: `id_kind` "cccd" (12 digits, the default), "cmnd" (9 or 12 digits) or "passport" (a letter
      and 7 digits, or 8–9 letters and digits);
  number: `min`, `max`, `decimals` (0 by default);
  choice: `choices` [{value, label {vi, en}}];
  checkbox: `required` means it must be ticked (a commitment).
A group: `name`, `type` "group", `label`, optional `help`, `fields` (fields only: groups do not nest), and
optional `repeat` {min, max} making it a list of rows (the parents); a repeated group may carry `prefill`:
a list of row sources, "person" (the person themself) or "person.household[]" or
"person.household[relation=vợ|chồng]" (members of the person's household other than the person, optionally
of those relations to the head of household).

Values: a non-repeated group is an object, a repeated one a list of objects; a field's cleaned value is a
string (dates as YYYY-MM-DD), a number (int, or a decimal string when `decimals` > 0), or a bool.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# The one phone rule of the portal (pure, like this module): "+84 912 345 678" is "0912345678".
from citizens.rules import is_mobile, normalize_phone

TYPES = ("text", "date", "id_number", "phone", "email", "choice", "number", "long_text", "address", "checkbox")
PREFILL_PATHS = ("person.id_number", "person.full_name", "person.birth_date", "person.gender", "person.address",
                 "person.phone", "person.email")
ROW_KEYS = ("id_number", "full_name", "birth_date", "relation", "gender", "address", "phone", "email")
ID_KINDS = ("cccd", "cmnd", "passport")
LANGUAGES = ("vi", "en")
MAX_FIELDS = 200
MAX_ROWS = 50
DEFAULT_MAX_LENGTH = {"text": 255, "address": 500, "long_text": 4000}

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HOUSEHOLD_SOURCE = re.compile(r"^person\.household\[(?:relation=([^\]]+))?\]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
_PASSPORT = re.compile(r"^([A-Z]\d{7}|[A-Z0-9]{8,9})$")


# --- the definition ----------------------------------------------------------------------------------


class DefinitionError(ValueError):
    """A definition that does not parse: `code` and `params` say what, `where` says where ("fields[2].type")."""

    def __init__(self, code: str, where: str = "", **params: Any):
        super().__init__(f"{where}: {code} {params}" if where else f"{code} {params}")
        self.code, self.where, self.params = code, where, params


@dataclass(frozen=True)
class Choice:
    value: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: Mapping[str, str]
    help: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    prefill: str = ""
    min_length: int | None = None
    max_length: int | None = None
    pattern: str = ""
    pattern_message: Mapping[str, str] = field(default_factory=dict)
    past: bool = False
    min: Any = None  # a date for dates, a Decimal for numbers
    max: Any = None
    id_kind: str = "cccd"
    decimals: int = 0
    choices: tuple[Choice, ...] = ()

    is_group = False

    def choice_label(self, value: str) -> Mapping[str, str]:
        return next((c.label for c in self.choices if c.value == value), {})


@dataclass(frozen=True)
class GroupDef:
    name: str
    label: Mapping[str, str]
    fields: tuple[FieldDef, ...]
    help: Mapping[str, str] = field(default_factory=dict)
    repeat_min: int | None = None  # None: not repeated
    repeat_max: int | None = None
    prefill: tuple[str, ...] = ()

    is_group = True
    type = "group"

    @property
    def repeated(self) -> bool:
        return self.repeat_max is not None


@dataclass(frozen=True)
class Definition:
    title: Mapping[str, str]
    items: tuple[FieldDef | GroupDef, ...]
    form_number: str = ""
    addressee: bool = False
    commitment: Mapping[str, str] = field(default_factory=dict)

    def paths(self, prefix: str = "form") -> list[str]:
        """Every field's path, a repeated group's fields with `[]` for the row."""
        out = []
        for item in self.items:
            if item.is_group:
                row = "[]" if item.repeated else ""
                out.extend(f"{prefix}.{item.name}{row}.{f.name}" for f in item.fields)
            else:
                out.append(f"{prefix}.{item.name}")
        return out


def _text(value, where: str, *, required: bool = True) -> dict[str, str]:
    """A {vi, en} text: both languages when required, Vietnamese at least."""
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise DefinitionError("text_languages", where)
    unknown = [key for key in value if key not in LANGUAGES]
    if unknown:
        raise DefinitionError("unknown_key", where, key=unknown[0])
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise DefinitionError("text_languages", where)
    return {language: value[language].strip() for language in LANGUAGES}


def _int(value, where: str, *, minimum: int = 0, maximum: int = 1_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise DefinitionError("bad_integer", where, min=minimum, max=maximum)
    return value


def _iso_date(value, where: str) -> dt.date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise DefinitionError("bad_date", where)


def _number(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DefinitionError("bad_number", where)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError("bad_number", where) from None
    if not number.is_finite():
        raise DefinitionError("bad_number", where)
    return number


FIELD_KEYS = {"name", "type", "label", "help", "required", "prefill"}
TYPE_KEYS = {
    "text": {"min_length", "max_length", "pattern", "pattern_message"},
    "address": {"min_length", "max_length", "pattern", "pattern_message"},
    "long_text": {"min_length", "max_length", "pattern", "pattern_message"},
    "date": {"past", "min", "max"},
    "id_number": {"id_kind"},
    "number": {"min", "max", "decimals"},
    "choice": {"choices"},
    "phone": set(), "email": set(), "checkbox": set(),
}
GROUP_KEYS = {"name", "type", "label", "help", "fields", "repeat", "prefill"}


def _parse_field(raw, where: str, *, in_group: GroupDef | None = None, group_prefilled: bool = False) -> FieldDef:
    if not isinstance(raw, Mapping):
        raise DefinitionError("not_an_object", where)
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise DefinitionError("bad_name", f"{where}.name", value=str(name)[:40])
    where = f"{where}({name})"
    kind = raw.get("type")
    if kind not in TYPES:
        raise DefinitionError("unknown_type", f"{where}.type", value=str(kind)[:40], choices=", ".join(TYPES))
    for key in raw:
        if key not in FIELD_KEYS and key not in TYPE_KEYS[kind]:
            raise DefinitionError("unknown_key", where, key=str(key)[:40])
    values: dict[str, Any] = {"name": name, "type": kind, "label": _text(raw.get("label"), f"{where}.label"),
                              "help": _text(raw.get("help"), f"{where}.help", required=False)}
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise DefinitionError("bad_boolean", f"{where}.required")
    values["required"] = required
    prefill = raw.get("prefill", "")
    if prefill:
        allowed = ROW_KEYS if group_prefilled else PREFILL_PATHS
        if prefill not in allowed:
            raise DefinitionError("bad_prefill", f"{where}.prefill", value=str(prefill)[:60], choices=", ".join(allowed))
        values["prefill"] = prefill
    if kind in DEFAULT_MAX_LENGTH:
        values["max_length"] = _int(raw.get("max_length", DEFAULT_MAX_LENGTH[kind]), f"{where}.max_length",
                                    minimum=1, maximum=20_000)
        if "min_length" in raw:
            values["min_length"] = _int(raw["min_length"], f"{where}.min_length", maximum=values["max_length"])
        if "pattern" in raw:
            pattern = raw["pattern"]
            if not isinstance(pattern, str) or not pattern:
                raise DefinitionError("bad_pattern", f"{where}.pattern")
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError):
                raise DefinitionError("bad_pattern", f"{where}.pattern") from None
            values["pattern"] = pattern
            values["pattern_message"] = _text(raw.get("pattern_message"), f"{where}.pattern_message")
        elif "pattern_message" in raw:
            raise DefinitionError("unknown_key", where, key="pattern_message")
    elif kind == "date":
        past = raw.get("past", False)
        if not isinstance(past, bool):
            raise DefinitionError("bad_boolean", f"{where}.past")
        values["past"] = past
        for bound in ("min", "max"):
            if bound in raw:
                values[bound] = _iso_date(raw[bound], f"{where}.{bound}")
    elif kind == "number":
        values["decimals"] = _int(raw.get("decimals", 0), f"{where}.decimals", maximum=6)
        for bound in ("min", "max"):
            if bound in raw:
                values[bound] = _number(raw[bound], f"{where}.{bound}")
    elif kind == "id_number":
        id_kind = raw.get("id_kind", "cccd")
        if id_kind not in ID_KINDS:
            raise DefinitionError("bad_id_kind", f"{where}.id_kind", value=str(id_kind)[:40], choices=", ".join(ID_KINDS))
        values["id_kind"] = id_kind
    elif kind == "choice":
        raw_choices = raw.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            raise DefinitionError("no_choices", f"{where}.choices")
        choices, seen = [], set()
        for index, item in enumerate(raw_choices):
            at = f"{where}.choices[{index}]"
            if not isinstance(item, Mapping) or set(item) - {"value", "label"}:
                raise DefinitionError("not_an_object", at)
            value = item.get("value")
            if not isinstance(value, str) or not value.strip() or len(value) > 60:
                raise DefinitionError("bad_choice_value", f"{at}.value")
            if value in seen:
                raise DefinitionError("duplicate_name", f"{at}.value", value=value)
            seen.add(value)
            choices.append(Choice(value=value, label=_text(item.get("label"), f"{at}.label")))
        values["choices"] = tuple(choices)
    if values.get("min") is not None and values.get("max") is not None and values["min"] > values["max"]:
        raise DefinitionError("min_over_max", where)
    return FieldDef(**values)


def _parse_group(raw, where: str) -> GroupDef:
    for key in raw:
        if key not in GROUP_KEYS:
            raise DefinitionError("unknown_key", where, key=str(key)[:40])
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise DefinitionError("bad_name", f"{where}.name", value=str(name)[:40])
    where = f"{where}({name})"
    label = _text(raw.get("label"), f"{where}.label")
    help_text = _text(raw.get("help"), f"{where}.help", required=False)
    repeat_min = repeat_max = None
    if "repeat" in raw:
        repeat = raw["repeat"]
        if not isinstance(repeat, Mapping) or set(repeat) - {"min", "max"} or "max" not in repeat:
            raise DefinitionError("bad_repeat", f"{where}.repeat")
        repeat_max = _int(repeat["max"], f"{where}.repeat.max", minimum=1, maximum=MAX_ROWS)
        repeat_min = _int(repeat.get("min", 0), f"{where}.repeat.min", maximum=repeat_max)
    prefill: tuple[str, ...] = ()
    if "prefill" in raw:
        sources = raw["prefill"]
        if repeat_max is None or not isinstance(sources, list) or not sources:
            raise DefinitionError("bad_group_prefill", f"{where}.prefill")
        for source in sources:
            if source != "person" and not (isinstance(source, str) and _HOUSEHOLD_SOURCE.match(source)):
                raise DefinitionError("bad_group_prefill", f"{where}.prefill")
        prefill = tuple(sources)
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise DefinitionError("no_fields", f"{where}.fields")
    fields, names = [], set()
    for index, item in enumerate(raw_fields):
        at = f"{where}.fields[{index}]"
        if isinstance(item, Mapping) and item.get("type") == "group":
            raise DefinitionError("nested_group", at)
        parsed = _parse_field(item, at, group_prefilled=bool(prefill))
        if parsed.name in names:
            raise DefinitionError("duplicate_name", f"{at}.name", value=parsed.name)
        names.add(parsed.name)
        fields.append(parsed)
    return GroupDef(name=name, label=label, help=help_text, fields=tuple(fields), repeat_min=repeat_min,
                    repeat_max=repeat_max, prefill=prefill)


def parse(raw) -> Definition:
    """The definition from its JSON (already decoded); raises DefinitionError naming the first problem."""
    if not isinstance(raw, Mapping):
        raise DefinitionError("not_an_object", "")
    if _has_nul(raw):  # PostgreSQL refuses NUL in JSON
        raise DefinitionError("bad_text", "")
    for key in raw:
        if key not in {"title", "form_number", "addressee", "commitment", "fields"}:
            raise DefinitionError("unknown_key", "", key=str(key)[:40])
    title = _text(raw.get("title"), "title")
    form_number = raw.get("form_number", "")
    if not isinstance(form_number, str) or len(form_number) > 200:
        raise DefinitionError("bad_text", "form_number")
    addressee = raw.get("addressee", False)
    if not isinstance(addressee, bool):
        raise DefinitionError("bad_boolean", "addressee")
    commitment = _text(raw.get("commitment"), "commitment", required=False)
    raw_items = raw.get("fields")
    if not isinstance(raw_items, list) or not raw_items:
        raise DefinitionError("no_fields", "fields")
    items, names, count = [], set(), 0
    for index, item in enumerate(raw_items):
        at = f"fields[{index}]"
        if isinstance(item, Mapping) and item.get("type") == "group":
            parsed: FieldDef | GroupDef = _parse_group(item, at)
            count += len(parsed.fields)
        else:
            parsed = _parse_field(item, at)
            count += 1
        if parsed.name in names:
            raise DefinitionError("duplicate_name", f"{at}.name", value=parsed.name)
        names.add(parsed.name)
        items.append(parsed)
    if count > MAX_FIELDS:
        raise DefinitionError("too_many_fields", "fields", max=MAX_FIELDS)
    return Definition(title=title, items=tuple(items), form_number=form_number, addressee=addressee,
                      commitment=commitment)


# --- checking values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a value: a stable `code` and the `params` its message needs."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    cleaned: dict
    errors: dict[str, list[Problem]]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.problem = Problem(code, params)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value) -> dt.date:
    """A date typed as YYYY-MM-DD or DD/MM/YYYY (D/M/YYYY too)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise _Invalid("wrong_type", expected="date")
    text = value.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise _Invalid("invalid_date")


def _clean_text(spec: FieldDef, value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and spec.type in ("text", "address"):
        value = str(value)
    if not isinstance(value, str):
        raise _Invalid("wrong_type", expected="text")
    text = value.strip() if spec.type != "long_text" else value.strip().replace("\r\n", "\n")
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _Invalid("too_long", max=spec.max_length)
    if spec.min_length is not None and len(text) < spec.min_length:
        raise _Invalid("too_short", min=spec.min_length)
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        raise _Invalid("pattern", message=spec.pattern_message)
    return text


def _clean(spec: FieldDef, value, today: dt.date):
    """The cleaned value of a non-blank `value`, or _Invalid."""
    kind = spec.type
    if isinstance(value, str) and "\x00" in value:  # never stored: PostgreSQL refuses NUL in text and JSON
        raise _Invalid("invalid_characters")
    if kind in ("text", "address", "long_text"):
        return _clean_text(spec, value)
    if kind == "checkbox":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("on", "true", "1", "yes"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
            return False
        raise _Invalid("wrong_type", expected="boolean")
    if kind == "date":
        day = parse_date(value)
        if spec.past and day > today:
            raise _Invalid("date_in_future")
        if spec.min is not None and day < spec.min:
            raise _Invalid("date_before", min=spec.min.isoformat())
        if spec.max is not None and day > spec.max:
            raise _Invalid("date_after", max=spec.max.isoformat())
        return day.isoformat()
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _Invalid("wrong_type", expected="number")
        text = str(value).strip().replace(" ", "")
        if isinstance(value, str) and re.fullmatch(r"-?\d+,\d+", text):
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _Invalid("not_a_number") from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            raise _Invalid("not_a_number")
        if number != number.quantize(Decimal(1).scaleb(-spec.decimals)):
            raise _Invalid("too_many_decimals", decimals=spec.decimals)
        if spec.min is not None and number < spec.min:
            raise _Invalid("number_min", min=_plain(spec.min))
        if spec.max is not None and number > spec.max:
            raise _Invalid("number_max", max=_plain(spec.max))
        return int(number) if spec.decimals == 0 else _plain(number)
    if not isinstance(value, str):  # an ID number sent as a JSON number has lost its leading zeros
        raise _Invalid("wrong_type", expected="text")
    text = value.strip()
    if kind == "id_number":
        text = re.sub(r"\s", "", text)
        if spec.id_kind == "cccd":
            if not text.isdigit() or not text.isascii():
                raise _Invalid("id_digits")
            if len(text) != 12:
                raise _Invalid("id_length", length=12, got=len(text))
        elif spec.id_kind == "cmnd":
            if not text.isdigit() or not text.isascii():
                raise _Invalid("id_digits")
            if len(text) not in (9, 12):
                raise _Invalid("id_length_cmnd", got=len(text))
        elif not _PASSPORT.match(text.upper()):
            raise _Invalid("passport")
        return text.upper()
    if kind == "phone":
        digits = normalize_phone(text)
        if not is_mobile(digits):
            raise _Invalid("invalid_phone")
        return digits
    if kind == "email":
        if len(text) > 254 or not _EMAIL.match(text):
            raise _Invalid("invalid_email")
        return text.lower()
    if kind == "choice":
        if not any(c.value == text for c in spec.choices):
            raise _Invalid("invalid_choice", choices=", ".join(c.value for c in spec.choices))
        return text
    raise AssertionError(kind)  # pragma: no cover - parse() admits only TYPES


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_fields(specs: Iterable[FieldDef], values, path: str, today: dt.date, errors: dict) -> dict:
    if not isinstance(values, Mapping):
        errors.setdefault(path, []).append(Problem("not_an_object"))
        return {}
    names = {spec.name for spec in specs}
    for key in values:
        if key not in names:
            errors.setdefault(f"{path}.{key}", []).append(Problem("unknown_field"))
    cleaned = {}
    for spec in specs:
        at = f"{path}.{spec.name}"
        value = values.get(spec.name)
        if _blank(value) or (spec.type == "checkbox" and value is False):
            if spec.required:
                errors.setdefault(at, []).append(Problem("must_be_checked" if spec.type == "checkbox" else "required"))
            elif spec.type == "checkbox":
                cleaned[spec.name] = False
            continue
        try:
            cleaned[spec.name] = _clean(spec, value, today)
        except _Invalid as exc:
            errors.setdefault(at, []).append(exc.problem)
    return cleaned


def _row_empty(row) -> bool:
    return isinstance(row, Mapping) and all(_blank(v) or v is False for v in row.values())


def validate(definition: Definition, data, *, today: dt.date, prefix: str = "form") -> Result:
    """Check submitted values against the definition: the cleaned values, or every problem by path.

    Rows of a repeated group that are left entirely blank are dropped before counting (a page shows
    empty rows to fill). Keys the definition does not have are problems, not silently dropped.
    """
    errors: dict[str, list[Problem]] = {}
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        return Result({}, {prefix: [Problem("not_an_object")]})
    items = {item.name: item for item in definition.items}
    for key in data:
        if key not in items:
            errors.setdefault(f"{prefix}.{key}", []).append(Problem("unknown_field"))
    plain = [item for item in definition.items if not item.is_group]
    cleaned = _check_fields(plain, {k: v for k, v in data.items() if k in {f.name for f in plain}}, prefix, today,
                            errors)
    for item in definition.items:
        if not item.is_group:
            continue
        at = f"{prefix}.{item.name}"
        value = data.get(item.name)
        if not item.repeated:
            cleaned[item.name] = _check_fields(item.fields, value if value is not None else {}, at, today, errors)
            continue
        if value is None:
            value = []
        if not isinstance(value, list):
            errors.setdefault(at, []).append(Problem("not_a_list"))
            continue
        rows = [row for row in value if not _row_empty(row)]
        if len(rows) > item.repeat_max:
            errors.setdefault(at, []).append(Problem("too_many_rows", {"max": item.repeat_max}))
            continue
        if len(rows) < item.repeat_min:
            errors.setdefault(at, []).append(Problem("too_few_rows", {"min": item.repeat_min}))
        cleaned[item.name] = [_check_fields(item.fields, row, f"{at}[{index}]", today, errors)
                              for index, row in enumerate(rows)]
    if errors:
        return Result({}, errors)
    return Result(cleaned, {})


def blank_values(definition: Definition) -> dict:
    """Empty values: a repeated group gets its minimum number of rows (one at least, to fill)."""
    values: dict = {}
    for item in definition.items:
        if not item.is_group:
            values[item.name] = False if item.type == "checkbox" else ""
        elif item.repeated:
            values[item.name] = [_blank_row(item) for _ in range(max(item.repeat_min or 0, 1))]
        else:
            values[item.name] = _blank_row(item)
    return values


def _blank_row(group: GroupDef) -> dict:
    return {f.name: (False if f.type == "checkbox" else "") for f in group.fields}


# --- prefill -----------------------------------------------------------------------------------------


def _record_value(record: Mapping, key: str):
    value = record.get(key)
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if value is None:
        return ""
    return value if isinstance(value, (str, bool, int)) else str(value)


def _row_from(group: GroupDef, source: Mapping) -> dict:
    row = _blank_row(group)
    for f in group.fields:
        if f.prefill:
            row[f.name] = _record_value(source, f.prefill)
    return row


def _relations(source: str) -> set[str] | None:
    match = _HOUSEHOLD_SOURCE.match(source)
    if match is None or match[1] is None:
        return None
    return {part.strip().casefold() for part in match[1].split("|") if part.strip()}


def prefill(definition: Definition, record: Mapping | None) -> dict:
    """Initial values from a person record: `{"id_number", "full_name", "birth_date", "gender", "address",
    "phone", "email", "household": [{"id_number", "full_name", "birth_date", "relation"}, ...]}` (any key may
    be missing). Fields without `prefill`, or whose key the record lacks, start blank; a choice field takes
    the record's value only when it is one of its choices. The record's person is `person`."""
    values = blank_values(definition)
    if not record:
        return values
    person = {key: record.get(key) for key in ROW_KEYS if key in record}

    def fill(spec: FieldDef, source: Mapping) -> Any:
        key = spec.prefill.removeprefix("person.")
        value = _record_value(source, key)
        if spec.type == "choice" and value not in {c.value for c in spec.choices}:
            return ""
        if spec.type == "checkbox":
            return bool(value)
        return value

    # The household as the register lists it (relations to its head); the person themself is never a second row.
    own_id = str(record.get("id_number") or "")
    household = [member for member in (record.get("household") or []) if isinstance(member, Mapping)
                 and not (own_id and str(member.get("id_number") or "") == own_id)]
    for item in definition.items:
        if not item.is_group:
            if item.prefill:
                values[item.name] = fill(item, person)
        elif not item.repeated:
            values[item.name] = {f.name: (fill(f, person) if f.prefill else values[item.name][f.name])
                                 for f in item.fields}
        elif item.prefill:
            rows, used = [], set()
            for source in item.prefill:
                if source == "person":
                    candidates = [person] if person else []
                else:
                    relations = _relations(source)
                    picked = [index for index, member in enumerate(household) if index not in used and (
                        relations is None or str(member.get("relation", "")).strip().casefold() in relations)]
                    used.update(picked)
                    candidates = [household[index] for index in picked]
                for candidate in candidates:
                    if len(rows) < item.repeat_max:
                        row = {f.name: (fill(f, candidate) if f.prefill else ("" if f.type != "checkbox" else False))
                               for f in item.fields}
                        rows.append(row)
            if rows:
                while len(rows) < (item.repeat_min or 0):
                    rows.append(_blank_row(item))
                values[item.name] = rows
    return values


# --- pages: flat keys and rows -----------------------------------------------------------------------


def from_flat(definition: Definition, get: Callable[[str], str | None], *, prefix: str = "form",
              rows: Mapping[str, int] | None = None) -> dict:
    """Nested values from flat page keys (`form.child.full_name`, `form.parents[1].id_number`); a repeated
    group reads the row count the page posted (`form.parents.rows`), limited to MAX_ROWS."""
    values: dict = {}
    for item in definition.items:
        if not item.is_group:
            values[item.name] = get(f"{prefix}.{item.name}")
            continue
        if not item.repeated:
            values[item.name] = {f.name: get(f"{prefix}.{item.name}.{f.name}") for f in item.fields}
            continue
        count = (rows or {}).get(item.name)
        if count is None:
            count = _row_count(get(f"{prefix}.{item.name}.rows"), item)
        values[item.name] = [{f.name: get(f"{prefix}.{item.name}[{index}].{f.name}") for f in item.fields}
                             for index in range(count)]
    return _drop_none(values)


def _row_count(raw, group: GroupDef) -> int:
    try:
        count = int(raw) if raw is not None and str(raw).strip().isdigit() else 0
    except ValueError:
        count = 0
    return min(max(count, group.repeat_min or 0, 1), min(group.repeat_max, MAX_ROWS))


def _drop_none(values):
    if isinstance(values, dict):
        return {k: _drop_none(v) for k, v in values.items() if v is not None}
    if isinstance(values, list):
        return [_drop_none(v) for v in values]
    return values


def add_row(definition: Definition, values: dict, group_name: str) -> dict:
    """The values with one more blank row in `group_name`, unless it is at its maximum."""
    group = _group(definition, group_name)
    if group is None:
        return values
    rows = list(values.get(group_name) or [])
    if len(rows) < group.repeat_max:
        rows.append(_blank_row(group))
    return {**values, group_name: rows}


def remove_row(definition: Definition, values: dict, group_name: str, index: int) -> dict:
    """The values without row `index` of `group_name`, keeping the group's minimum (and one row)."""
    group = _group(definition, group_name)
    if group is None:
        return values
    rows = list(values.get(group_name) or [])
    if 0 <= index < len(rows) and len(rows) > max(group.repeat_min or 0, 1):
        del rows[index]
    return {**values, group_name: rows}


def _group(definition: Definition, name: str) -> GroupDef | None:
    return next((item for item in definition.items if item.is_group and item.repeated and item.name == name), None)


def is_blank(values) -> bool:
    """Nothing filled in: every value empty or unticked, every row of every group too."""
    if isinstance(values, Mapping):
        return all(is_blank(v) for v in values.values())
    if isinstance(values, list):
        return all(is_blank(v) for v in values)
    return _blank(values) or values is False


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def without_nul(values):
    """Values as typed, safe to keep in a draft (PostgreSQL refuses NUL in JSON); checked only when sent."""
    if isinstance(values, str):
        return values.replace("\x00", "")
    if isinstance(values, Mapping):
        return {str(k).replace("\x00", ""): without_nul(v) for k, v in values.items()}
    if isinstance(values, list):
        return [without_nul(v) for v in values]
    return values
