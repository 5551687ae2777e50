"""Row 9 of issue 9: uploads are checked by their whole structure, so a polyglot (a valid PDF or JPEG
header followed by HTML, a ZIP or another type) is refused with 415 and nothing is stored."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.uploads import structure_ok, validate_upload
from organisation.errors import UnsupportedMediaType

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 64 + b"\xff\xd9"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


SIG = b"\x89PNG\r\n\x1a\n"
IHDR = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
IDAT = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
IEND = chunk(b"IEND", b"")
PNG = SIG + IHDR + IDAT + IEND


def zip_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", HTML)
    return buffer.getvalue()


ACCEPTED = {
    "pdf": PDF,
    "pdf_crlf_after_eof": PDF.rstrip() + b"\r\n",
    "pdf_incremental_update": PDF + b"2 0 obj\n<<>>\nendobj\n%%EOF",
    "jpeg": JPEG,
    "png": PNG,
    "png_with_text_chunk": SIG + IHDR + chunk(b"tEXt", b"Comment\x00scan") + IDAT + IEND,
}

# Ten polyglots and broken files, each of which some reader (a browser, an unzip tool) takes for
# something else than the scan it claims to be.
REFUSED = {
    "pdf_then_html": PDF + HTML,
    "pdf_header_then_html": b"%PDF-1.4\n" + HTML,
    "pdf_then_zip": PDF + zip_bytes(),
    "pdf_with_zip_directory_in_the_tail": PDF[:-7] + zip_bytes() + b"\n%%EOF\n",
    "pdf_with_html_near_the_start": b"%PDF-1.4\n%<html><script>x</script>\n" + PDF[9:],
    "pdf_truncated": PDF[:-8],
    "jpeg_then_html": JPEG + HTML,
    "jpeg_then_zip": JPEG + zip_bytes(),
    "jpeg_header_then_html": JPEG[:20] + HTML,
    "png_then_html": PNG + HTML,
    "png_without_iend": SIG + IHDR + IDAT,
    "png_bad_crc": SIG + IHDR + chunk(b"IDAT", zlib.compress(b"\x00\x00"), crc=0) + IEND,
    "png_first_chunk_not_ihdr": SIG + IDAT + IHDR + IEND,
    "png_chunk_length_past_the_end": SIG + IHDR + struct.pack(">I", 2**30) + b"IDAT" + b"\x00" * 8,
    "png_signature_then_zeros": SIG + b"\x00" * 32,
    "zip": zip_bytes(),
}


def upload(content: bytes, name="scan.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_well_formed_files_are_accepted(name):
    content_type, safe_name = validate_upload(upload(ACCEPTED[name]))
    assert content_type in ("application/pdf", "image/jpeg", "image/png")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_polyglots_and_broken_files_are_refused(name):
    with pytest.raises(UnsupportedMediaType) as info:
        validate_upload(upload(REFUSED[name]))
    assert info.value.status_code == 415
    assert list(info.value.fields) == ["file"]


def test_the_file_is_left_at_its_start_for_storing():
    f = upload(PNG, "a.png")
    validate_upload(f)
    assert f.tell() == 0 and f.read() == PNG


def test_structure_ok_needs_the_type_filetype_reads():
    assert structure_ok(io.BytesIO(PNG), "image/png", len(PNG))
    assert not structure_ok(io.BytesIO(PNG), "application/pdf", len(PNG))


@pytest.mark.django_db
def test_api_refuses_a_polyglot_scan_and_stores_nothing(api, staff, procedure, settings, tmp_path):
    import json

    from dossiers.models import Dossier
    from tests.dossiers.conftest import APPLICANT

    settings.MEDIA_ROOT = tmp_path
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", {
        "procedure": procedure.code, "applicant": json.dumps(APPLICANT), "components[0].name": "Tờ khai",
        "components[0].file": upload(REFUSED["pdf_then_html"])}, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "malformed_file"
    assert list(response.json()["fields"]) == ["components[0].file"]
    assert Dossier.objects.count() == 0
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
