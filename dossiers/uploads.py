"""Uploaded scans and results: checked by content, stored under a safe name, or refused untouched.

The type is read from the first bytes, never from the name or the browser's claim, so a `.pdf` that
is not a PDF is refused (415); a file over `settings.UPLOAD_MAX_BYTES` is refused (413). Nothing is
written to storage before a file has passed both checks.
"""

from __future__ import annotations

import mimetypes
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from organisation.errors import PayloadTooLarge, UnsupportedMediaType

# Magic bytes → (content type, extension).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {content_type: ext for _magic, content_type, ext in SIGNATURES}


@dataclass(frozen=True)
class StoredUpload:
    name: str
    content_type: str
    original_filename: str
    size: int


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None when not an accepted type."""
    for magic, content_type, _ext in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(pos)
    return int(size)


def validate_upload(file, field: str = "file") -> tuple[str, str]:
    """(content type, safe storage name) of an acceptable file; PayloadTooLarge / UnsupportedMediaType else."""
    limit = settings.UPLOAD_MAX_BYTES
    if _size(file) > limit:
        msg = _("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
        raise PayloadTooLarge(msg, fields={field: [msg]})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = sniff(head or b"")
    if content_type is None:
        msg = _("Chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).")
        raise UnsupportedMediaType(msg, fields={field: [msg]})
    return content_type, f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"


def store_upload(file, *, folder: str = "dossiers", content_type: str | None = None,
                 safe_name: str | None = None) -> StoredUpload:
    """Validate (unless the caller just did) and save through `default_storage`."""
    if content_type is None or safe_name is None:
        content_type, safe_name = validate_upload(file)
    day = timezone.localdate()
    file.seek(0)
    name = default_storage.save(f"{folder}/{day:%Y/%m}/{safe_name}", file)
    original = os.path.basename(getattr(file, "name", "") or "")[:255]
    return StoredUpload(name=name, content_type=content_type, original_filename=original, size=_size(file))


def delete_stored(names) -> None:
    """Remove files stored for an action that then failed, so a refusal leaves nothing behind."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - best effort cleanup
            pass


def private_file_response(field_file, filename: str, content_type: str = "") -> HttpResponse:
    """Serve a stored scan or result to someone the caller has already checked may see it.

    Never cached by shared caches and never sniffed into another type; a missing file is a 404. The bytes
    do not pass through Python when they need not: on an object store the answer is a redirect to a signed
    link valid for `PRIVATE_FILES_URL_SECONDS`; on a local disk behind nginx (`PRIVATE_FILES_X_ACCEL_PREFIX`)
    nginx sends the file from an internal location; otherwise (the demo) Python streams it.
    """
    if not field_file:
        raise Http404
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = content_disposition_header(False, filename)
    storage = field_file.storage
    if hasattr(storage, "bucket_name"):  # an S3-compatible object store (django-storages)
        response = HttpResponseRedirect(storage.url(field_file.name, parameters={
            "ResponseContentType": content_type, "ResponseContentDisposition": disposition,
            "ResponseCacheControl": "private, no-store",
        }, expire=settings.PRIVATE_FILES_URL_SECONDS))
    elif settings.PRIVATE_FILES_X_ACCEL_PREFIX:
        if not storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_FILES_X_ACCEL_PREFIX.rstrip("/") + "/" + escape_uri_path(
            field_file.name)
        response["Content-Disposition"] = disposition
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type, as_attachment=False, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def result_filename(dossier, field_file, kind: str = "ket-qua") -> str:
    """A result's download name: the dossier's code and what it is, with the stored file's extension
    ("000.00.06.H56-261123-0001-ket-qua.pdf"), not the random name it is stored under."""
    stored = field_file.name.rsplit("/", 1)[-1]
    ext = "." + stored.rsplit(".", 1)[-1].lower() if "." in stored else ""
    return f"{dossier.reference}-{kind}{ext}"


def component_file_response(dossier, component_id: int) -> HttpResponse:
    """A component's stored file, for a dossier the caller has already checked the user may see."""
    from .models import DossierComponent

    component = DossierComponent.objects.filter(dossier=dossier, pk=component_id).first()
    if component is None or not component.file:
        raise Http404
    name = component.original_filename or component.file.name.rsplit("/", 1)[-1]
    return private_file_response(component.file, name, component.content_type)
