"""The dossier API's contract details: bad input is a 400 naming the field, filters and search, 404 / 409,
the printed forms, and query budgets that do not grow with the rows."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import services

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"


def post(api, user, body, **headers):
    return api.as_user(user).post(URL, body, format="json", **headers)


@pytest.mark.parametrize("body,field", [
    ({"applicant": {"full_name": "A"}}, "procedure"),
    ({"procedure": "0.000000", "applicant": {"full_name": "A"}}, "procedure"),
    ({"procedure": "1.004873", "applicant": {"full_name": ""}}, "applicant.full_name"),
    ({"procedure": "1.004873", "applicant": {"full_name": "A", "id_number": "123"}}, "applicant.id_number"),
    ({"procedure": "1.004873", "applicant": {"full_name": "A", "phone": "12345"}}, "applicant.phone"),
    ({"procedure": "1.004873", "applicant": {"full_name": "A", "email": "a@"}}, "applicant.email"),
    ({"procedure": "1.004873"}, "applicant"),
    ({"procedure": "1.004873", "applicant": "text"}, "applicant.non_field_errors"),
    ({"procedure": "1.004873", "agency": "nowhere", "applicant": {"full_name": "A"}}, "agency"),
    ({"procedure": "1.004873", "channel": "fax", "applicant": {"full_name": "A"}}, "channel"),
    ({"procedure": "1.004873", "received_at": "yesterday", "applicant": {"full_name": "A"}}, "received_at"),
    ({"procedure": "1.004873", "received_at": "2999-01-01T08:00:00+07:00", "applicant": {"full_name": "A"}},
     "received_at"),
    ({"procedure": "1.004873", "applicant": {"full_name": "A"}, "components": [{"name": "x", "count": 0}]},
     "components[0].count"),
    ({"procedure": "1.004873", "applicant": {"full_name": "A"}, "components": [{"name": "x", "kind": "scan"}]},
     "components[0].kind"),
])
def test_bad_intake_is_400_naming_the_field(api, staff, procedure, body, field):
    response = post(api, staff.desk, body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] and data["detail"] and field in data["fields"], data


def test_other_desk_agency_is_400(api, staff, org, procedure):
    response = post(api, staff.desk, {"procedure": procedure.code, "agency": org.commune2.code,
                                      "applicant": dict(APPLICANT)})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["agency"]


def test_idempotency_conflict_is_409(api, staff, procedure):
    body = {"procedure": procedure.code, "applicant": dict(APPLICANT)}
    assert post(api, staff.desk, body, HTTP_IDEMPOTENCY_KEY="x1").status_code == 201
    response = post(api, staff.desk, {**body, "summary": "khác"}, HTTP_IDEMPOTENCY_KEY="x1")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"


def test_citizen_post_is_an_online_submission(api, org, procedure, make_user, staff):
    citizen = make_user()
    response = post(api, citizen, {"procedure": procedure.code, "agency": org.commune.code,
                                   "applicant": dict(APPLICANT)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == 1 and body["code"] is None and body["reference"].startswith("TT-")
    assert body["channel"] == "online"
    response = post(api, citizen, {"procedure": procedure.code, "agency": org.commune.code,
                                   "applicant": dict(APPLICANT), "received_at": "2026-01-01T08:00:00+07:00"})
    assert response.status_code == 400 and "received_at" in response.json()["fields"]
    # The desk receives it by its reference.
    response = api.as_user(staff.desk).post(f"{URL}{body['reference']}/actions/receive/", {}, format="json")
    assert response.status_code == 200 and response.json()["code"]


def test_detail_fields(api, staff, make_dossier):
    d = make_dossier(4)
    body = api.as_user(staff.desk).get(f"{URL}{d.code}/").json()
    for key in ("code", "status", "status_label", "procedure", "agency", "channel", "applicant", "received_at",
                "appointment_at", "original_appointment_at", "finished_at", "returned_at", "is_late", "timeline",
                "steps", "components", "available_actions", "version", "verdict"):
        assert key in body, key
    assert set(body["applicant"]) >= {"full_name", "id_number", "phone", "email", "address"}
    assert set(body["timeline"][0]) >= {"at", "action", "actor", "from_status", "to_status", "note"}
    assert set(body["steps"][0]) >= {"name", "agency", "assignee", "started_at", "due_at", "finished_at", "verdict"}
    assert body["status"] == 4 and body["status_label"] == "Đang xử lý" and body["procedure"] == "1.004873"
    assert body["received_at"].endswith("+07:00")


def test_actions_over_the_api(api, staff, make_dossier):
    d = make_dossier(4)
    path = f"{URL}{d.code}/actions/"
    assert api.as_user(staff.desk).post(f"{path}approve/", {}, format="json").status_code == 404
    response = api.as_user(staff.desk).post(f"{path}return/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "action_not_allowed"
    response = api.as_user(staff.officer).post(f"{path}refuse/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = api.as_user(staff.officer).post(f"{path}request-payment/", {"amount": "x"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()["fields"]
    response = api.as_user(staff.officer).post(f"{path}request-payment/", {"amount": 5000}, format="json",
                                               HTTP_IF_MATCH='"0"')
    assert response.status_code == 409 and response.json()["code"] == "concurrent_change"
    response = api.as_user(staff.officer).post(f"{path}request-payment/", {"amount": 5000, "expected_version": 1},
                                               format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = api.as_user(staff.head).post(f"{path}assign/", {"assignee": "nobody"}, format="json")
    assert response.status_code == 400 and "assignee" in response.json()["fields"]
    response = api.as_user(staff.officer).post(f"{path}transfer/", {"to_agency": "nowhere"}, format="json")
    assert response.status_code in (400, 409)


def test_request_supplement_items_as_text_or_list(api, staff, make_dossier):
    d = make_dossier(4)
    response = api.as_user(staff.officer).post(f"{URL}{d.code}/actions/request-supplement/",
                                               {"items": [], "reason": "x"}, format="json")
    assert response.status_code == 400 and "items" in response.json()["fields"]
    response = api.as_user(staff.officer).post(f"{URL}{d.code}/actions/request-supplement/",
                                               {"items": "Bản sao CCCD", "reason": "Thiếu"}, format="json")
    assert response.status_code == 200 and response.json()["supplements"][0]["items"] == "Bản sao CCCD"


@time_machine.travel("2026-11-23 08:00 +0700", tick=False)
def test_filters_and_search(api, staff, make_dossier, make_procedure):
    other_procedure = make_procedure()
    a = make_dossier(2, applicant={**APPLICANT, "full_name": "Nguyễn Thị Ánh", "phone": "0911111111"})
    b = make_dossier(4, applicant={**APPLICANT, "full_name": "Trần Văn Bình", "phone": "0922222222"})
    c = make_dossier(2, procedure=other_procedure, applicant={**APPLICANT, "full_name": "Lê Đức Công"})

    def codes(**params):
        response = api.as_user(staff.desk).get(URL, params)
        assert response.status_code == 200, response.content
        return {row["code"] for row in response.json()["results"]}

    assert codes() == {a.code, b.code, c.code}
    assert codes(status="4") == {b.code}
    assert codes(status="2,4") == {a.code, b.code, c.code}
    assert codes(procedure=other_procedure.code) == {c.code}
    assert codes(agency=a.agency.code) == {a.code, b.code, c.code}
    assert codes(q="nguyen thi anh") == {a.code}
    assert codes(q="BÌNH") == {b.code}
    assert codes(q="duc cong") == {c.code}
    assert codes(q="0922222222") == {b.code}
    assert codes(q="+84922222222") == {b.code}
    assert codes(q=a.code) == {a.code}
    assert codes(q="-0002") == {b.code}
    assert codes(late="true") == set()
    with time_machine.travel("2026-12-01 08:00 +0700", tick=False):
        assert codes(late="true") == {a.code, b.code, c.code}
        services.decide(b, actor=staff.head, result="x")  # late, finished
        assert codes(late="true") == {a.code, b.code, c.code}
        assert codes(late="false") == set()


@pytest.mark.parametrize("params,field", [({"status": "11"}, "status"), ({"status": "x"}, "status"),
                                          ({"late": "maybe"}, "late"), ({"page_size": "1000"}, "page_size"),
                                          ({"page": "0"}, "page"), ({"q": "x" * 101}, "q")])
def test_bad_filters_are_400(api, staff, params, field):
    response = api.as_user(staff.desk).get(URL, params)
    assert response.status_code == 400 and field in response.json()["fields"], response.content


def test_printed_receipt(api, staff, make_dossier):
    d = make_dossier(2)
    response = api.as_user(staff.desk).get(f"{URL}{d.code}/documents/receipt.pdf")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert api.as_user(staff.desk).get(f"{URL}{d.code}/documents/invoice.pdf").status_code == 404
    # No apology yet: that form does not apply.
    assert api.as_user(staff.desk).get(f"{URL}{d.code}/documents/apology.pdf").status_code == 404


def _count(api, user, path):
    client = api.as_user(user)
    client.get(path)  # the token's owner is cached from here on
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_list_queries_do_not_grow_with_rows(api, staff, make_dossier, django_assert_num_queries):
    make_dossier(2)
    baseline, body = _count(api, staff.desk, f"{URL}?page_size=100")
    assert body["count"] == 1
    for total in (10, 50):
        while len(body["results"]) < total:
            make_dossier(4)
            body["results"].append(None)
        client = api.as_user(staff.desk)
        with django_assert_num_queries(baseline):
            response = client.get(f"{URL}?page_size=100")
        assert response.json()["count"] == total
    assert baseline <= 5  # the time limit in its savepoint (SAVEPOINT, SET LOCAL, RELEASE), the page, the count


def test_detail_queries_do_not_grow_with_steps_and_events(api, staff, make_dossier, django_assert_num_queries):
    small = make_dossier(2)
    baseline, _ = _count(api, staff.desk, f"{URL}{small.code}/")
    big = make_dossier(4, components=[{"name": f"Giấy {i}"} for i in range(10)])
    for _i in range(3):
        big = services.request_supplement(big, actor=staff.officer, items="x", reason="y")
        big = services.supplement_received(big, actor=staff.desk, components=[{"name": "x"}])
    big = services.transfer(big, actor=staff.officer)
    client = api.as_user(staff.desk)
    with django_assert_num_queries(baseline):
        client.get(f"{URL}{big.code}/")
    assert baseline <= 2
