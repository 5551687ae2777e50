"""The whole online journey over HTTP: the citizen submits on the portal, the desk receives and asks for a
supplement through the dossier API, the citizen uploads the missing paper on the portal, the dossier is
processed, the result is downloaded and the citizen rates it."""

import pytest
import time_machine
from django.utils import timezone

from citizens.models import Rating
from dossiers.models import Dossier, DossierComponent, Status

from .conftest import PDF, login, pdf

pytestmark = pytest.mark.django_db

API = "/api/v1/dossiers/"


def act(api, user, code, action, body=None, expect=200, fmt="json"):
    response = api.as_user(user).post(f"{API}{code}/actions/{action}/", body or {}, format=fmt)
    assert response.status_code == expect, response.content
    return response.json()


@time_machine.travel("2026-11-23 08:00 +0700", tick=False)
def test_submit_receive_supplement_process_result_rating(api, staff, org, citizen, online_procedure):
    browser = login(citizen)
    page = browser.get(f"/cong-dan/nop-ho-so/{online_procedure.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    # Prefilled from the profile.
    assert 'value="Nguyễn Văn An"' in html and 'value="079123456789"' in html and 'value="0912345678"' in html

    tokhai, cccd = online_procedure.components.order_by("order")
    response = browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/", {
        "action": "submit", "agency": org.commune.pk, "full_name": "Nguyễn Văn An", "id_number": "079123456789",
        "phone": "0912345678", "email": "an@example.vn", "address": "Thôn 1, xã An Bình",
        "summary": "Đăng ký khai sinh cho con", "return_method": "online",
        f"file_{tokhai.pk}": pdf("to-khai.pdf"), f"file_{cccd.pk}": pdf("cccd.pdf"), "idempotency_key": "k1",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.status == Status.SUBMITTED and dossier.code is None
    assert response["Location"] == f"/cong-dan/ho-so/{dossier.reference}/"
    assert dossier.components.filter(file__gt="").count() == 2
    page = browser.get(response["Location"])
    assert "Hẹn trả dự kiến" in page.content.decode()
    # 3 working days from Monday 08:00: Thursday 08:00.
    assert "08:00 26/11/2026" in page.content.decode()

    # The desk sees it in its "to receive" worklist and receives it through the API.
    worklist = login(staff.desk).get("/ho-so/?tab=cho-tiep-nhan")
    assert dossier.reference in worklist.content.decode()
    d = act(api, staff.desk, dossier.reference, "receive")
    code = d["code"]
    assert d["status"] == 2 and code.startswith(org.commune.code)
    d = act(api, staff.desk, code, "transfer", {"assignee": staff.officer.username})
    with time_machine.travel("2026-11-24 09:00 +0700", tick=False):
        d = act(api, staff.officer, code, "request-supplement",
                {"items": ["Giấy chứng sinh", "Bản sao CCCD của mẹ"], "reason": "Thiếu giấy tờ"})
        assert d["status"] == 5

        page = browser.get(f"/cong-dan/ho-so/{code}/")
        html = page.content.decode()
        assert "Yêu cầu bổ sung hồ sơ" in html and "Giấy chứng sinh" in html
        assert f"/cong-dan/ho-so/{code}/in/supplement.pdf" in html
        supplement_pdf = browser.get(f"/cong-dan/ho-so/{code}/in/supplement.pdf")
        assert supplement_pdf.status_code == 200 and supplement_pdf.content.startswith(b"%PDF-")
        receipt = browser.get(f"/cong-dan/ho-so/{code}/in/receipt.pdf")
        assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"

        # Nothing uploaded: a clear message, nothing changes.
        empty = browser.post(f"/cong-dan/ho-so/{code}/bo-sung/", {})
        assert empty.status_code == 400
        assert "ít nhất một giấy tờ" in empty.content.decode()
        assert Dossier.objects.get(pk=dossier.pk).status == Status.SUPPLEMENT_REQUESTED

    with time_machine.travel("2026-11-25 10:00 +0700", tick=False):
        response = browser.post(f"/cong-dan/ho-so/{code}/bo-sung/", {"item_0": pdf("chung-sinh.pdf"),
                                                                     "item_1": pdf("cccd-me.pdf")})
        assert response.status_code == 302
        fresh = Dossier.objects.get(pk=dossier.pk)
        assert fresh.status == Status.PROCESSING
        added = DossierComponent.objects.filter(dossier=fresh, supplement_round=1)
        assert sorted(added.values_list("name", flat=True)) == ["Bản sao CCCD của mẹ", "Giấy chứng sinh"]
        # The clock restarted from the complete dossier (Decree 61): 3 working days from Wednesday 10:00.
        assert timezone.localtime(fresh.appointment_at).isoformat() == "2026-11-30T10:00:00+07:00"
        # The supplement round is closed in the API's view too.
        detail = api.as_user(staff.officer).get(f"{API}{code}/").json()
        assert detail["supplements"][0]["replied_at"] == "2026-11-25T10:00:00+07:00"

        act(api, staff.officer, code, "transfer")
        d = act(api, staff.head, code, "decide", {"result": "Đã cấp giấy khai sinh bản điện tử",
                                                   "result_file": pdf("giay-khai-sinh.pdf")}, fmt="multipart")
        assert d["status"] == 9

        page = browser.get(f"/cong-dan/ho-so/{code}/").content.decode()
        assert "Tải kết quả điện tử" in page and "Đánh giá mức độ hài lòng" in page
        result = browser.get(f"/cong-dan/ho-so/{code}/ket-qua/")
        assert result.status_code == 200 and b"".join(result.streaming_content) == PDF
        assert result["Cache-Control"] == "private, no-store"
        act(api, staff.desk, code, "return")

        rated = browser.post(f"/cong-dan/ho-so/{code}/danh-gia/", {
            "overall": "very_satisfied", "time_vs_promise": "on_time", "visits": "0", "attitude": "good",
            "comment": "Nhanh, không phải đi lại",
        })
        assert rated.status_code == 302
        rating = Rating.objects.get(dossier=dossier)
        assert (rating.overall, rating.visits, rating.source) == ("very_satisfied", "0", "online")

        # A second rating: a clear message on the page, and nothing changes.
        again = browser.post(f"/cong-dan/ho-so/{code}/danh-gia/", {"overall": "dissatisfied"}, follow=True)
        assert "đã được đánh giá" in again.content.decode()
        assert Rating.objects.filter(dossier=dossier).count() == 1
        assert Rating.objects.get(dossier=dossier).overall == "very_satisfied"
        # The API says 409 for the same.
        second = api.as_user(citizen).post("/api/v1/ratings/", {"dossier": code, "overall": "satisfied"}, format="json")
        assert second.status_code == 409 and second.json()["code"] == "already_rated"
