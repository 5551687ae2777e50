"""The words of electronic forms: problems and definition errors as messages, labels in the page's language,
and a filled form laid out for a page or a printed tờ khai.

`procedures.formdefs` is pure and speaks in codes; this module turns them into Vietnamese or English text
with gettext, so the pages, the API's `fields` and the import's error table all say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import formdefs

PROBLEMS = {
    "required": gettext_lazy("Bắt buộc nhập."),
    "must_be_checked": gettext_lazy("Cần đánh dấu để tiếp tục."),
    "wrong_type": gettext_lazy("Sai kiểu dữ liệu."),
    "invalid_characters": gettext_lazy("Có ký tự không hợp lệ."),
    "too_long": gettext_lazy("Dài quá %(max)s ký tự."),
    "too_short": gettext_lazy("Cần ít nhất %(min)s ký tự."),
    "invalid_date": gettext_lazy("Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 05/09/2026."),
    "date_in_future": gettext_lazy("Ngày không được sau ngày hôm nay."),
    "date_before": gettext_lazy("Ngày không được trước %(min)s."),
    "date_after": gettext_lazy("Ngày không được sau %(max)s."),
    "not_a_number": gettext_lazy("Phải là một số."),
    "too_many_decimals": gettext_lazy("Tối đa %(decimals)s chữ số thập phân."),
    "number_min": gettext_lazy("Không được nhỏ hơn %(min)s."),
    "number_max": gettext_lazy("Không được lớn hơn %(max)s."),
    "id_digits": gettext_lazy("Số định danh chỉ gồm chữ số."),
    "id_length": gettext_lazy("Số định danh cá nhân phải gồm %(length)s chữ số (đã nhập %(got)s)."),
    "id_length_cmnd": gettext_lazy("Số CMND gồm 9 chữ số, số định danh gồm 12 chữ số (đã nhập %(got)s)."),
    "passport": gettext_lazy("Số hộ chiếu không hợp lệ."),
    "invalid_phone": gettext_lazy("Số điện thoại không hợp lệ; nhập 10 chữ số, ví dụ 0912345678."),
    "invalid_email": gettext_lazy("Địa chỉ thư điện tử không hợp lệ."),
    "invalid_choice": gettext_lazy("Lựa chọn không hợp lệ."),
    "unknown_field": gettext_lazy("Tờ khai không có trường này."),
    "not_an_object": gettext_lazy("Phải là một đối tượng (các trường của tờ khai)."),
    "not_a_list": gettext_lazy("Phải là một danh sách."),
    "too_many_rows": gettext_lazy("Nhiều nhất %(max)s dòng."),
    "too_few_rows": gettext_lazy("Cần ít nhất %(min)s dòng."),
    "no_form": gettext_lazy("Thủ tục này không có tờ khai điện tử."),
}

DEFINITION_ERRORS = {
    "not_an_object": gettext_lazy("phải là một đối tượng JSON"),
    "unknown_key": gettext_lazy("khóa không xác định “%(key)s”"),
    "text_languages": gettext_lazy("cần văn bản tiếng Việt và tiếng Anh ({\"vi\": …, \"en\": …})"),
    "bad_integer": gettext_lazy("phải là số nguyên từ %(min)s đến %(max)s"),
    "bad_date": gettext_lazy("ngày phải theo dạng YYYY-MM-DD"),
    "bad_number": gettext_lazy("phải là một số"),
    "unknown_type": gettext_lazy("kiểu trường không hợp lệ “%(value)s”; dùng một trong: %(choices)s"),
    "bad_name": gettext_lazy("tên trường không hợp lệ “%(value)s” (chữ thường không dấu, số, dấu _)"),
    "bad_boolean": gettext_lazy("phải là true hoặc false"),
    "bad_prefill": gettext_lazy("nguồn điền sẵn không hợp lệ “%(value)s”; dùng một trong: %(choices)s"),
    "bad_pattern": gettext_lazy("biểu thức kiểm tra (pattern) không hợp lệ"),
    "bad_id_kind": gettext_lazy("loại giấy tờ không hợp lệ “%(value)s”; dùng một trong: %(choices)s"),
    "no_choices": gettext_lazy("cần danh sách lựa chọn"),
    "bad_choice_value": gettext_lazy("giá trị lựa chọn phải là văn bản (tối đa 60 ký tự)"),
    "duplicate_name": gettext_lazy("tên “%(value)s” bị lặp"),
    "min_over_max": gettext_lazy("giá trị nhỏ nhất lớn hơn giá trị lớn nhất"),
    "bad_repeat": gettext_lazy("repeat cần {\"min\": …, \"max\": …}"),
    "bad_group_prefill": gettext_lazy("nhóm lặp chỉ điền sẵn từ danh sách “person”, “person.household[]”"),
    "no_fields": gettext_lazy("cần ít nhất một trường"),
    "nested_group": gettext_lazy("nhóm không được lồng trong nhóm"),
    "bad_text": gettext_lazy("phải là văn bản (tối đa 200 ký tự)"),
    "too_many_fields": gettext_lazy("nhiều hơn %(max)s trường"),
    "bad_json": gettext_lazy("không phải JSON hợp lệ (%(error)s)"),
}


def problem_text(problem: formdefs.Problem) -> str:
    params = dict(problem.params)
    if problem.code == "pattern":
        return text_in(params.get("message")) or _("Giá trị không đúng định dạng.")
    template = PROBLEMS.get(problem.code)
    if template is None:
        return problem.code
    for key in ("min", "max"):
        if isinstance(params.get(key), str) and len(params[key]) == 10 and params[key][4] == "-":
            params[key] = dt.date.fromisoformat(params[key]).strftime("%d/%m/%Y")
    return str(template) % params if params else str(template)


def error_messages(errors: Mapping[str, list[formdefs.Problem]]) -> dict[str, list[str]]:
    """The API's `fields` and the pages' messages: each path with its problems in words."""
    return {path: [problem_text(p) for p in problems] for path, problems in errors.items()}


def definition_error_text(error: formdefs.DefinitionError) -> str:
    template = DEFINITION_ERRORS.get(error.code)
    text = (str(template) % error.params if error.params else str(template)) if template else error.code
    return f"{error.where}: {text}" if error.where else text


def text_in(text: Mapping[str, str] | None, language: str | None = None) -> str:
    """A {vi, en} text in the current language, Vietnamese when that one is missing."""
    if not text:
        return ""
    language = (language or get_language() or "vi")[:2]
    return text.get(language) or text.get("vi", "")


# --- a filled form, laid out ----------------------------------------------------------------------


class _Labelled:
    """The label and help of a field or group, in the page's language."""

    spec: formdefs.FieldDef | formdefs.GroupDef

    @property
    def label(self) -> str:
        return text_in(self.spec.label)

    @property
    def help(self) -> str:
        return text_in(self.spec.help)


@dataclass
class BoundField(_Labelled):
    spec: formdefs.FieldDef
    key: str  # the page's input name and the error path: form.parents[1].id_number
    value: object
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return "f-" + self.key.replace(".", "-").replace("[", "-").replace("]", "")

    @property
    def input_type(self) -> str:
        return {"date": "date", "email": "email", "phone": "tel", "number": "text"}.get(self.spec.type, "text")

    @property
    def input_mode(self) -> str:
        return {"id_number": "numeric", "phone": "tel", "number": "decimal"}.get(self.spec.type, "")

    @property
    def autocomplete(self) -> str:
        return {"phone": "tel", "email": "email"}.get(self.spec.type, "off")

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(c.value, text_in(c.label)) for c in self.spec.choices]

    @property
    def checked(self) -> bool:
        """A tick box's state, from a cleaned value (True) or a posted one ("on")."""
        return self.value is True or (isinstance(self.value, str) and self.value.strip().lower() in ("on", "true", "1"))

    @property
    def display(self) -> str:
        """The value as an officer reads it and the tờ khai prints it."""
        value = self.value
        if self.spec.type == "checkbox":
            return _("Có") if self.checked else (_("Không") if value is False else "")
        if value in (None, ""):
            return ""
        if self.spec.type == "date":
            try:
                return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
            except ValueError:
                return str(value)
        if self.spec.type == "choice":
            return text_in(self.spec.choice_label(str(value))) or str(value)
        return str(value)

    @property
    def input_value(self) -> str:
        """The value as the page's input holds it (a date input wants YYYY-MM-DD)."""
        return "" if self.value in (None, False) else str(self.value)


@dataclass
class BoundRow:
    index: int | None
    fields: list[BoundField]
    key: str


@dataclass
class BoundGroup(_Labelled):
    spec: formdefs.GroupDef
    key: str
    rows: list[BoundRow]
    errors: list[str] = field(default_factory=list)

    @property
    def can_add(self) -> bool:
        return self.spec.repeated and len(self.rows) < self.spec.repeat_max

    @property
    def can_remove(self) -> bool:
        return self.spec.repeated and len(self.rows) > max(self.spec.repeat_min or 0, 1)


@dataclass
class BoundForm:
    definition: formdefs.Definition
    items: list  # BoundField | BoundGroup
    errors: list[str] = field(default_factory=list)  # problems of the form as a whole

    @property
    def title(self) -> str:
        return text_in(self.definition.title)

    @property
    def commitment(self) -> str:
        return text_in(self.definition.commitment)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(
            item.errors or any(f.errors for row in item.rows for f in row.fields) if isinstance(item, BoundGroup)
            else item.errors for item in self.items)


def bind(definition: formdefs.Definition, values: Mapping | None, errors: Mapping[str, list[str]] | None = None,
         *, prefix: str = "form") -> BoundForm:
    """The form's fields with their values and messages, in order, for a template."""
    values = values or {}
    errors = errors or {}
    items = []
    for item in definition.items:
        key = f"{prefix}.{item.name}"
        if not item.is_group:
            items.append(BoundField(item, key, values.get(item.name, ""), list(errors.get(key, []))))
            continue
        raw = values.get(item.name)
        if item.repeated:
            rows_values = raw if isinstance(raw, list) else []
            rows = []
            for index, row in enumerate(rows_values):
                row = row if isinstance(row, Mapping) else {}
                row_key = f"{key}[{index}]"
                rows.append(BoundRow(index, [BoundField(f, f"{row_key}.{f.name}", row.get(f.name, ""),
                                                        list(errors.get(f"{row_key}.{f.name}", [])))
                                             for f in item.fields], row_key))
        else:
            row = raw if isinstance(raw, Mapping) else {}
            rows = [BoundRow(None, [BoundField(f, f"{key}.{f.name}", row.get(f.name, ""),
                                               list(errors.get(f"{key}.{f.name}", []))) for f in item.fields], key)]
        items.append(BoundGroup(item, key, rows, list(errors.get(key, []))))
    return BoundForm(definition, items, list(errors.get(prefix, [])))


def read_post(definition: formdefs.Definition, post, *, prefix: str = "form") -> tuple[dict, bool]:
    """The values a page posted, and whether the post only added or removed a row of a repeated group
    (`form_action` = `add:<group>` or `remove:<group>:<index>`): then the page is shown again, not sent."""
    values = formdefs.from_flat(definition, post.get, prefix=prefix)
    kind, _sep, rest = (post.get("form_action") or "").partition(":")
    if kind == "add":
        return formdefs.add_row(definition, values, rest), True
    if kind == "remove":
        name, _sep, index = rest.partition(":")
        if index.isdigit():
            return formdefs.remove_row(definition, values, name, int(index)), True
    return values, False


def split_errors(fields: Mapping[str, list], *, prefix: str = "form") -> tuple[dict, dict]:
    """A ValidationFailed's `fields` split into the form's (by path) and the rest of the page's."""
    mine = {k: list(v) for k, v in fields.items() if k == prefix or k.startswith((f"{prefix}.", f"{prefix}["))}
    return mine, {k: v for k, v in fields.items() if k not in mine}


class PageForm:
    """A procedure's electronic form on a page (the citizen's submission, the desk's intake): the version in
    force, the values as posted or prefilled, and the messages by path; `rows_changed` when the post only
    added or removed a row."""

    def __init__(self, version, *, post=None, initial: Mapping | None = None):
        self.version, self.definition = version, version.parsed()
        self.errors: dict[str, list[str]] = {}
        self.rows_changed = False
        if post is not None:
            self.values, self.rows_changed = read_post(self.definition, post)
        else:
            self.values = dict(initial) if initial is not None else formdefs.blank_values(self.definition)

    @property
    def is_blank(self) -> bool:
        """Nothing typed (a desk that received the tờ khai on paper leaves it empty)."""
        return formdefs.is_blank(self.values)

    def take_errors(self, fields: Mapping[str, list]) -> dict:
        """Keep the form's messages from a ValidationFailed's `fields`; the rest, for the page's other inputs."""
        self.errors, rest = split_errors(fields)
        return rest

    def bound(self) -> BoundForm:
        return bind(self.definition, self.values, self.errors)
