"""Online submission: the e-form of a published online procedure, one upload per component checked by
content, drafts saved and resumed with their files, and the submission reaching the desk at status 1."""

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from citizens.models import Draft, DraftFile
from dossiers.models import Dossier, Status
from notices.models import Notice

from .conftest import login, pdf

pytestmark = pytest.mark.django_db


def form_data(org, procedure, **extra):
    tokhai, cccd = procedure.components.order_by("order")
    data = {"agency": org.commune.pk, "full_name": "Nguyễn Văn An", "id_number": "079123456789",
            "phone": "0912345678", "email": "an@example.vn", "address": "Thôn 1", "summary": "",
            "return_method": "online", "action": "submit"}
    data.update(extra)
    return data, tokhai, cccd


def test_only_published_online_procedures_have_an_e_form(citizen, make_procedure):
    browser = login(citizen)
    offline = make_procedure(online_mode="none")
    draft = make_procedure(online_mode="full", status="draft")
    partial = make_procedure(online_mode="partial")
    assert browser.get(f"/cong-dan/nop-ho-so/{offline.code}/").status_code == 404
    assert browser.get(f"/cong-dan/nop-ho-so/{draft.code}/").status_code == 404
    assert browser.get(f"/cong-dan/nop-ho-so/{partial.code}/").status_code == 200
    listing = Client().get("/cong-dan/nop-ho-so/").content.decode()
    assert partial.code in listing and offline.code not in listing and draft.code not in listing


def test_online_only_procedure_is_marked_in_the_list(make_procedure):
    only = make_procedure(online_mode="full", online_only=True, name="Thủ tục chỉ trực tuyến")
    html = Client().get("/cong-dan/nop-ho-so/?q=chi truc tuyen").content.decode()
    assert only.name in html and "Chỉ tiếp nhận trực tuyến" in html and "Nộp trực tuyến" in html


def test_submission_reaches_the_desk_at_status_1(citizen, org, staff, online_procedure):
    data, tokhai, _cccd = form_data(org, online_procedure)
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                                   {**data, f"file_{tokhai.pk}": pdf()})
    assert response.status_code == 302
    dossier = Dossier.objects.get(citizen=citizen)
    assert (dossier.status, dossier.channel, dossier.agency) == (Status.SUBMITTED, "online", org.commune)
    assert dossier.appointment_at is not None
    # The desk officers of the agency are told in the portal.
    assert Notice.objects.filter(user=staff.desk, event="submitted_online", dossier=dossier).exists()


def test_fully_online_needs_every_required_file_and_names_it(citizen, org, online_procedure):
    data, tokhai, _ = form_data(org, online_procedure)
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vui lòng tải lên giấy tờ này." in html
    assert not Dossier.objects.exists()


def test_partly_online_may_leave_papers_for_the_desk(citizen, org, make_procedure):
    procedure = make_procedure(online_mode="partial")
    data, _, _ = form_data(org, procedure)
    assert login(citizen).post(f"/cong-dan/nop-ho-so/{procedure.code}/", data).status_code == 302
    assert Dossier.objects.get(citizen=citizen).components.count() == 0


def test_service_errors_are_shown_next_to_the_fields(citizen, org, online_procedure):
    data, tokhai, _ = form_data(org, online_procedure, agency="", phone="123", id_number="12",
                                return_method="post", return_address="")
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                                   {**data, f"file_{tokhai.pk}": pdf()})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_return_address_error"' in html
    data["return_address"] = "Số 1 đường A"
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                                   {**data, f"file_{tokhai.pk}": pdf()})
    assert response.status_code == 400
    assert "Vui lòng chọn cơ quan tiếp nhận." in response.content.decode()
    data["agency"] = org.commune.pk
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                                   {**data, f"file_{tokhai.pk}": pdf()})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_phone_error"' in html and 'id="id_id_number_error"' in html
    assert not Dossier.objects.exists()


def test_agency_not_performing_the_procedure_is_refused(citizen, org, online_procedure):
    data, tokhai, _ = form_data(org, online_procedure, agency=org.commune2.pk)
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                                   {**data, f"file_{tokhai.pk}": pdf()})
    # commune2 is not a choice of this procedure's form.
    assert response.status_code == 400 and not Dossier.objects.exists()


def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_stored(citizen, org, online_procedure, tmp_path):
    data, tokhai, _ = form_data(org, online_procedure)
    fake = pdf("to-khai.pdf", content=b"MZ\x90\x00 not a pdf")
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", {**data, f"file_{tokhai.pk}": fake})
    assert response.status_code == 415
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG" in response.content.decode()
    assert not Dossier.objects.exists()
    saved = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                                {**data, "action": "save", f"file_{tokhai.pk}": pdf("x.pdf", content=b"GIF89a")})
    assert saved.status_code == 415 and not Draft.objects.exists()


def test_too_large_file_is_413(citizen, org, online_procedure, settings):
    settings.UPLOAD_MAX_BYTES = 100
    data, tokhai, _ = form_data(org, online_procedure)
    big = pdf(content=b"%PDF-1.4\n" + b"0" * 200)
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", {**data, f"file_{tokhai.pk}": big})
    assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()


def test_draft_saved_resumed_and_submitted(citizen, org, online_procedure):
    browser = login(citizen)
    data, tokhai, cccd = form_data(org, online_procedure, action="save", summary="Khai sinh cho bé Na")
    saved = browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", {**data, f"file_{tokhai.pk}": pdf("tk.pdf")})
    assert saved.status_code == 302
    draft = Draft.objects.get(citizen=citizen)
    assert saved["Location"].endswith(f"?nhap={draft.pk}")
    kept = DraftFile.objects.get(draft=draft)
    assert kept.component == tokhai and kept.original_filename == "tk.pdf"
    assert default_storage.exists(kept.file.name)

    page = browser.get(saved["Location"]).content.decode()
    assert "Khai sinh cho bé Na" in page and "tk.pdf" in page
    assert draft.procedure.name in browser.get("/cong-dan/ho-so/").content.decode()

    # Replacing the file keeps one per component and removes the old one from storage.
    again = browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                         {**data, "draft": draft.pk, f"file_{tokhai.pk}": pdf("tk2.pdf")})
    assert again.status_code == 302
    replaced = DraftFile.objects.get(draft=draft)
    assert replaced.original_filename == "tk2.pdf"

    # Submit without uploading again: the draft's file goes with the dossier; the draft is gone.
    submitted = browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                             {**data, "draft": draft.pk, "action": "submit", f"file_{cccd.pk}": pdf("cccd.pdf")})
    assert submitted.status_code == 302, submitted.content.decode()[:500]
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.summary == "Khai sinh cho bé Na"
    names = sorted(dossier.components.values_list("original_filename", flat=True))
    assert names == ["cccd.pdf", "tk2.pdf"]
    assert not Draft.objects.exists() and not DraftFile.objects.exists()


def test_draft_can_be_deleted(citizen, org, online_procedure):
    browser = login(citizen)
    data, _, _ = form_data(org, online_procedure, action="save")
    browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", data)
    draft = Draft.objects.get()
    assert browser.post(f"/cong-dan/ban-nhap/{draft.pk}/xoa/").status_code == 302
    assert not Draft.objects.exists()


def test_double_submit_with_the_same_form_key_makes_one_dossier(citizen, org, online_procedure):
    browser = login(citizen)
    data, tokhai, _ = form_data(org, online_procedure, idempotency_key="form-123")
    first = browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", {**data, f"file_{tokhai.pk}": pdf()})
    second = browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", {**data, f"file_{tokhai.pk}": pdf()})
    assert first.status_code == second.status_code == 302
    assert Dossier.objects.filter(citizen=citizen).count() == 1


def test_anonymous_must_log_in_to_submit(online_procedure):
    response = Client().get(f"/cong-dan/nop-ho-so/{online_procedure.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_dossiers_list_query_budget(citizen, online_dossier, django_assert_max_num_queries):
    browser = login(citizen)
    online_dossier(citizen, status=2)
    with django_assert_max_num_queries(8) as one:
        assert browser.get("/cong-dan/ho-so/").status_code == 200
    for _ in range(9):
        online_dossier(citizen, status=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert browser.get("/cong-dan/ho-so/").status_code == 200
