"""The electronic form on a dossier: the API's intake takes `form` (400 with `fields` by path, nothing saved),
the dossier keeps the values with the version it was filed on, officers read them and print the tờ khai."""

import copy
import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dossiers.models import Dossier
from procedures import demo_forms
from procedures import services as catalogue
from procedures.models import FormDefinition

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db

FILLED = {
    "declarant": {"full_name": "Nguyễn Văn An", "id_number": "079123456789", "address": "Thôn 1, xã An Bình",
                  "relation": "Bản thân"},
    "subject": {"full_name": "Nguyễn Văn An", "birth_date": "12/03/1990", "sex": "male", "ethnicity": "Kinh",
                "nationality": "Việt Nam", "id_number": "079123456789", "address": "Thôn 1, xã An Bình"},
    "marital_status": "Chưa đăng ký kết hôn với ai",
    "purpose": "ket_hon",
    "purpose_detail": "Kết hôn với bà Trần Thị Bình tại UBND xã An Bình",
    "copies": 1,
    "commitment": True,
}


@pytest.fixture
def form(procedure):
    return catalogue.save_form_definition(procedure, demo_forms.CIVIL_STATUS, effective_from=datetime.date(2025, 7, 1))


def body(procedure, **extra):
    return {"procedure": procedure.code, "applicant": dict(APPLICANT), **extra}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_api_intake_stores_the_form_with_its_version(api, staff, procedure, form):
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure, form=FILLED), format="json")
    assert response.status_code == 201, response.json()
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.form_definition == form
    assert dossier.form_data["subject"]["birth_date"] == "1990-03-12" and dossier.form_data["copies"] == 1
    detail = api.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert detail["form"] == {"version": 1, "effective_from": "2025-07-01", "data": dossier.form_data}


def test_a_new_version_leaves_the_filed_dossier_on_its_own(api, staff, procedure, form):
    code = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure, form=FILLED), format="json").json()["code"]
    changed = copy.deepcopy(demo_forms.CIVIL_STATUS)
    changed["title"]["vi"] = "TỜ KHAI MỚI"
    catalogue.save_form_definition(procedure, changed, effective_from=datetime.date(2026, 1, 1))
    assert Dossier.objects.get(code=code).form_definition == form
    assert api.get(f"/api/v1/dossiers/{code}/").json()["form"]["version"] == 1
    assert FormDefinition.objects.filter(procedure=procedure).count() == 2


@pytest.mark.parametrize("change, path, fragment", [
    (lambda d: d["subject"].update(id_number="07912345678"), "form.subject.id_number", "12 chữ số"),
    (lambda d: d["subject"].update(birth_date="2999-01-01"), "form.subject.birth_date", "sau ngày hôm nay"),
    (lambda d: d["subject"].update(birth_date="31/02/1990"), "form.subject.birth_date", "Ngày không hợp lệ"),
    (lambda d: d.update(copies="ba"), "form.copies", "Phải là một số"),
    (lambda d: d.update(copies=11), "form.copies", "lớn hơn 10"),
    (lambda d: d.update(purpose="du_lich"), "form.purpose", "Lựa chọn không hợp lệ"),
    (lambda d: d.update(commitment=False), "form.commitment", "đánh dấu"),
    (lambda d: d["declarant"].pop("full_name"), "form.declarant.full_name", "Bắt buộc"),
    (lambda d: d.update(hobby="x"), "form.hobby", "không có trường này"),
    (lambda d: d.update(subject=["x"]), "form.subject", "đối tượng"),
])
def test_api_bad_form_is_a_400_naming_the_path_and_nothing_is_saved(api, staff, procedure, form, change, path,
                                                                     fragment):
    data = copy.deepcopy(FILLED)
    change(data)
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure, form=data), format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid" and list(payload["fields"]) == [path]
    assert fragment in payload["fields"][path][0]
    assert not Dossier.objects.exists()


def test_api_repeated_group_paths_and_limit(api, staff, procedure):
    catalogue.save_form_definition(procedure, demo_forms.BIRTH, effective_from=datetime.date(2025, 7, 1))
    parent = {"role": "me", "full_name": "Trần Thị Bình", "birth_date": "1994-03-02", "ethnicity": "Kinh",
              "nationality": "Việt Nam", "address": "An Bình", "id_number": "079194001234"}
    data = {"declarant": {"full_name": "Trần Thị Bình", "id_number": "079194001234", "address": "An Bình",
                          "relation": "Mẹ"},
            "child": {"full_name": "Nguyễn Minh An", "sex": "male", "birth_date": "2026-11-20",
                      "birth_place": "Trạm y tế xã An Bình", "ethnicity": "Kinh", "nationality": "Việt Nam"},
            "parents": [parent, {**parent, "role": "cha", "id_number": "12345"}], "commitment": True}
    api.as_user(staff.desk)
    response = api.post("/api/v1/dossiers/", body(procedure, form=data), format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["form.parents[1].id_number"]
    data["parents"] = [parent, parent, parent]
    response = api.post("/api/v1/dossiers/", body(procedure, form=data), format="json")
    assert response.json()["fields"] == {"form.parents": ["Nhiều nhất 2 dòng."]}
    data["parents"] = [parent]
    assert api.post("/api/v1/dossiers/", body(procedure, form=data), format="json").status_code == 201


def test_api_english_messages(api, staff, procedure, form):
    data = copy.deepcopy(FILLED)
    data["subject"]["id_number"] = "123"
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure, form=data), format="json",
                                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["fields"]["form.subject.id_number"] == [
        "A personal identification number has 12 digits (3 given)."]


def test_api_form_for_a_procedure_without_one(api, staff, procedure):
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure, form=FILLED), format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["form"]
    assert api.post("/api/v1/dossiers/", body(procedure), format="json").status_code == 201


def test_api_citizen_submission_and_multipart(api, make_user, org, procedure, form):
    citizen = make_user("congdan_api")
    response = api.as_user(citizen).post("/api/v1/dossiers/", {
        "procedure": procedure.code, "agency": org.commune.code, "applicant": json.dumps(APPLICANT),
        "form": json.dumps(FILLED)}, format="multipart")
    assert response.status_code == 201, response.json()
    dossier = Dossier.objects.get(pk=int(response.json()["reference"].removeprefix("TT-")))
    assert dossier.status == 1 and dossier.form_definition == form and dossier.form_data["purpose"] == "ket_hon"
    bad = api.post("/api/v1/dossiers/", {"procedure": procedure.code, "agency": org.commune.code,
                                         "applicant": json.dumps(APPLICANT), "form": "{broken"}, format="multipart")
    assert bad.status_code == 400 and "form" in bad.json()["fields"]


def test_procedure_form_endpoint(api, procedure, form):
    response = api.get(f"/api/v1/procedures/{procedure.code}/form/")
    assert response.status_code == 200
    assert response.json()["version"] == 1 and response.json()["definition"] == demo_forms.CIVIL_STATUS
    FormDefinition.objects.all().delete()
    assert api.get(f"/api/v1/procedures/{procedure.code}/form/").status_code == 404


def test_officer_sees_the_data_and_prints_the_form(client, api, staff, procedure, form):
    code = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure, form=FILLED), format="json").json()["code"]
    client.force_login(staff.desk)
    html = client.get(reverse("dossiers:detail", args=[code])).content.decode()
    assert "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" in html
    assert "12/03/1990" in html and "Để đăng ký kết hôn" in html and "Chưa đăng ký kết hôn với ai" in html
    print_url = reverse("dossiers:declaration", args=[code])
    assert print_url in html
    response = client.get(print_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
                  "UBND xã An Bình", "Nguyễn Văn An", "12/03/1990", "Để đăng ký kết hôn",
                  "Kết hôn với bà Trần Thị Bình", code):
        assert words in text, words
    # Another commune's officer sees neither the dossier nor its form.
    client.force_login(staff.desk2)
    assert client.get(print_url).status_code == 404


def test_a_dossier_without_a_form_has_no_form_to_print(client, api, staff, procedure):
    code = api.as_user(staff.desk).post("/api/v1/dossiers/", body(procedure), format="json").json()["code"]
    client.force_login(staff.desk)
    assert client.get(reverse("dossiers:declaration", args=[code])).status_code == 404
    assert api.get(f"/api/v1/dossiers/{code}/").json()["form"] is None


def _intake_post(procedure, org, **extra):
    data = {"agency": org.commune.pk, "full_name": APPLICANT["full_name"], "id_type": "cccd",
            "id_number": APPLICANT["id_number"], "phone": APPLICANT["phone"], "channel": "counter",
            "return_method": "desk", "idempotency_key": "k-" + str(len(extra))}
    for component in procedure.components.all():
        data[f"comp_{component.pk}"] = "on"
    data.update(extra)
    return data


def test_desk_intake_fills_the_form_with_messages_next_to_fields(client, staff, org, procedure, form):
    client.force_login(staff.desk)
    url = reverse("dossiers:intake", args=[procedure.code])
    page = client.get(url).content.decode()
    assert 'name="form.subject.id_number"' in page and 'name="form.commitment"' in page
    bad = client.post(url, _intake_post(procedure, org, **{"form.subject.full_name": "An",
                                                           "form.subject.id_number": "123", "form.commitment": "on"}))
    assert bad.status_code == 400
    html = bad.content.decode()
    assert re.search(r'name="form.commitment"[^>]*checked', html)  # what was ticked stays ticked
    assert "Số định danh cá nhân phải gồm 12 chữ số (đã nhập 3)." in html
    assert 'id="f-form-subject-id_number-error"' in html and 'value="An"' in html
    assert not Dossier.objects.exists()
    flat = {"form.declarant.full_name": "Nguyễn Văn An", "form.declarant.id_number": "079123456789",
            "form.declarant.address": "An Bình", "form.declarant.relation": "Bản thân",
            "form.subject.full_name": "Nguyễn Văn An", "form.subject.birth_date": "1990-03-12",
            "form.subject.sex": "male", "form.subject.ethnicity": "Kinh", "form.subject.nationality": "Việt Nam",
            "form.subject.id_number": "079123456789", "form.subject.address": "An Bình",
            "form.marital_status": "Chưa kết hôn", "form.purpose": "khac", "form.copies": "2",
            "form.commitment": "on"}
    good = client.post(url, _intake_post(procedure, org, **flat))
    assert good.status_code == 302, good.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.form_definition == form and dossier.form_data["copies"] == 2


def test_desk_intake_without_the_form_still_works(client, staff, org, procedure, form):
    client.force_login(staff.desk)
    response = client.post(reverse("dossiers:intake", args=[procedure.code]), _intake_post(procedure, org))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.form_definition is None and dossier.form_data == {}
