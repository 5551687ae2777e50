"""Online submission: drafts kept between visits, the submission itself, supplement answers."""

from __future__ import annotations

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from dossiers.uploads import delete_stored, store_upload, validate_upload
from organisation.errors import NotFound, ValidationFailed

from ..models import (
    Draft,
    DraftFile,
)
from .common import require_own

DRAFT_KEYS = ("agency", "full_name", "id_number", "phone", "email", "address", "summary", "return_method",
              "return_address")


def _store_draft_files(draft: Draft, files: dict, stored: list[str], replaced: list[str]) -> None:
    known = {c.pk: c for c in draft.procedure.components.all()}
    checked = []
    for component_id, upload in files.items():
        component = known.get(int(component_id))
        if component is None or upload is None:
            continue
        content_type, safe_name = validate_upload(upload, field=f"file_{component.pk}")
        checked.append((component, upload, content_type, safe_name))
    for component, upload, content_type, safe_name in checked:
        saved = store_upload(upload, folder="drafts", content_type=content_type, safe_name=safe_name)
        stored.append(saved.name)
        old = DraftFile.objects.filter(draft=draft, component=component).first()
        if old is not None:
            replaced.append(old.file.name)
            old.delete()
        DraftFile.objects.create(draft=draft, component=component, file=saved.name,
                                 original_filename=saved.original_filename, content_type=saved.content_type,
                                 size=saved.size)


def save_draft(*, citizen, procedure, data: dict, files: dict | None = None, draft: Draft | None = None) -> Draft:
    """Keep what the citizen typed and uploaded, to finish later. Every file is checked first (413/415):
    a refused file leaves the draft as it was."""
    if draft is not None and draft.citizen_id != citizen.pk:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    values = {key: str(data.get(key) or "")[:2000] for key in DRAFT_KEYS}
    stored: list[str] = []
    replaced: list[str] = []
    try:
        with transaction.atomic():
            if draft is None:
                draft = Draft.objects.create(citizen=citizen, procedure=procedure, data=values)
            else:
                draft = Draft.objects.select_for_update().get(pk=draft.pk)
                draft.data = values
                draft.save(update_fields=["data", "updated_at"])
            _store_draft_files(draft, files or {}, stored, replaced)
            transaction.on_commit(lambda: delete_stored(replaced))
    except BaseException:
        delete_stored(stored)
        raise
    return draft


def discard_draft(draft: Draft, *, citizen) -> None:
    if draft.citizen_id != citizen.pk:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    with transaction.atomic():
        names = [f.file.name for f in draft.files.all()]
        draft.delete()
        transaction.on_commit(lambda: delete_stored(names))


def _open_draft_file(draft_file: DraftFile) -> File | None:
    try:
        handle = default_storage.open(draft_file.file.name, "rb")
    except FileNotFoundError:
        return None
    return File(handle, name=draft_file.original_filename or draft_file.file.name.rsplit("/", 1)[-1])


def submit_application(*, citizen, procedure, agency, applicant: dict, summary: str = "", return_method: str,
                       return_address: str = "", files: dict | None = None, draft: Draft | None = None,
                       idempotency_key: str = "") -> Dossier:
    """Send the e-form to the receiving agency (status 1) through `dossiers.services.submit_online`.

    Each component gets the file uploaded now or, failing that, the one kept in the draft. For a fully
    online procedure every required component needs its file; a partly online one may leave papers for
    the desk. The draft is deleted once the dossier exists.
    """
    from dossiers.services import submit_online

    if draft is not None and (draft.citizen_id != citizen.pk or draft.procedure_id != procedure.pk):
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    files = {int(k): v for k, v in (files or {}).items() if v is not None}
    kept = {f.component_id: f for f in draft.files.all()} if draft is not None else {}
    errors: dict[str, list[str]] = {}
    if return_method == "post" and not (return_address or "").strip():
        errors["return_address"] = [_("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.")]
    components, opened = [], []
    try:
        for component in procedure.components.all():
            upload = files.get(component.pk)
            if upload is not None:
                # Checked here first so a refused file (413/415) is named by the form's own input.
                validate_upload(upload, field=f"file_{component.pk}")
            if upload is None and component.pk in kept:
                upload = _open_draft_file(kept[component.pk])
                if upload is not None:
                    opened.append(upload)
            if upload is None:
                if component.required and procedure.online_mode == "full":
                    errors[f"file_{component.pk}"] = [_("Vui lòng tải lên giấy tờ này.")]
                continue
            components.append({"component": component.pk, "file": upload})
        if errors:
            raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
        with transaction.atomic():
            dossier = submit_online(
                citizen=citizen, procedure=procedure, agency=agency, applicant=applicant, summary=summary,
                components=components, return_method=return_method, return_address=return_address,
                idempotency_key=idempotency_key,
            )
            if draft is not None:
                names = [f.file.name for f in kept.values()]
                Draft.objects.filter(pk=draft.pk).delete()
                transaction.on_commit(lambda: delete_stored(names))
    finally:
        for handle in opened:
            handle.close()
    return dossier


def answer_supplement(*, citizen, dossier: Dossier, files: list[tuple[str, object]]) -> Dossier:
    """The citizen sends the missing documents online; `supplement_received` closes the round and the
    dossier resumes (the clock restarts, Decree 61)."""
    from dossiers.services import supplement_received

    require_own(dossier, citizen)
    components = [{"name": name, "kind": "copy", "file": upload} for name, upload in files if upload is not None]
    if not components:
        msg = _("Vui lòng tải lên ít nhất một giấy tờ bổ sung.")
        raise ValidationFailed(msg, code="required", fields={"files": [msg]})
    return supplement_received(dossier, actor=citizen, components=components)
