"""Rows 1 and 9 of issue 9: nested form fields are parsed within bounds, a dossier's files are bounded in
number and bytes (intake, online submission, supplement), and every refusal is in the error format
(the API) or a message (the pages), never Django's bare HTML 400 and never a worker spent on it."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.models import Dossier
from tests.dossiers.conftest import APPLICANT

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOSSIER_MAX_COMPONENTS = 5
    settings.DOSSIER_MAX_FILES = 3
    settings.DOSSIER_MAX_TOTAL_BYTES = 4000
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    return settings


def pdf(name="scan.pdf", size=0):
    body = PDF if size <= len(PDF) else PDF[:-6] + b"%" + b"x" * (size - len(PDF)) + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def body(procedure, **extra):
    data = {"procedure": procedure.code, "applicant": json.dumps(APPLICANT)}
    data.update(extra)
    return data


def assert_error(response, status, code=None, field=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert set(payload) == {"code", "detail", "fields"}
    if code:
        assert payload["code"] == code
    if field:
        assert field in payload["fields"], payload


# --- row 1: bounded indices ------------------------------------------------------------------------


def test_a_far_component_index_is_a_400_naming_the_field(api, staff, procedure):
    response = api.as_user(staff.desk).post(URL, body(procedure, **{"components[4000000].name": "x"}),
                                            format="multipart")
    assert_error(response, 400, field="components[4000000].name")
    assert Dossier.objects.count() == 0


def test_an_index_at_the_limit_is_refused_and_one_below_is_not_a_gap_error(api, staff, procedure):
    response = api.as_user(staff.desk).post(URL, body(procedure, **{"components[5].name": "x"}), format="multipart")
    assert_error(response, 400, field="components[5].name")
    response = api.as_user(staff.desk).post(URL, body(procedure, **{"components[99999999999999999999].name": "x"}),
                                            format="multipart")
    assert_error(response, 400, field="components[99999999999999999999].name")


def test_sparse_indices_are_a_400_naming_the_field(api, staff, procedure):
    response = api.as_user(staff.desk).post(
        URL, body(procedure, **{"components[0].name": "Tờ khai", "components[2].name": "Bản sao"}), format="multipart")
    assert_error(response, 400, field="components[2].name")
    assert "components[1]" in response.json()["fields"]["components[2].name"][0]
    assert Dossier.objects.count() == 0


def test_contiguous_indices_are_taken(api, staff, procedure):
    response = api.as_user(staff.desk).post(
        URL, body(procedure, **{"components[1].name": "Bản sao", "components[0].name": "Tờ khai",
                                "components[1].file": pdf()}), format="multipart")
    assert response.status_code == 201, response.content
    names = sorted(c["name"] for c in response.json()["components"])
    assert names == ["Bản sao", "Tờ khai"]


def test_too_many_components_as_json(api, staff, procedure):
    components = [{"name": f"Giấy {i}"} for i in range(6)]
    response = api.as_user(staff.desk).post(URL, {"procedure": procedure.code, "applicant": APPLICANT,
                                                  "components": components}, format="json")
    assert_error(response, 400, code="too_many_components", field="components")


# --- row 1 and 9: files and bytes per dossier --------------------------------------------------------


def test_more_files_than_a_dossier_may_hold_in_one_request_is_json_400(api, staff, procedure):
    files = {f"components[{i}].file": pdf(f"{i}.pdf") for i in range(4)}
    names = {f"components[{i}].name": f"Giấy {i}" for i in range(4)}
    response = api.as_user(staff.desk).post(URL, body(procedure, **files, **names), format="multipart")
    assert_error(response, 400, code="too_many_files")
    assert Dossier.objects.count() == 0


def test_more_files_than_django_accepts_is_json_not_html(api, staff, procedure, settings):
    settings.DOSSIER_MAX_FILES = 50
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    response = api.as_user(staff.desk).post(URL, body(procedure, files=[pdf(f"{i}.pdf") for i in range(6)]),
                                            format="multipart")
    assert_error(response, 400, code="too_many_files")


def test_too_many_files_on_a_page_gets_a_message(client, staff, procedure, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", {"files": [pdf(f"{i}.pdf") for i in range(3)]})
    assert response.status_code == 400
    assert "Quá nhiều tệp trong một lần gửi: tối đa 2 tệp." in response.content.decode()


def test_total_bytes_per_dossier_at_intake_is_413(api, staff, procedure):
    files = {"components[0].file": pdf("a.pdf", 2500), "components[1].file": pdf("b.pdf", 2500)}
    response = api.as_user(staff.desk).post(URL, body(procedure, **files), format="multipart")
    assert_error(response, 413, code="dossier_too_large", field="components")
    assert Dossier.objects.count() == 0


def test_a_body_larger_than_any_dossier_is_refused_before_it_is_read(api, staff, procedure, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    files = {"components[0].file": pdf("a.pdf", 6000)}
    response = api.as_user(staff.desk).post(URL, body(procedure, **files), format="multipart")
    assert_error(response, 413, code="request_too_large")


def test_online_submission_is_bounded_too(api, procedure, make_user, org):
    citizen = make_user("congdan_limits")
    files = {f"components[{i}].file": pdf(f"{i}.pdf", 1500) for i in range(3)}
    response = api.as_user(citizen).post(URL, body(procedure, agency=org.commune.code, **files), format="multipart")
    assert_error(response, 413, code="dossier_too_large")


def test_supplement_counts_what_the_dossier_already_holds(api, staff, procedure, make_dossier):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                        components=[{"name": f"Giấy {i}", "file": pdf(f"{i}.pdf", 1000)} for i in range(2)])
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d = services.request_supplement(d, actor=staff.officer, items=["Bản sao"], reason="Thiếu")
    url = f"/api/v1/dossiers/{d.code}/actions/supplement/"
    # Two more files: four in all, over DOSSIER_MAX_FILES (3).
    files = {f"components[{i}].file": pdf(f"s{i}.pdf", 100) for i in range(2)}
    response = api.as_user(staff.desk).post(url, {**files, **{f"components[{i}].name": "Bổ sung" for i in range(2)}},
                                            format="multipart")
    assert_error(response, 400, code="too_many_files")
    # One file of 2,500 bytes: 4,500 in all, over DOSSIER_MAX_TOTAL_BYTES (4,000).
    response = api.as_user(staff.desk).post(url, {"components[0].file": pdf("s.pdf", 2500),
                                                  "components[0].name": "Bổ sung"}, format="multipart")
    assert_error(response, 413, code="dossier_too_large")
    # One small file fits.
    response = api.as_user(staff.desk).post(url, {"components[0].file": pdf("s.pdf", 500),
                                                  "components[0].name": "Bổ sung"}, format="multipart")
    assert response.status_code == 200, response.content


def test_a_malformed_multipart_body_is_json_400(api, staff):
    response = api.as_user(staff.desk).generic("POST", URL, b"--nope\r\nbroken", content_type="multipart/form-data")
    assert_error(response, 400, code="parse_error")
    response = api.as_user(staff.desk).generic("POST", URL, b"x", content_type="multipart/form-data; boundary=")
    assert_error(response, 400)
