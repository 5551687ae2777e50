"""The officers' screens through Django's test client: intake, the dossier page and its actions, the
printed forms, the scans, the register, and who may see what.

The dossiers are made through the real services (`make_dossier` of the dossiers conftest) or through
the screens themselves; time is frozen on a Monday morning.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.models import Dossier, Status
from notices.models import Notice

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FORM = {
    "full_name": "Trần Thị Bình",
    "id_type": "cccd",
    "id_number": "079123456780",
    "phone": "0912000111",
    "email": "binh@example.vn",
    "address": "Thôn 2, xã An Bình",
    "summary": "Xác nhận để đăng ký kết hôn",
    "channel": "counter",
    "return_method": "desk",
}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_9, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response) -> str:
    return unescape(response.content.decode())


def intake_data(procedure, **overrides) -> dict:
    data = {**FORM, "decision": "receive", "idempotency_key": "k-" + procedure.code}
    for component in procedure.components.all():
        data[f"comp_{component.pk}"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def act(client, dossier, action, **data):
    """Post an action from the dossier page with the version shown there."""
    dossier.refresh_from_db()
    data.setdefault("version", dossier.version)
    return client.post(f"/ho-so/{dossier.reference}/thao-tac/{action}/", data)


def errors(response) -> list[str]:
    """Every error message a page shows, for assertion messages."""
    return re.findall(r'class="error"[^>]*>([^<]+)<', text(response))


def error_after(html: str, field_id: str) -> str:
    """The error text rendered right after an input (the `<span class=error id=..._error>`)."""
    match = re.search(rf'id="{re.escape(field_id)}_error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else ""


# --- intake --------------------------------------------------------------------------------------


def test_intake_through_the_screens_then_the_receipt_prints(client, staff, procedure):
    client.force_login(staff.desk)

    picker = client.get("/ho-so/tiep-nhan/", {"q": "hon nhan"})  # folded search: no diacritics typed
    assert picker.status_code == 200
    assert "Xác nhận tình trạng hôn nhân" in text(picker)
    assert client.get("/ho-so/tiep-nhan/", {"q": "khai tu"}).content.decode().count("/ho-so/tiep-nhan/1.004873/") == 0

    page = client.get(f"/ho-so/tiep-nhan/{procedure.code}/")
    html = text(page)
    assert page.status_code == 200
    for component in procedure.components.all():
        assert f'name="comp_{component.pk}"' in html and f'name="comp_{component.pk}_file"' in html
    assert 'for="id_id_number"' in html and 'for="id_received_at"' in html

    preview = client.get(f"/ho-so/tiep-nhan/{procedure.code}/hen-tra/", HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert "26/11/2026" in text(preview)  # 3 working days from Monday 09:00 → Thursday 09:00

    first = procedure.components.first()
    data = intake_data(procedure, **{f"comp_{first.pk}_file": SimpleUploadedFile("to-khai.pdf", PDF_BYTES,
                                                                                  "application/pdf")})
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", data)
    assert response.status_code == 302, errors(response)
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED and dossier.applicant_name == "Trần Thị Bình"
    assert response["Location"] == f"/ho-so/{dossier.code}/?vua-tiep-nhan=1"

    detail = client.get(response["Location"])
    html = text(detail)
    assert dossier.code in html and "Đã tiếp nhận hồ sơ" in html
    assert f'href="/ho-so/{dossier.code}/in/receipt.pdf"' in html
    assert "26/11/2026" in html

    receipt = client.get(f"/ho-so/{dossier.code}/in/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")

    scan = dossier.components.get(component=first)
    assert f"/ho-so/{dossier.code}/tep/{scan.pk}/" in html
    download = client.get(f"/ho-so/{dossier.code}/tep/{scan.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert "/media/" not in html  # scans are never linked by their public storage path


def test_a_double_submit_receives_one_dossier(client, staff, procedure):
    client.force_login(staff.desk)
    data = intake_data(procedure)
    assert client.post(f"/ho-so/tiep-nhan/{procedure.code}/", data).status_code == 302
    assert client.post(f"/ho-so/tiep-nhan/{procedure.code}/", data).status_code == 302
    assert Dossier.objects.count() == 1


def test_intake_errors_are_shown_next_to_their_fields_and_the_input_stays(client, staff, procedure):
    client.force_login(staff.desk)
    data = intake_data(procedure, id_number="07912345", phone="12345", summary="Giữ nguyên nội dung này")
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", data)
    html = text(response)
    assert response.status_code == 400
    assert "12 chữ số" in error_after(html, "id_id_number")  # applicant.id_number → the id_number input
    assert "Số điện thoại" in error_after(html, "id_phone")
    assert 'value="Trần Thị Bình"' in html and 'value="07912345"' in html
    assert "Giữ nguyên nội dung này" in html
    assert Dossier.objects.count() == 0


def test_a_backdated_time_in_the_future_is_refused_next_to_its_field(client, staff, procedure):
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", intake_data(procedure, received_at="2026-11-24T08:00"))
    assert response.status_code == 400
    assert "tương lai" in error_after(text(response), "id_received_at")


def test_a_backdated_intake_counts_from_the_paper_receipt(client, staff, procedure):
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", intake_data(procedure, received_at="2026-11-20T14:00"))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.received_at == datetime(2026, 11, 20, 14, 0, tzinfo=TZ)
    assert dossier.code.endswith("-261120-0001")


def test_missing_required_components_need_a_tick_or_another_decision(client, staff, procedure):
    client.force_login(staff.desk)
    components = list(procedure.components.all())
    data = intake_data(procedure, **{f"comp_{components[1].pk}": None})
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", data)
    html = text(response)
    assert response.status_code == 400
    assert "Còn thiếu giấy tờ bắt buộc: Giấy khai sinh" in html
    assert "Yêu cầu bổ sung (phiếu 02)" in html and "Từ chối tiếp nhận (phiếu 03)" in html
    assert "- Giấy khai sinh" in html  # the guidance pre-filled with everything missing
    assert Dossier.objects.count() == 0

    refused = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", {**data, "decision": "refuse", "refusal_reason": ""})
    assert refused.status_code == 400
    assert "lý do" in error_after(text(refused), "id_refusal_reason")
    assert Dossier.objects.count() == 0

    # The guidance in one go is recorded (form 02): the dossier gets its code, waiting for the rest.
    recorded = client.post(f"/ho-so/tiep-nhan/{procedure.code}/",
                           {**data, "decision": "supplement", "missing_items": "Giấy khai sinh (bản sao)\nẢnh 4x6"})
    assert recorded.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.supplements.get().items == "Giấy khai sinh (bản sao)\nẢnh 4x6"


def test_the_procedure_list_holds_only_published_procedures_of_the_desk(client, staff, make_procedure, org):
    make_procedure("9.900001", name="Thủ tục cấp tỉnh", agency_levels="province")
    draft = make_procedure("9.900002", name="Thủ tục dự thảo")
    draft.status = "draft"
    draft.save()
    make_procedure("9.900003", name="Thủ tục của xã")
    client.force_login(staff.desk)
    html = text(client.get("/ho-so/tiep-nhan/"))
    assert "Thủ tục của xã" in html
    assert "Thủ tục cấp tỉnh" not in html and "Thủ tục dự thảo" not in html
    assert client.get("/ho-so/tiep-nhan/9.900001/").status_code == 404


# --- the dossier page and its actions ------------------------------------------------------------


def test_the_page_offers_only_the_actions_of_this_user_now(client, staff, make_dossier):
    dossier = make_dossier(4)
    client.force_login(staff.officer)
    html = text(client.get(f"/ho-so/{dossier.code}/"))
    assert f'action="/ho-so/{dossier.code}/thao-tac/transfer/"' in html
    assert f'action="/ho-so/{dossier.code}/thao-tac/request-supplement/"' in html
    assert "/thao-tac/decide/" not in html and "/thao-tac/assign/" not in html and "/thao-tac/return/" not in html
    assert f'name="version" value="{dossier.version}"' in html

    client.force_login(staff.head)
    html = text(client.get(f"/ho-so/{dossier.code}/"))
    assert "/thao-tac/decide/" in html and "/thao-tac/assign/" in html
    # The head's assignee list holds the staff of the step's agency only.
    select = html[html.index('id="assign-assignee"'):]
    select = select[:select.index("</select>")]
    assert "chuyenvien" in select and "motcua2" not in select and "chuyenvien_tinh" not in select


def test_an_action_not_allowed_now_is_refused_and_changes_nothing(client, staff, make_dossier):
    dossier = make_dossier(4)
    client.force_login(staff.desk)
    response = act(client, dossier, "return")
    assert response.status_code == 409
    assert "Không thể trả kết quả" in text(response)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_a_concurrent_change_is_a_clear_message_not_an_overwrite(client, staff, make_dossier):
    dossier = make_dossier(4)
    seen = dossier.version
    services.request_supplement(dossier, actor=staff.officer, items=["Ảnh"], reason="Thiếu ảnh")
    services.supplement_received(Dossier.objects.get(pk=dossier.pk), actor=staff.desk, components=[{"name": "Ảnh"}])
    client.force_login(staff.officer)
    response = client.post(f"/ho-so/{dossier.code}/thao-tac/request-payment/", {"version": seen, "amount": "30000"})
    html = text(response)
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác cập nhật" in html
    assert 'value="30000"' in html  # what was typed is kept for a deliberate second try
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == Status.PROCESSING and fresh.fee_amount is None
    assert f'name="version" value="{fresh.version}"' in html


def test_action_errors_are_shown_next_to_the_field(client, staff, make_dossier):
    dossier = make_dossier(4)
    client.force_login(staff.officer)
    response = act(client, dossier, "request-payment", amount="-5")
    assert response.status_code == 400
    assert error_after(text(response), "request-payment-amount")
    response = act(client, dossier, "refuse", reason="   ")
    assert response.status_code == 400
    assert error_after(text(response), "refuse-reason")
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_an_unknown_action_is_404(client, staff, make_dossier):
    dossier = make_dossier(4)
    client.force_login(staff.head)
    assert act(client, dossier, "explode").status_code == 404


def test_the_whole_flow_through_the_screens_across_two_agencies(client, staff, org, province_procedure):
    """Commune desk → commune appraisal (a supplement round) → province → payment → decision → the commune
    desk returns the result."""
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{province_procedure.code}/", intake_data(province_procedure))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    page = f"/ho-so/{dossier.code}/"

    def ok(response):
        assert response.status_code == 302, errors(response)
        assert response["Location"] == page
        return client.get(page)

    ok(act(client, dossier, "transfer", assignee=staff.officer.pk, note="Chuyển thẩm định"))

    client.force_login(staff.officer)
    assert dossier.code in text(client.get("/ho-so/", {"tab": "can-xu-ly"}))
    html = text(ok(act(client, dossier, "request-supplement", items="Bản sao sổ hộ khẩu\nẢnh 4x6", reason="Thiếu")))
    assert "Đã gửi yêu cầu bổ sung hồ sơ." in html

    client.force_login(staff.desk)
    assert dossier.code in text(client.get("/ho-so/", {"tab": "cho-bo-sung"}))
    response = client.post(f"{page}thao-tac/supplement/", {
        "version": Dossier.objects.get(pk=dossier.pk).version, "names": "Bản sao sổ hộ khẩu\nẢnh 4x6",
        "file": SimpleUploadedFile("bo-sung.pdf", PDF_BYTES, "application/pdf"),
    })
    ok(response)

    client.force_login(staff.officer)
    province_officer = staff.province_officer
    ok(act(client, dossier, "transfer", assignee=province_officer.pk))
    dossier.refresh_from_db()
    assert dossier.current_agency == org.province

    client.force_login(province_officer)
    assert dossier.code in text(client.get("/ho-so/", {"tab": "can-xu-ly"}))
    html = text(client.get(page))
    assert "UBND tỉnh Demo" in html
    ok(act(client, dossier, "request-payment", amount="50000"))

    client.force_login(staff.desk)
    ok(act(client, dossier, "confirm-payment"))

    client.force_login(province_officer)
    ok(act(client, dossier, "decide", result="Đã giải quyết",
           result_file=SimpleUploadedFile("ket-qua.pdf", PDF_BYTES, "application/pdf")))

    client.force_login(staff.desk)
    assert dossier.code in text(client.get("/ho-so/", {"tab": "cho-tra-ket-qua"}))
    html = text(ok(act(client, dossier, "return")))
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    for label in ("Tiếp nhận hồ sơ", "Chuyển xử lý", "Yêu cầu bổ sung hồ sơ", "Nhận hồ sơ bổ sung",
                  "Yêu cầu thực hiện nghĩa vụ tài chính", "Xác nhận đã nộp phí, lệ phí", "Phê duyệt kết quả",
                  "Trả kết quả"):
        assert label in html, label
    assert "Đang xử lý → Yêu cầu bổ sung" in html
    assert "Giải quyết tại tỉnh" in html
    assert client.get(f"{page}ket-qua/").status_code == 200
    for form in ("receipt", "supplement", "control-sheet"):
        assert f"/in/{form}.pdf" in html
        assert client.get(f"{page}in/{form}.pdf").content.startswith(b"%PDF")
    assert Notice.objects.filter(dossier=dossier, event="supplement_requested").exists()
    assert "Yêu cầu bổ sung" in html  # the notices table
    assert "Bạn không có thao tác nào" in html


def test_an_online_submission_is_received_from_its_page(client, staff, org, procedure, make_user):
    citizen = make_user("citizen-a")
    submitted = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune,
                                       applicant={"full_name": "Lê Văn Cường", "phone": "0912000222"})
    client.force_login(staff.desk)
    listing = text(client.get("/ho-so/", {"tab": "cho-tiep-nhan"}))
    assert f"/ho-so/{submitted.reference}/" in listing and "Lê Văn Cường" in listing
    response = client.post(f"/ho-so/{submitted.reference}/thao-tac/receive/", {"version": submitted.version})
    submitted.refresh_from_db()
    assert submitted.status == Status.RECEIVED and submitted.code
    assert response["Location"] == f"/ho-so/{submitted.code}/"


# --- permissions ---------------------------------------------------------------------------------


def test_another_communes_desk_gets_404_everywhere(client, staff, make_dossier, procedure):
    first = procedure.components.first()
    dossier = make_dossier(4, components=[{"component": first.pk, "file": SimpleUploadedFile(
        "a.pdf", PDF_BYTES, "application/pdf")}])
    scan = dossier.components.get()
    client.force_login(staff.desk2)
    base = f"/ho-so/{dossier.code}/"
    assert client.get(base).status_code == 404
    for action in ("receive", "refuse", "transfer", "assign", "request-supplement", "supplement", "request-payment",
                   "confirm-payment", "decide", "return", "withdraw", "stop", "apologize"):
        assert client.post(f"{base}thao-tac/{action}/", {"version": dossier.version, "reason": "x"}).status_code == 404
    for form in ("receipt", "supplement", "refusal", "apology", "stop", "control-sheet"):
        assert client.get(f"{base}in/{form}.pdf").status_code == 404
    assert client.get(f"{base}tep/{scan.pk}/").status_code == 404
    assert client.get(f"{base}ket-qua/").status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING

    for tab in ("cho-tiep-nhan", "can-xu-ly", "cho-tra-ket-qua", "cho-bo-sung", "tat-ca"):
        html = text(client.get("/ho-so/", {"tab": tab}))
        assert dossier.code not in html
    for q in (dossier.code, "Nguyen Van An", "0912345678"):
        html = text(client.get("/ho-so/", {"tab": "tat-ca", "q": q}))
        assert base not in html and "Không có hồ sơ nào" in html
    # The first commune's own desk does find it by the same searches.
    client.force_login(staff.desk)
    for q in (dossier.code, "Nguyen Van An", "0912345678"):
        assert base in text(client.get("/ho-so/", {"tab": "tat-ca", "q": q}))


def test_a_scan_of_another_dossier_is_404_through_a_visible_one(client, staff, make_dossier, procedure):
    first = procedure.components.first()
    mine = make_dossier(2)
    other = make_dossier(2, components=[{"component": first.pk, "file": SimpleUploadedFile(
        "b.pdf", PDF_BYTES, "application/pdf")}])
    client.force_login(staff.desk)
    assert client.get(f"/ho-so/{mine.code}/tep/{other.components.get().pk}/").status_code == 404


def test_pages_need_a_staff_account(client, make_user, make_dossier):
    dossier = make_dossier(2)
    assert client.get("/ho-so/").status_code == 302  # to the login page
    client.force_login(make_user("just-a-citizen"))
    assert client.get("/ho-so/").status_code == 403
    assert client.get(f"/ho-so/{dossier.code}/").status_code == 403


# --- the register --------------------------------------------------------------------------------


def test_the_register_lists_the_period_and_prints(client, staff, make_dossier, org):
    dossier = make_dossier(2)
    client.force_login(staff.desk)
    page = client.get("/ho-so/so-theo-doi/", {"agency": org.commune.pk, "from": "2026-11-01", "to": "2026-11-30"})
    html = text(page)
    assert page.status_code == 200 and dossier.code in html
    pdf_link = f"/ho-so/so-theo-doi/so-theo-doi.pdf?agency={org.commune.pk}&from=2026-11-01&to=2026-11-30"
    assert pdf_link in html
    pdf = client.get(pdf_link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    assert dossier.code not in text(client.get("/ho-so/so-theo-doi/", {"agency": org.commune.pk, "from": "2026-10-01",
                                                                       "to": "2026-10-31"}))
    bad = client.get("/ho-so/so-theo-doi/", {"from": "2026-11-30", "to": "2026-11-01"})
    assert bad.status_code == 400 and "phải sau" in text(bad)

    client.force_login(staff.desk2)
    assert client.get("/ho-so/so-theo-doi/", {"agency": org.commune.pk}).status_code == 404
    assert client.get("/ho-so/so-theo-doi/so-theo-doi.pdf", {"agency": org.commune.pk}).status_code == 404
    assert dossier.code not in text(client.get("/ho-so/so-theo-doi/"))


def test_the_head_apologises_from_the_page_once_the_apology_is_owed(client, staff, make_dossier):
    dossier = make_dossier(4)  # appointment Thursday 26/11 09:00
    client.force_login(staff.head)
    assert "/thao-tac/apologize/" not in text(client.get(f"/ho-so/{dossier.code}/"))  # not owed yet

    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=TZ), tick=False):  # within one working day
        html = text(client.get(f"/ho-so/{dossier.code}/"))
        assert "/thao-tac/apologize/" in html
        bad = act(client, dossier, "apologize", reason="", new_appointment_at="2026-11-30T16:00")
        assert bad.status_code == 400 and error_after(text(bad), "apologize-reason")
        response = act(client, dossier, "apologize", reason="Chờ xác minh", new_appointment_at="2026-11-30T16:00")
        assert response.status_code == 302, errors(response)
        html = text(client.get(f"/ho-so/{dossier.code}/"))
    dossier.refresh_from_db()
    assert dossier.appointment_at == datetime(2026, 11, 30, 16, 0, tzinfo=TZ)
    assert "Hẹn trả ban đầu" in html and "26/11/2026" in html and "30/11/2026" in html
    assert "/in/apology.pdf" in html and "/thao-tac/apologize/" not in html  # only once


def test_stop_and_withdrawal_from_the_page(client, staff, make_dossier):
    stopped = make_dossier(4)
    client.force_login(staff.head)
    assert act(client, stopped, "stop", reason="Không đủ điều kiện").status_code == 302
    html = text(client.get(f"/ho-so/{stopped.code}/"))
    assert "Dừng xử lý" in html and "/in/stop.pdf" in html

    withdrawn = make_dossier(4)
    client.force_login(staff.desk)
    # Stopping processing is the head's decision: the desk neither sees it nor may post it.
    assert "/thao-tac/stop/" not in text(client.get(f"/ho-so/{withdrawn.code}/"))
    assert act(client, withdrawn, "stop", reason="Dừng").status_code == 403
    assert act(client, withdrawn, "withdraw", reason="Công dân xin rút").status_code == 302
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWAL_REQUESTED
    assert act(client, withdrawn, "stop", reason="Đóng hồ sơ đã rút").status_code == 302
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.STOPPED


def test_every_intake_problem_shows_at_once(client, staff, procedure):
    client.force_login(staff.desk)
    components = list(procedure.components.all())
    data = intake_data(procedure, id_number="12345", **{f"comp_{components[1].pk}": None})
    html = text(client.post(f"/ho-so/tiep-nhan/{procedure.code}/", data))
    assert "Còn thiếu giấy tờ bắt buộc" in html
    assert "12 chữ số" in error_after(html, "id_id_number")
