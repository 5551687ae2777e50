"""Issue 9, row 5 for bodies: a NUL byte anywhere in a JSON body (nested components, the items of a
supplement request, free text) is a 400 naming the field, never PostgreSQL's refusal as a 500."""

import pytest

from tests.dossiers.conftest import APPLICANT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body, field", [
    ({"components": [{"name": "Tờ\x00khai"}]}, "components[0].name"),
    ({"components": [{"name": "Tờ khai", "kind": "co\x00py"}]}, "components[0].kind"),
    ({"summary": "a\x00b"}, "summary"),
    ({"applicant": {**APPLICANT, "address": "Thôn\x00 1"}}, "applicant.address"),
    ({"outcome": "supplement", "items": ["Bản\x00 sao"]}, "items[0]"),
    ({"outcome": "refuse", "reason": "x\x00"}, "reason"),
    ({"return_address": "a\x00"}, "return_address"),
])
def test_nul_in_an_intake_body(api, staff, procedure, body, field):
    data = {"procedure": procedure.code, "applicant": APPLICANT, **body}
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", data, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["fields"], response.json()


@pytest.mark.parametrize("status, action, user, body, field", [
    (4, "request-supplement", "officer", {"items": ["Bản\x00 sao"]}, "items[0]"),
    (4, "request-supplement", "officer", {"items": "Bản sao", "reason": "\x00"}, "reason"),
    (5, "supplement", "desk", {"components": [{"name": "a\x00"}]}, "components[0].name"),
    (4, "decide", "head", {"result": "Đã\x00 cấp"}, "result"),
    (4, "transfer", "officer", {"note": "\x00"}, "note"),
])
def test_nul_in_an_action_body(api, staff, make_dossier, status, action, user, body, field):
    d = make_dossier(status)
    response = api.as_user(getattr(staff, user)).post(f"/api/v1/dossiers/{d.code}/actions/{action}/", body,
                                                       format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["fields"], response.json()


def test_nul_in_a_multipart_field_is_named(api, staff, procedure):
    import json

    response = api.as_user(staff.desk).post("/api/v1/dossiers/", {
        "procedure": procedure.code, "applicant": json.dumps(APPLICANT), "components[0].name": "Tờ\x00khai"},
        format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"] == {"components[0].name": ["Có ký tự không hợp lệ."]}


def test_nul_in_a_page_form_gets_a_message(client, staff, make_dossier):
    d = make_dossier(4)
    client.force_login(staff.officer)
    response = client.post(f"/ho-so/{d.code}/thao-tac/refuse/", {"reason": "x\x00", "version": d.version})
    assert response.status_code == 400
    assert "<code>reason</code>" in response.content.decode()


def test_a_file_named_in_json_is_a_400_not_a_crash(api, staff, procedure):
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", {
        "procedure": procedure.code, "applicant": APPLICANT, "components": [{"name": "Tờ khai", "file": "scan.pdf"}]},
        format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["components[0].file"]
