"""Writes to the catalogue: importing (or seeding) procedures in bulk.

`apply_catalogue` is the one writer of whole procedures: the file import and the demo seed both go
through it, so both are idempotent in the same way: a row that matches the database writes nothing
(no UPDATE, no history row), a changed row writes only what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from national.services import set_national_codes
from organisation.errors import PayloadTooLarge, ValidationFailed
from organisation.models import Agency

from . import formdefs, formtext, importing
from .formtext import definition_error_text
from .importing import ProcedureSpec, RowError
from .models import Component, Field, FormDefinition, Procedure, ProcedureStep
from .selectors import form_for

CHUNK = 500
MAX_IMPORT_BYTES = 20 * 1024 * 1024
CHANGE_REASON = "import"


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do); `errors` non-empty means nothing was written."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    fields_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _DryRun(Exception):
    pass


def _chunks(items: Sequence, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_catalogue(content: bytes, filename: str, *, user=None, dry_run: bool = False) -> ImportReport:
    """Import a CSV or Excel file of procedures (format in procedures/importing.py), all or nothing.

    Every row is checked first; if any is invalid nothing is written and every error comes back with
    its row and column. A dry run checks and counts the changes, then rolls them back.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(_("Tệp quá lớn (tối đa %(mb)d MB).") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)})
    try:
        header, rows = importing.read_table(content, filename)
    except importing.UnreadableFile as exc:
        raise ValidationFailed(str(exc), code="invalid_file", fields={"file": [str(exc)]}) from None
    known_fields = dict(Field.objects.values_list("code", "name"))
    known_agencies = set(Agency.objects.values_list("code", flat=True))
    specs, errors = importing.parse_table(header, rows, known_fields=known_fields, known_agencies=known_agencies)
    if errors:
        return ImportReport(rows=len(rows), errors=errors, dry_run=dry_run)
    return apply_catalogue(specs, user=user, dry_run=dry_run)


def apply_catalogue(specs: Iterable[ProcedureSpec], *, user=None, dry_run: bool = False) -> ImportReport:
    """Create or update the procedures described by `specs`, in one transaction, in bulk.

    Components are matched by name (a component keeps its row and its blank form when only its
    kind, count or position changes), steps by their order; agencies are replaced only when the
    spec lists them. Procedures absent from `specs` are left alone.
    """
    specs = list(specs)
    report = ImportReport(rows=len(specs), dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply(specs, report, user)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _apply(specs: list[ProcedureSpec], report: ImportReport, user) -> None:
    now = timezone.now()

    # Fields: create the new ones, rename those whose name the file changes.
    wanted_fields: dict[str, str] = {}
    for spec in specs:
        if spec.field_name or spec.field_code not in wanted_fields:
            wanted_fields[spec.field_code] = spec.field_name or wanted_fields.get(spec.field_code, "")
    fields = {f.code: f for f in Field.objects.filter(code__in=list(wanted_fields))}
    new_fields = [Field(code=code, name=name) for code, name in wanted_fields.items() if code not in fields]
    renamed = []
    for code, name in wanted_fields.items():
        current = fields.get(code)
        if current is not None and name and current.name != name:
            current.name = name
            renamed.append(current)
    if new_fields:
        Field.objects.bulk_create(new_fields)
        fields.update({f.code: f for f in Field.objects.filter(code__in=[f.code for f in new_fields])})
    if renamed:
        Field.objects.bulk_update(renamed, ["name"])
    report.fields_created = len(new_fields)

    agency_codes = {s.agency_code for spec in specs for s in spec.steps if s.agency_code}
    agency_codes |= {code for spec in specs for code in (spec.agencies or [])}
    agency_ids = dict(Agency.objects.filter(code__in=list(agency_codes)).values_list("code", "id")) if agency_codes else {}

    # Procedures: insert the new, update only the columns that changed.
    codes = [spec.code for spec in specs]
    existing: dict[str, Procedure] = {}
    for chunk in _chunks(codes):
        existing.update({p.code: p for p in Procedure.objects.filter(code__in=chunk)})
    to_create: list[Procedure] = []
    to_update: list[Procedure] = []
    changed_columns: set[str] = set()
    for spec in specs:
        values = spec.model_values()
        values["field_id"] = fields[spec.field_code].id
        procedure = existing.get(spec.code)
        if procedure is None:
            procedure = Procedure(code=spec.code, updated_at=now, **values)
            procedure.search_text = procedure.folded_text()
            to_create.append(procedure)
            continue
        changed = [name for name, value in values.items() if getattr(procedure, name) != value]
        if changed:
            for name in changed:
                setattr(procedure, name, values[name])
            procedure.search_text = procedure.folded_text()
            procedure.updated_at = now
            changed_columns.update(changed)
            to_update.append(procedure)
    if to_create:
        bulk_create_with_history(to_create, Procedure, batch_size=CHUNK, default_user=user,
                                 default_change_reason=CHANGE_REASON, default_date=now)
        for chunk in _chunks([p.code for p in to_create]):
            existing.update({p.code: p for p in Procedure.objects.filter(code__in=chunk)})
    if to_update:
        columns = sorted(changed_columns | {"search_text", "updated_at"})
        bulk_update_with_history(to_update, Procedure, columns, batch_size=CHUNK, default_user=user,
                                 default_change_reason=CHANGE_REASON, default_date=now)
    report.created = len(to_create)
    report.updated = len(to_update)

    ids = [existing[spec.code].id for spec in specs]
    touched = {p.id for p in to_update} | {existing[p.code].id for p in to_create}
    touched |= _sync_components(specs, existing, user, now)
    touched |= _sync_steps(specs, existing, agency_ids, user, now)
    touched |= _sync_agencies(specs, existing, agency_ids)
    touched |= _sync_forms(specs, existing, user, now)
    touched |= set_national_codes({existing[s.code]: s.national_code for s in specs if s.national_code is not None})
    report.updated += len(touched - {p.id for p in to_update} - {existing[p.code].id for p in to_create})
    report.unchanged = len(ids) - report.created - report.updated


def _sync_components(specs, procedures, user, now) -> set[int]:
    """Make each procedure's components those of its spec, matching by name; compares plain tuples
    first and loads model instances only for the procedures that change."""
    ids = [procedures[spec.code].id for spec in specs]
    current: dict[int, list[tuple]] = {}
    for chunk in _chunks(ids):
        rows = (Component.objects.filter(procedure_id__in=chunk).order_by("procedure_id", "order", "id")
                .values_list("procedure_id", "name", "kind", "count", "required", "held_in"))
        for pid, *values in rows:
            current.setdefault(pid, []).append(tuple(values))
    changed = [spec for spec in specs
               if current.get(procedures[spec.code].id, []) != [(c.name, c.kind, c.count, c.required, c.held_in)
                                                                for c in spec.components]]
    if not changed:
        return set()
    instances: dict[int, list[Component]] = {}
    for chunk in _chunks([procedures[spec.code].id for spec in changed]):
        for component in Component.objects.filter(procedure_id__in=chunk).order_by("procedure_id", "order", "id"):
            instances.setdefault(component.procedure_id, []).append(component)
    create, update, delete, touched = [], [], [], set()
    for spec in changed:
        pid = procedures[spec.code].id
        touched.add(pid)
        pool: dict[str, list[Component]] = {}
        for component in instances.get(pid, []):
            pool.setdefault(component.name, []).append(component)
        for order, c in enumerate(spec.components, start=1):
            reuse = pool.get(c.name)
            if reuse:
                component = reuse.pop(0)
                wanted = (order, c.kind, c.count, c.required, c.held_in)
                if (component.order, component.kind, component.count, component.required, component.held_in) != wanted:
                    component.order, component.kind, component.count, component.required, component.held_in = wanted
                    update.append(component)
            else:
                create.append(Component(procedure_id=pid, order=order, name=c.name, kind=c.kind, count=c.count,
                                        required=c.required, held_in=c.held_in))
        delete.extend(component.id for rest in pool.values() for component in rest)
    for chunk in _chunks(delete):
        Component.objects.filter(id__in=chunk).delete()
    if update:
        bulk_update_with_history(update, Component, ["order", "kind", "count", "required", "held_in"], batch_size=CHUNK,
                                 default_user=user, default_change_reason=CHANGE_REASON, default_date=now)
    if create:
        bulk_create_with_history(create, Component, batch_size=CHUNK, default_user=user,
                                 default_change_reason=CHANGE_REASON, default_date=now)
    return touched


def _sync_steps(specs, procedures, agency_ids, user, now) -> set[int]:
    """Replace a procedure's steps when their sequence differs; steps carry no files and nothing points
    at them, so a replacement loses nothing and keeps (procedure, order) unique without renumbering."""
    ids = [procedures[spec.code].id for spec in specs]
    current: dict[int, list[tuple]] = {}
    step_ids: dict[int, list[int]] = {}
    for chunk in _chunks(ids):
        rows = (ProcedureStep.objects.filter(procedure_id__in=chunk).order_by("procedure_id", "order")
                .values_list("id", "procedure_id", "name", "performer", "role", "allowance_hours", "department_name",
                             "agency_id"))
        for step_id, pid, *values in rows:
            current.setdefault(pid, []).append(tuple(values))
            step_ids.setdefault(pid, []).append(step_id)

    create, delete, touched = [], [], set()
    for spec in specs:
        pid = procedures[spec.code].id
        wanted = [(s.name, s.performer, s.role, s.allowance_hours, s.department_name, agency_ids.get(s.agency_code))
                  for s in spec.steps]
        if current.get(pid, []) == wanted:
            continue
        touched.add(pid)
        delete.extend(step_ids.get(pid, []))
        create.extend(
            ProcedureStep(procedure_id=pid, order=order, name=name, performer=performer, role=role,
                          allowance_hours=hours, department_name=department, agency_id=agency_id)
            for order, (name, performer, role, hours, department, agency_id) in enumerate(wanted, start=1)
        )
    for chunk in _chunks(delete):
        ProcedureStep.objects.filter(id__in=chunk).delete()
    if create:
        bulk_create_with_history(create, ProcedureStep, batch_size=CHUNK, default_user=user,
                                 default_change_reason=CHANGE_REASON, default_date=now)
    return touched


def _sync_agencies(specs, procedures, agency_ids) -> set[int]:
    """Replace the performing agencies of the specs that list them (through rows, in bulk)."""
    listed = [spec for spec in specs if spec.agencies is not None]
    if not listed:
        return set()
    through = Procedure.agencies.through
    ids = [procedures[spec.code].id for spec in listed]
    current: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        for pid, aid in through.objects.filter(procedure_id__in=chunk).values_list("procedure_id", "agency_id"):
            current.setdefault(pid, set()).add(aid)
    add, remove, touched = [], [], set()
    for spec in listed:
        pid = procedures[spec.code].id
        wanted = {agency_ids[code] for code in spec.agencies}
        have = current.get(pid, set())
        if wanted == have:
            continue
        touched.add(pid)
        add.extend(through(procedure_id=pid, agency_id=aid) for aid in wanted - have)
        remove.extend((pid, aid) for aid in have - wanted)
    for pid, aid in remove:
        through.objects.filter(procedure_id=pid, agency_id=aid).delete()
    if add:
        through.objects.bulk_create(add, batch_size=CHUNK)
    return touched


def _sync_forms(specs, procedures, user, now) -> set[int]:
    """Add a form version where the spec's form differs from the procedure's latest version (definition or
    effective date); an identical one writes nothing, so an exported file imports back unchanged."""
    listed = [spec for spec in specs if spec.form is not None]
    if not listed:
        return set()
    ids = [procedures[spec.code].id for spec in listed]
    latest: dict[int, FormDefinition] = {}
    for chunk in _chunks(ids):
        for version in (FormDefinition.objects.filter(procedure_id__in=chunk)
                        .order_by("procedure_id", "-effective_from", "-version")):
            latest.setdefault(version.procedure_id, version)
    today = timezone.localdate(now)
    touched = set()
    for spec in listed:
        procedure = procedures[spec.code]
        current = latest.get(procedure.id)
        effective_from = spec.form.effective_from or (current.effective_from if current is not None and
                                                      current.definition == spec.form.definition else today)
        if current is not None and current.definition == spec.form.definition and current.effective_from == effective_from:
            continue
        _add_version(procedure, spec.form.definition, effective_from, user=user)
        touched.add(procedure.id)
    return touched


def _add_version(procedure: Procedure, definition: dict, effective_from, *, user=None) -> FormDefinition:
    last = (FormDefinition.objects.select_for_update().filter(procedure=procedure).order_by("-version")
            .values_list("version", flat=True).first())
    version = FormDefinition(procedure=procedure, version=(last or 0) + 1, effective_from=effective_from,
                             definition=definition)
    version._history_user = user
    version.save()
    return version


def save_form_definition(procedure: Procedure, definition, *, effective_from=None, user=None) -> FormDefinition:
    """Publish a new version of a procedure's electronic form (tờ khai điện tử), effective from a day
    (today by default); the versions before it stay, with the dossiers filed on them.

    `definition` is the decoded JSON; one that does not parse raises ValidationFailed naming the problem.
    """
    try:
        formdefs.parse(definition)
    except formdefs.DefinitionError as exc:
        message = definition_error_text(exc)
        raise ValidationFailed(_("Tờ khai điện tử không hợp lệ: %(msg)s") % {"msg": message},
                               code="invalid_form_definition", fields={"definition": [message]}) from None
    with transaction.atomic():
        return _add_version(procedure, definition, effective_from or timezone.localdate(), user=user)


def set_status(procedures, status: str) -> int:
    """Publish or unpublish procedures; one save each, so each change gets its history row."""
    changed = 0
    with transaction.atomic():
        for procedure in procedures.exclude(status=status).select_for_update():
            procedure.status = status
            procedure.save(update_fields=["status", "search_text", "updated_at"])
            changed += 1
    return changed


def check_form(procedure: Procedure, data, *, on=None, required: bool = False):
    """The form version in force for a filing and the cleaned values of `data` (the applicant's tờ khai).

    Returns (None, {}) when the procedure has no electronic form and nothing was sent; raises ValidationFailed
    with `fields` keyed by path (`form.parents[1].id_number`) when the values do not pass, when a form is sent
    for a procedure without one, or when `required` and nothing was sent. Nothing is written.
    """
    if data is None and not required:
        return None, {}  # nothing sent, nothing to look up
    version = form_for(procedure, on)
    if version is None:
        if data:
            message = str(formtext.PROBLEMS["no_form"])
            raise ValidationFailed(message, code="invalid", fields={"form": [message]})
        return None, {}
    result = formdefs.validate(version.parsed(), data, today=on or timezone.localdate())
    if not result.ok:
        fields = formtext.error_messages(result.errors)
        raise ValidationFailed(_("Tờ khai chưa hợp lệ: %(n)d mục cần sửa.") % {"n": len(fields)}, code="invalid",
                               fields=fields)
    return version, result.cleaned
