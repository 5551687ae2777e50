"""A dossier's whole life over the API: counter intake, appraisal at the commune, a supplement round,
a fee, the province step (liên thông), the decision there and the return at the commune's desk."""

import pytest
import time_machine
from django.utils import timezone

from notices.models import Notice

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers/"


def act(api, user, code, action, body=None, expect=200):
    response = api.as_user(user).post(f"{URL}{code}/actions/{action}/", body or {}, format="json")
    assert response.status_code == expect, response.content
    return response.json()


@time_machine.travel("2026-11-23 08:00 +0700", tick=False)
def test_full_flow_through_the_province(api, staff, org, province_procedure):
    body = {
        "procedure": province_procedure.code,
        "channel": "counter",
        "applicant": {"full_name": "Trần Thị Bình", "id_number": "079123456789", "phone": "0987654321",
                      "email": "binh@example.vn", "address": "Thôn 2, xã An Bình"},
        "summary": "Xin xác nhận",
        "components": [{"name": "Tờ khai", "kind": "original", "count": 1}],
    }
    response = api.as_user(staff.desk).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201, response.content
    d = response.json()
    code = d["code"]
    assert code.startswith("000.01.01.H99-261123-")
    assert d["status"] == 2 and d["status_label"] == "Được tiếp nhận"
    assert d["received_at"] == "2026-11-23T08:00:00+07:00"
    # 10 working days from Monday 08:00: the Monday two weeks on, 08:00.
    assert d["appointment_at"] == "2026-12-07T08:00:00+07:00"
    assert d["original_appointment_at"] == d["appointment_at"]
    assert [s["name"] for s in d["steps"]] == ["Tiếp nhận", "Thẩm định tại xã", "Giải quyết tại tỉnh"]
    assert d["steps"][2]["agency"] == org.province.code
    assert d["steps"][0]["started_at"] == "2026-11-23T08:00:00+07:00"
    assert "transfer" in d["available_actions"] and "decide" not in d["available_actions"]

    # The same key and body: the same dossier, never a second one.
    again = api.as_user(staff.desk).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["code"] == code
    assert again["Idempotent-Replayed"] == "true"

    d = act(api, staff.desk, code, "transfer", {"assignee": staff.officer.username})
    assert d["status"] == 4
    # Finished the day it was due: on time (early means an earlier day).
    assert d["steps"][0]["finished_at"] and d["steps"][0]["verdict"] == "on_time"
    assert d["steps"][1]["assignee"] == staff.officer.username

    with time_machine.travel("2026-11-24 09:00 +0700", tick=False):
        d = act(api, staff.officer, code, "request-supplement",
                {"items": ["Bản sao giấy khai sinh"], "reason": "Thiếu giấy tờ"})
        assert d["status"] == 5 and d["supplement_count"] == 1
    with time_machine.travel("2026-11-25 09:00 +0700", tick=False):
        d = act(api, staff.desk, code, "supplement", {"components": [{"name": "Bản sao giấy khai sinh",
                                                                      "kind": "copy"}]})
        assert d["status"] == 4
        # Decree 61: the clock restarts from the complete dossier: 10 working days from Wed 09:00.
        assert d["appointment_at"] == "2026-12-09T09:00:00+07:00"
        assert d["supplements"][0]["replied_at"] == "2026-11-25T09:00:00+07:00"
        d = act(api, staff.officer, code, "request-payment", {"amount": 15000})
        assert d["status"] == 6 and d["fee_amount"] == 15000
        d = act(api, staff.desk, code, "confirm-payment")
        assert d["status"] == 4 and d["paid_at"]

    with time_machine.travel("2026-11-26 10:00 +0700", tick=False):
        # The commune hands over to the province (liên thông).
        d = act(api, staff.officer, code, "transfer", {"assignee": staff.province_officer.username})
        assert d["current_agency"] == org.province.code
        assert d["steps"][1]["verdict"] in ("early", "on_time")
        assert d["steps"][2]["started_at"] == "2026-11-26T10:00:00+07:00"
        # The commune's head no longer decides; the province does.
        act(api, staff.head, code, "decide", {"result": "x"}, expect=403)
        province_view = api.as_user(staff.province_officer).get(f"{URL}{code}/").json()
        assert "decide" in province_view["available_actions"]
        d = act(api, staff.province_officer, code, "decide", {"result": "Giấy xác nhận số 12/2026"})
        assert d["status"] == 9 and d["verdict"] == "early" and d["is_late"] is False
        assert d["finished_at"] == "2026-11-26T10:00:00+07:00"
        # Only the receiving desk returns the result.
        act(api, staff.province_officer, code, "return", expect=403)
        d = act(api, staff.desk, code, "return")
        assert d["status"] == 10 and d["returned_at"] == "2026-11-26T10:00:00+07:00"
        act(api, staff.desk, code, "return", expect=409)

    timeline = api.as_user(staff.desk).get(f"{URL}{code}/timeline/").json()["results"]
    assert [e["action"] for e in timeline] == [
        "receive", "transfer", "request-supplement", "supplement", "request-payment", "confirm-payment",
        "transfer", "decide", "return",
    ]
    assert [e["to_status"] for e in timeline] == [2, 4, 5, 4, 6, 4, 4, 9, 10]
    notices = api.as_user(staff.desk).get(f"{URL}{code}/notices/").json()["results"]
    events = {n["event"] for n in notices}
    assert {"received", "supplement_requested", "payment_requested", "result_ready", "returned",
            "assigned"} <= events
    assert Notice.objects.filter(dossier__code=code, event="received", channel="sms").count() == 1
    assert timezone.now()  # frozen clock sanity
