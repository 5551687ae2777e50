"""Uploaded scans and results: checked by content, stored under a safe name, or refused untouched.

The type is read from the first bytes, never from the name or the browser's claim, so a `.pdf` that
is not a PDF is refused (415); then the whole file's structure is checked (`structure_ok`), so a PDF or
JPEG header followed by HTML or a ZIP (a polyglot) is refused too (415). A file over
`settings.UPLOAD_MAX_BYTES` is refused (413), and a dossier's files together are bounded by
`check_dossier_limits`. Nothing is written to storage before a file has passed every check.
"""

from __future__ import annotations

import mimetypes
import os
import re
import struct
import uuid
import zlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from organisation.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

from .models import DossierComponent

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


# --- the whole file's structure (issue 9, row 9: polyglots) -------------------------------------------

# What a browser's sniffer, or a ZIP or HTML reader, would take for its own near the start of a file.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)", re.IGNORECASE)
_ZIP_END = b"PK\x05\x06"  # a ZIP's end-of-central-directory record: a reader finds it from the end
_PDF_TRAILER = re.compile(rb"%%EOF[\x00\t\n\f\r ]*$")
_TAIL = 65_557  # a ZIP's end record (22 bytes) plus the longest comment after it (65,535)
_PNG_MAX_CHUNK = 2**31 - 1


def _png_structure_ok(file, size: int) -> bool:
    """A PNG is its signature, then chunks (length, 4-letter type, data, CRC) from IHDR (13 bytes) to
    IEND (empty), each CRC right, and nothing after IEND."""
    file.seek(8)
    first, pos = True, 8
    while True:
        header = file.read(8)
        if len(header) < 8:
            return False
        length, kind = struct.unpack(">I4s", header)
        if length > _PNG_MAX_CHUNK or pos + 12 + length > size or not kind.isalpha():
            return False
        if first and (kind != b"IHDR" or length != 13):
            return False
        crc = zlib.crc32(kind)
        remaining = length
        while remaining:
            chunk = file.read(min(remaining, 1 << 20))
            if not chunk:
                return False
            crc = zlib.crc32(chunk, crc)
            remaining -= len(chunk)
        stored = file.read(4)
        if len(stored) < 4 or struct.unpack(">I", stored)[0] != crc & 0xFFFFFFFF:
            return False
        pos += 12 + length
        first = False
        if kind == b"IEND":
            return length == 0 and pos == size
        if kind == b"IHDR" and pos != 33:
            return False  # a second IHDR


def structure_ok(file, content_type: str, size: int) -> bool:
    """Whether the whole file is one well-formed file of `content_type`, and nothing else besides: a PDF
    from `%PDF-` to its last `%%EOF` (whitespace after it allowed), a JPEG from FFD8FF to FFD9, a PNG a
    valid chain of chunks from IHDR to IEND; no HTML near the start, no ZIP directory at the end, no
    bytes after the end marker. The `filetype` library must read the same type from the first bytes."""
    file.seek(0)
    head = file.read(1024)
    if filetype.guess_mime(head) != content_type or _MARKUP.search(head):
        return False
    file.seek(max(size - _TAIL, 0))
    tail = file.read()
    if _ZIP_END in tail:
        return False
    if content_type == "application/pdf":
        return bool(_PDF_TRAILER.search(tail[-1024:]))
    if content_type == "image/jpeg":
        return size >= 4 and tail.endswith(b"\xff\xd9")
    if content_type == "image/png":
        return _png_structure_ok(file, size)
    return False


def upload_size(file) -> int:
    """The size of an uploaded file (or any file object) in bytes; 0 for something that is not a file."""
    try:
        return _size(file)
    except (AttributeError, OSError, TypeError, ValueError):
        return 0


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
    try:
        whole = structure_ok(file, content_type, _size(file))
    finally:
        file.seek(0)
    if not whole:
        msg = _("Tệp không đúng cấu trúc PDF, JPEG hoặc PNG (hỏng, bị cắt hoặc có nội dung khác ghép vào).")
        raise UnsupportedMediaType(msg, code="malformed_file", fields={field: [msg]})
    return content_type, f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"


def dossier_usage(dossier) -> tuple[int, int, int]:
    """(components, files, bytes of files) a dossier already holds, for the per-dossier limits."""
    components = files = total = 0
    for name in dossier.components.values_list("file", flat=True):
        components += 1
        if name:
            files += 1
            try:
                total += default_storage.size(name)
            except OSError:  # a file gone missing counts for nothing
                pass
    return components, files, total


def check_dossier_limits(components: int, files: int, total_bytes: int, field: str = "components") -> None:
    """The per-dossier limits of settings (`DOSSIER_MAX_COMPONENTS`, `DOSSIER_MAX_FILES`,
    `DOSSIER_MAX_TOTAL_BYTES`), over everything the dossier would hold: 400 for a count, 413 for bytes."""
    if components > settings.DOSSIER_MAX_COMPONENTS:
        msg = _("Tối đa %(max)d thành phần mỗi hồ sơ.") % {"max": settings.DOSSIER_MAX_COMPONENTS}
        raise ValidationFailed(msg, code="too_many_components", fields={field: [msg]})
    if files > settings.DOSSIER_MAX_FILES:
        msg = _("Tối đa %(max)d tệp mỗi hồ sơ.") % {"max": settings.DOSSIER_MAX_FILES}
        raise ValidationFailed(msg, code="too_many_files", fields={field: [msg]})
    if total_bytes > settings.DOSSIER_MAX_TOTAL_BYTES:
        msg = _("Tổng dung lượng tệp của hồ sơ tối đa %(mb)d MB.") % {
            "mb": settings.DOSSIER_MAX_TOTAL_BYTES // (1024 * 1024)}
        raise PayloadTooLarge(msg, code="dossier_too_large", fields={field: [msg]})


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
    component = DossierComponent.objects.filter(dossier=dossier, pk=component_id).first()
    if component is None or not component.file:
        raise Http404
    name = component.original_filename or component.file.name.rsplit("/", 1)[-1]
    return private_file_response(component.file, name, component.content_type)
