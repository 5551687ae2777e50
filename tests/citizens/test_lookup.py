"""Public look-up without login: the right pair shows the status and steps without personal data; a wrong
pair gets the same 404 whichever part is wrong, and repeated misses get 429 (per client and per code)."""

import pytest
import time_machine
from django.test import Client

from citizens import lookup
from citizens.models import Rating

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/"


@pytest.fixture
def received(citizen, online_dossier):
    return online_dossier(citizen, status=4)


def test_right_pair_gives_status_and_steps_without_personal_data(api, received):
    response = api.get(URL, {"code": received.code, "secret": "5678"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == received.code and body["status"] == 4 and body["status_label"] == "Đang xử lý"
    assert body["procedure"] == received.procedure.code
    assert body["received_at"].endswith("+07:00") and body["appointment_at"].endswith("+07:00")
    assert body["is_late"] is False and body["can_rate"] is False
    assert [s["name"] for s in body["steps"]] == ["Tiếp nhận", "Thẩm định", "Phê duyệt"]
    assert set(body["steps"][0]) == {"order", "name", "agency", "agency_name", "due_at", "finished_at", "verdict"}
    text = response.content.decode()
    for personal in ("Nguyễn Văn An", "0912345678", "079123456789", "an@example.vn", "Thôn 1", "chuyenvien"):
        assert personal not in text


def test_code_is_matched_whatever_its_case(api, received):
    assert api.get(URL, {"code": received.code.lower(), "secret": "5678"}).status_code == 200


def test_wrong_pairs_get_identical_404s_then_429(api, received):
    wrong_secret = api.get(URL, {"code": received.code, "secret": "0000"})
    wrong_code = api.get(URL, {"code": received.code[:-1] + "9", "secret": "5678"})
    both_wrong = api.get(URL, {"code": "KHONG-CO", "secret": "1234"})
    malformed = api.get(URL, {"code": received.code, "secret": "56"})
    missing = api.get(URL)
    bodies = {r.content for r in (wrong_secret, wrong_code, both_wrong, malformed, missing)}
    assert {r.status_code for r in (wrong_secret, wrong_code, both_wrong, malformed, missing)} == {404}
    assert len(bodies) == 1
    assert wrong_secret.json()["code"] == "not_found"
    for _ in range(lookup.MAX_MISSES_PER_CLIENT - 5):
        assert api.get(URL, {"code": "X", "secret": "1111"}).status_code == 404
    blocked = api.get(URL, {"code": received.code, "secret": "5678"})
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"
    # Another client is not blocked by this one's misses.
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.get(URL, {"code": received.code, "secret": "5678"}).status_code == 200


def test_misses_for_one_code_from_many_clients_block_that_code(received):
    for i in range(lookup.MAX_MISSES_PER_CODE):
        assert Client(REMOTE_ADDR=f"10.1.0.{i}").get(URL, {"code": received.code, "secret": f"{i:04d}"}).status_code == 404
    fresh = Client(REMOTE_ADDR="10.9.9.9")
    assert fresh.get(URL, {"code": received.code, "secret": "5678"}).status_code == 429
    # The window passes: the code can be looked up again.
    with time_machine.travel(60 * 60, tick=False):
        from django.core.cache import cache

        cache.delete(lookup._code_key(received.code))
        assert fresh.get(URL, {"code": received.code, "secret": "5678"}).status_code == 200


def test_lookup_page_prefilled_from_the_receipt_qr_code(received):
    page = Client().get(f"/cong-dan/tra-cuu/?code={received.code}")
    assert page.status_code == 200
    assert f'value="{received.code}"' in page.content.decode()


def test_lookup_page_shows_status_and_the_same_message_for_any_wrong_pair(received):
    browser = Client()
    found = browser.post("/cong-dan/tra-cuu/", {"code": received.code, "secret": "5678"})
    assert found.status_code == 200
    html = found.content.decode()
    assert "Đang xử lý" in html and "Thẩm định" in html and "Nguyễn Văn An" not in html
    wrong_secret = browser.post("/cong-dan/tra-cuu/", {"code": received.code, "secret": "1111"})
    wrong_code = browser.post("/cong-dan/tra-cuu/", {"code": "000.00.00.X-000000-0000", "secret": "5678"})
    assert wrong_secret.status_code == wrong_code.status_code == 404
    message = "Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại đã nhập."
    assert message in wrong_secret.content.decode() and message in wrong_code.content.decode()


def test_rating_through_lookup_once(api, citizen, online_dossier):
    done = online_dossier(citizen, status=10)
    assert api.get(URL, {"code": done.code, "secret": "5678"}).json()["can_rate"] is True
    body = {"code": done.code, "secret": "5678", "overall": "satisfied", "visits": "1", "comment": "Tốt"}
    first = api.post("/api/v1/lookup/rating/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["source"] == "lookup" and first.json()["overall"] == "satisfied"
    second = api.post("/api/v1/lookup/rating/", {**body, "overall": "dissatisfied"}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "already_rated"
    assert Rating.objects.get(dossier=done).overall == "satisfied"
    assert api.get(URL, {"code": done.code, "secret": "5678"}).json()["can_rate"] is False


def test_rating_through_lookup_refuses_wrong_pair_unfinished_and_bad_values(api, received):
    wrong = api.post("/api/v1/lookup/rating/", {"code": received.code, "secret": "0000", "overall": "satisfied"},
                     format="json")
    assert wrong.status_code == 404
    unfinished = api.post("/api/v1/lookup/rating/", {"code": received.code, "secret": "5678", "overall": "satisfied"},
                          format="json")
    assert unfinished.status_code == 409 and unfinished.json()["code"] == "not_finished"
    bad = api.post("/api/v1/lookup/rating/", {"code": received.code, "secret": "5678", "overall": "great"},
                   format="json")
    assert bad.status_code == 400 and "overall" in bad.json()["fields"]
    assert not Rating.objects.exists()


def test_rating_on_the_lookup_page(citizen, online_dossier):
    done = online_dossier(citizen, status=9)
    browser = Client()
    page = browser.post("/cong-dan/tra-cuu/", {"code": done.code, "secret": "5678"}).content.decode()
    assert "Đánh giá mức độ hài lòng" in page
    response = browser.post("/cong-dan/tra-cuu/danh-gia/", {"code": done.code, "secret": "5678", "overall": "very_satisfied"})
    assert response.status_code == 200 and "Cảm ơn" in response.content.decode()
    again = browser.post("/cong-dan/tra-cuu/danh-gia/", {"code": done.code, "secret": "5678", "overall": "satisfied"})
    assert again.status_code == 409 and "đã được đánh giá" in again.content.decode()
    assert Rating.objects.get(dossier=done).overall == "very_satisfied"


@pytest.mark.parametrize("status", [1, 4, 5, 10])
def test_the_lookup_is_one_query_whatever_the_dossier_holds(api, citizen, online_dossier, status,
                                                            django_assert_num_queries):
    """The dossier, its steps (JSON through the ORM) and its rating in one query, on every path: a right
    pair (any number of steps, rated or not), a wrong secret, an unknown code; the API and the page."""
    d = online_dossier(citizen, status=status)
    if status == 10:
        Rating.objects.create(dossier=d, overall="satisfied", source="lookup")
    code = d.code or d.reference
    with django_assert_num_queries(1):
        response = api.get(URL, {"code": code, "secret": "5678"})
    assert response.status_code == 200, response.content
    assert len(response.json()["steps"]) == d.steps.count() and response.json()["can_rate"] is False
    with django_assert_num_queries(1):
        assert Client().post("/cong-dan/tra-cuu/", {"code": code, "secret": "5678"}).status_code == 200
    for wrong in ({"code": code, "secret": "0000"}, {"code": "000.00.00.X-000000-9999", "secret": "5678"}):
        with django_assert_num_queries(1):
            assert api.get(URL, wrong).status_code == 404
