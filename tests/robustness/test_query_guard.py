"""Row 5 of issue 9: the shared query-string rules (`organisation.params`) and their answers, 400 in the
error format for the API and a page with the message for the screens."""

from datetime import date

import pytest
from django.http import QueryDict

from organisation import params

MAX = 1000


@pytest.mark.parametrize("query, expected", [
    ("q=abc", {}),
    ("q=a%00b", {"q": "control"}),
    ("q=a%01b", {"q": "control"}),
    ("q=tab%09and%0Anewline", {}),
    ("q=" + "x" * 1000, {}),
    ("q=" + "x" * 1001, {"q": "too_long"}),
    ("page=1", {}), ("page=last", {}), ("page=", {}), ("page=1000000", {}),
    # Words, zero, fractions are the paginators' to answer: the API's 400, the pages' first page.
    ("page=0", {}), ("page=x", {}), ("page=1.5", {}), ("page=-1", {}),
    ("page=1000001", {"page": "page"}), ("page=-99999999999999999999", {"page": "page"}),
    ("page=99999999999999999999", {"page": "page"}),
    ("page_size=200", {}), ("page_size=0", {}), ("page_size=99999999999999999999", {"page_size": "page_size"}),
    ("from=2026-11-01&to=2026-11-30", {}), ("from=2026-13-45", {"from": "date"}), ("to=2026-02-30", {"to": "date"}),
    ("from=9999-12-31", {"from": "date"}), ("from=1899-12-31", {"from": "date"}), ("from=2100-12-31", {}),
    ("ngay=24/11/2026", {}), ("ngay=31/02/2026", {"ngay": "date"}), ("date=tomorrow", {}),
    ("from=99999-01-01", {"from": "date"}), ("from=2026-1-5", {"from": "date"}),
    ("received_at=2026-11-23T09:30:00+07:00", {}), ("received_at=2026-11-23T09:30:00 07:00", {}),
    ("received_at=2026-11-23T25:30:00", {"received_at": "date"}), ("received_at=9999-12-31T23:59:59Z",
                                                                     {"received_at": "date"}),
    ("a%00=1", {"a": "control"}),
    ("status=1&q=ok&agency=x%00", {"agency": "control"}),
    ("q=ok&q=a%00", {"q": "control"}),
])
def test_problems(query, expected):
    assert params.problems(QueryDict(query), max_chars=MAX) == expected


def test_parse_date_value():
    assert params.parse_date_value("2026-11-24") == date(2026, 11, 24)
    assert params.parse_date_value("24/11/2026") == date(2026, 11, 24)
    assert params.parse_date_value("2026-11-24T08:00:00+07:00") == date(2026, 11, 24)
    assert params.parse_date_value("2026-13-45") is None
    assert params.parse_date_value("") is None


def test_path_problem():
    assert params.path_problem("/api/v1/dossiers/a\x00b/")
    assert not params.path_problem("/api/v1/dossiers/000.00.06.H56-261124-0001/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/dossiers/", "/api/v1/calendar/days/", "/api/v1/calendar/appointment/",
                                 "/api/v1/feedback/", "/api/v1/slots/", "/api/v1/procedures/"])
@pytest.mark.parametrize("name", ["q", "procedure", "agency"])
def test_nul_byte_in_an_api_parameter_is_a_400_naming_it(api, staff, url, name):
    response = api.as_user(staff.desk).get(url, {name: "abc\x00def"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [name]
    assert name in body["detail"]


@pytest.mark.django_db
def test_api_answers_in_english_when_asked(api, staff):
    response = api.as_user(staff.desk).get("/api/v1/dossiers/", {"page": "99999999999999999999"},
                                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["fields"]["page"] == ["The page number must be a positive whole number, at most 1,000,000."]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"page": "99999999999999999999"}, {"page_size": "99999999999999999999"},
                                   {"q": "x" * 10_000}])
def test_absurd_page_and_long_search_on_the_dossier_list(api, staff, query):
    response = api.as_user(staff.desk).get("/api/v1/dossiers/", query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(query)


@pytest.mark.django_db
def test_nul_byte_in_a_path_names_nothing(api, client, staff):
    response = api.as_user(staff.desk).get("/api/v1/dossiers/abc%00def/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    client.force_login(staff.desk)
    assert client.get("/ho-so/abc%00def/").status_code == 404


@pytest.mark.django_db
def test_impossible_date_on_the_register_page_is_a_clear_400(client, staff):
    client.force_login(staff.desk)
    response = client.get("/ho-so/so-theo-doi/", {"from": "2026-13-45"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Yêu cầu không hợp lệ" in text and "<code>from</code>" in text and "YYYY-MM-DD" in text


@pytest.mark.django_db
def test_nul_byte_on_the_worklist_page_is_a_400(client, staff):
    client.force_login(staff.desk)
    response = client.get("/ho-so/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "<code>q</code>" in response.content.decode()
