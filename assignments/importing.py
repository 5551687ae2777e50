"""Importing tasks from a spreadsheet (CSV or Excel): every row checked, all or nothing.

The file is read by the catalogue's reader (`procedures.importing.read_table`), errors carry their row
and column as the catalogue's do (`RowError`). One row is one task; its directive is found by issuing
unit and number, or created from the row's directive columns. Nothing is written unless every row is
valid; then every row goes through `services.assign_task` in one transaction.

Columns (header row, in any order; the optional ones may be absent):
  directive_number, directive_date, directive_signer, directive_title, issuing_agency (agency code),
  title, lead_agency (agency code), supporting_agencies (codes separated by `;`, optional),
  due_on (YYYY-MM-DD or DD/MM/YYYY, optional), working_days (optional), assigned_on (optional date),
  description (optional). With neither due_on nor working_days the task has no deadline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import DomainError, PayloadTooLarge, ValidationFailed
from organisation.models import Agency
from procedures.importing import RowError, UnreadableFile, cell_date, cell_text, read_table

from . import services
from .models import DeadlineKind, Directive

REQUIRED = ["directive_number", "directive_date", "directive_signer", "directive_title", "issuing_agency", "title",
            "lead_agency"]
OPTIONAL = ["supporting_agencies", "due_on", "working_days", "assigned_on", "description"]
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    directives_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_tasks(content: bytes, filename: str, *, actor) -> ImportReport:
    """Check every row; write all of them in one transaction or none."""
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(_("Tệp quá lớn (tối đa %(mb)d MB).") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
    try:
        header, rows = read_table(content, filename)
    except UnreadableFile as exc:
        raise ValidationFailed(str(exc), code="invalid_file", fields={"file": [str(exc)]}) from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        msg = _("Thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)}
        raise ValidationFailed(msg, code="missing_columns", fields={"file": [msg]})
    rows = [(n, r) for n, r in rows if any(cell_text(v) for v in r)]
    if len(rows) > MAX_ROWS:
        msg = _("Tối đa %(n)d dòng mỗi lần nhập.") % {"n": MAX_ROWS}
        raise ValidationFailed(msg, code="too_many_rows", fields={"file": [msg]})
    agencies = {a.code: a for a in Agency.objects.all()}
    report = ImportReport(rows=len(rows))
    parsed = []
    for number, values in rows:
        cell = {name: (values[i] if i < len(values) else None) for i, name in enumerate(names)}
        spec, errors = _check_row(number, cell, agencies, actor)
        report.errors.extend(errors)
        parsed.append(spec)
    if report.errors:
        return report
    # Every row is valid on its own; writing may still find a problem (e.g. a deadline before the
    # assignment): the whole import is rolled back and that row and column reported.
    try:
        with transaction.atomic():
            for spec in parsed:
                directive, created = _directive(spec, actor)
                report.directives_created += created
                try:
                    services.assign_task(
                        actor=actor, directive=directive, title=spec["title"], description=spec["description"],
                        lead_agency=spec["lead"], supporting_agencies=spec["supporting"],
                        deadline_kind=spec["kind"], due_on=spec["due_on"], working_days=spec["working_days"],
                        assigned_at=spec["assigned_at"],
                    )
                except DomainError as exc:
                    column, messages = next(iter(exc.fields.items()), ("", [str(exc.detail)]))
                    column = {"due_on": "due_on", "lead_agency": "lead_agency", "working_days": "working_days",
                              "assigned_at": "assigned_on", "title": "title", "number": "directive_number",
                              "issued_on": "directive_date", "signer": "directive_signer"}.get(column, column)
                    report.errors.append(RowError(spec["row"], column, messages[0]))
                    raise _Rollback from None
                report.created += 1
    except _Rollback:
        report.created = report.directives_created = 0
    return report


class _Rollback(Exception):
    pass


def _directive(spec, actor) -> tuple[Directive, bool]:
    found = Directive.objects.filter(issuing_agency=spec["issuer"], number=spec["number"]).first()
    if found:
        return found, False
    return services.create_directive(actor=actor, number=spec["number"], issued_on=spec["issued_on"],
                                     signer=spec["signer"], title=spec["directive_title"],
                                     issuing_agency=spec["issuer"]), True


def _check_row(number: int, cell: dict, agencies: dict, actor) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []

    def err(column, message, value=""):
        errors.append(RowError(number, column, str(message), cell_text(value)))

    def required(column, message):
        value = cell_text(cell.get(column))
        if not value:
            err(column, message)
        return value

    def agency(column, code):
        found = agencies.get(code)
        if found is None:
            err(column, _("Không có đơn vị mã “%(code)s”.") % {"code": code}, code)
        return found

    spec: dict = {"row": number}
    spec["number"] = required("directive_number", _("Thiếu số, ký hiệu văn bản."))
    spec["signer"] = required("directive_signer", _("Thiếu người ký."))
    spec["directive_title"] = required("directive_title", _("Thiếu trích yếu văn bản."))
    spec["title"] = required("title", _("Thiếu nội dung nhiệm vụ."))
    spec["description"] = cell_text(cell.get("description"))
    for column, key in (("directive_date", "issued_on"), ("due_on", "due_on"), ("assigned_on", "assigned_on")):
        try:
            spec[key] = cell_date(cell.get(column))
        except ValueError as exc:
            err(column, exc, cell.get(column))
            spec[key] = None
    if spec["issued_on"] is None and not any(e.column == "directive_date" for e in errors):
        err("directive_date", _("Thiếu ngày ban hành."))
    issuer_code = required("issuing_agency", _("Thiếu mã cơ quan ban hành."))
    spec["issuer"] = agency("issuing_agency", issuer_code) if issuer_code else None
    lead_code = required("lead_agency", _("Thiếu mã đơn vị chủ trì."))
    spec["lead"] = agency("lead_agency", lead_code) if lead_code else None
    spec["supporting"] = [a for code in cell_text(cell.get("supporting_agencies")).split(";") if code.strip()
                          if (a := agency("supporting_agencies", code.strip())) is not None]
    if spec["issuer"] is not None:
        if not services.may_assign_for(actor, spec["issuer"].pk):
            err("issuing_agency", _("Bạn không được giao nhiệm vụ thay cho cơ quan này."), issuer_code)
        elif spec["lead"] is not None:
            try:
                services.check_units(spec["issuer"].pk, spec["lead"], spec["supporting"])
            except ValidationFailed as exc:
                column, messages = next(iter(exc.fields.items()))
                err(column, messages[0])
    days_text = cell_text(cell.get("working_days"))
    spec["working_days"] = None
    if days_text:
        if not days_text.isdigit() or int(days_text) < 1:
            err("working_days", _("Số ngày làm việc phải là số nguyên dương."), days_text)
        else:
            spec["working_days"] = int(days_text)
    if spec["due_on"] and spec["working_days"]:
        err("working_days", _("Chỉ ghi một trong hai: due_on hoặc working_days."), days_text)
    spec["kind"] = (DeadlineKind.DATE if spec["due_on"] else DeadlineKind.WORKING_DAYS if spec["working_days"]
                    else DeadlineKind.NONE)
    assigned_on = spec.get("assigned_on")
    spec["assigned_at"] = None
    if assigned_on:
        if assigned_on > timezone.localdate():
            err("assigned_on", _("Ngày giao không được ở tương lai."), cell.get("assigned_on"))
        else:
            spec["assigned_at"] = datetime.datetime.combine(assigned_on, datetime.time(8, 0),
                                                            tzinfo=timezone.get_default_timezone())
    assigned_day = assigned_on or timezone.localdate()
    if spec["due_on"] and spec["due_on"] < assigned_day:
        err("due_on", _("Hạn hoàn thành không được trước ngày giao nhiệm vụ."), cell.get("due_on"))
    return spec, errors
