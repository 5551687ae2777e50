"""Scans and results are accepted by content (PDF, JPEG, PNG) and size; a refusal stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.models import Dossier
from dossiers.uploads import sniff, store_upload, validate_upload
from organisation.errors import PayloadTooLarge, UnsupportedMediaType

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
PNG = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82')  # a whole 1x1 PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_BYTES = 1024
    return tmp_path


def stored(media):
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("content,expected", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png"),
                                              (b"GIF89a", None), (b"", None), (b"<html>", None)])
def test_sniff(content, expected):
    assert sniff(content) == expected


def test_type_comes_from_the_content_not_the_name(media):
    content_type, name = validate_upload(upload("scan.bin", PNG))
    assert content_type == "image/png" and name.endswith(".png") and len(name) == 36
    with pytest.raises(UnsupportedMediaType) as info:
        validate_upload(upload("to-khai.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))
    assert info.value.status_code == 415
    with pytest.raises(PayloadTooLarge) as info:
        validate_upload(upload("big.pdf", PDF + b"x" * 2000))
    assert info.value.status_code == 413
    assert stored(media) == []


def test_safe_storage_name(media):
    result = store_upload(upload("../../etc/passwd.pdf", PDF))
    assert result.name.startswith("dossiers/") and "/../" not in result.name and result.name.endswith(".pdf")
    assert result.original_filename == "passwd.pdf" and result.content_type == "application/pdf"
    assert len(stored(media)) == 1


def test_intake_with_scans(staff, procedure, media):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), components=[
        {"name": "Tờ khai", "file": upload("to khai.pdf", PDF)},
        {"name": "Ảnh", "kind": "copy", "file": upload("anh.jpg", JPEG)},
    ])
    rows = list(d.components.order_by("id"))
    assert [(c.content_type, c.original_filename, c.digitised) for c in rows] == [
        ("application/pdf", "to khai.pdf", True), ("image/jpeg", "anh.jpg", True)]
    assert len(stored(media)) == 2


def test_one_bad_file_refuses_the_whole_intake_and_stores_nothing(staff, procedure, media):
    for bad, error in ((upload("x.pdf", b"not a pdf"), UnsupportedMediaType),
                       (upload("y.pdf", PDF + b"0" * 4096), PayloadTooLarge)):
        with pytest.raises(error):
            services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), components=[
                {"name": "Tờ khai", "file": upload("ok.pdf", PDF)}, {"name": "Ảnh", "file": bad}])
    assert stored(media) == [] and not Dossier.objects.exists()


def test_files_stored_for_an_action_that_fails_are_removed(make_dossier, staff, media):
    d = make_dossier(4)  # not waiting for a supplement: the action is refused after the files were checked
    with pytest.raises(Exception):  # noqa: B017 - 409
        services.supplement_received(d, actor=staff.desk, components=[{"name": "A", "file": upload("a.pdf", PDF)}])
    assert stored(media) == []


def test_api_multipart_intake(api, staff, procedure, media):
    response = api.as_user(staff.desk).post(URL, {
        "procedure": procedure.code,
        "applicant.full_name": "Lê Văn Cường", "applicant.id_number": "079123456789",
        "applicant.phone": "0901234567",
        "components[0].name": "Tờ khai", "components[0].kind": "original", "components[0].file": upload("a.pdf", PDF),
        "files": [upload("anh.png", PNG)],
    }, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["applicant"]["full_name"] == "Lê Văn Cường"
    assert [(c["name"], c["content_type"]) for c in body["components"]] == [("Tờ khai", "application/pdf"),
                                                                            ("anh.png", "image/png")]
    assert len(stored(media)) == 2


@pytest.mark.parametrize("content,status,code", [(b"\x00\x01 not a scan", 415, "unsupported_media_type"),
                                                 (PDF + b"0" * 4096, 413, "file_too_large")])
def test_api_refuses_bad_files_with_nothing_stored(api, staff, procedure, media, content, status, code):
    response = api.as_user(staff.desk).post(URL, {
        "procedure": procedure.code, "applicant": '{"full_name": "Lê Văn Cường"}',
        "components[0].name": "Tờ khai", "components[0].file": upload("to-khai.pdf", content, "application/pdf"),
    }, format="multipart")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and "components[0].file" in response.json()["fields"]
    assert stored(media) == [] and not Dossier.objects.exists()
