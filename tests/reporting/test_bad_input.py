"""Issue 10's bad-input rule, over every report endpoint: a period with `from` after `to`, a malformed or
impossible date, an unknown grouping or agency, a period of more than ten years is a 400 naming the
parameter, never a 500 (the API in api.md's error format, the pages as the form with the field's error)."""

import pytest

API_ENDPOINTS = ("/api/v1/reports/on-time/", "/api/v1/reports/index-766/", "/api/v1/reports/dossiers/")
PAGES = ("/bao-cao/", "/bao-cao/xu-huong/", "/bao-cao/xuat-excel/", "/bao-cao/bao-cao.pdf", "/bao-cao/ho-so/",
         "/bao-cao/ho-so/xuat-excel/", "/bao-cao/chi-so-766/")
OCT = {"from": "2026-10-01", "to": "2026-10-31"}

API_CASES = [
    ({"from": "2026-11-01", "to": "2026-10-31"}, "from"),
    ({"from": "2026-11-01", "to": "2026-10-31"}, "to"),
    ({"from": "2026-10-01"[:7], "to": "2026-10-31"}, "from"),  # malformed
    ({"from": "2026-02-29", "to": "2026-03-31"}, "from"),  # impossible
    ({"from": "2026-10-01", "to": "2026-11-31"}, "to"),
    ({"from": "2016-10-01", "to": "2026-10-01"}, "to"),  # ten years and a day
    ({**OCT, "agency": "000.99.99.H99"}, "agency"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_ENDPOINTS)
@pytest.mark.parametrize(("params", "name"), API_CASES)
def test_every_report_endpoint_names_the_bad_parameter(api, staff, org, path, params, name):
    response = api.as_user(staff.manager).get(path, params)
    assert response.status_code == 400, (path, params, response.content[:300])
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"} and name in body["fields"], (path, body)


@pytest.mark.django_db
def test_an_unknown_grouping_is_400_naming_it(api, staff, org):
    response = api.as_user(staff.manager).get("/api/v1/reports/on-time/", {**OCT, "group_by": "district"})
    assert response.status_code == 400 and "group_by" in response.json()["fields"]


@pytest.mark.django_db
def test_a_period_of_exactly_ten_years_less_a_day_is_accepted(api, staff, org):
    for path in API_ENDPOINTS:
        assert api.as_user(staff.manager).get(path, {"from": "2016-10-01", "to": "2026-09-30"}).status_code == 200


PAGE_CASES = [
    ({"kind": "custom", "from": "2026-11-01", "to": "2026-10-31"}, "from"),
    ({"kind": "custom", "from": "1/10/2026", "to": "2026-10-31"}, "from"),
    ({"kind": "custom", "from": "2026-02-30", "to": "2026-03-31"}, "from"),
    ({"kind": "custom", "from": "2016-10-01", "to": "2026-10-01"}, "to"),
    ({"kind": "month", "month": "2026-13"}, "month"),
    ({"kind": "year", "year": "20x6"}, "year"),
    ({"kind": "quarter", "quarter": "5", "year": "2026"}, "quarter"),
    ({"kind": "month", "month": "2026-10", "agency": "000.99.99.H99"}, "agency"),
]


def _named(response, name) -> bool:
    """The form's error on the field, or the query guard's (organisation/middleware.py: a date no form could
    read is refused before the view, naming the parameter too)."""
    context = response.context
    form = context.get("form")
    return ((form is not None and name in form.errors) or name in (context.get("field_errors") or {})
            or name in (context.get("fields") or {}))


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("params", "name"), PAGE_CASES)
def test_every_report_page_names_the_bad_parameter(client, staff, org, path, params, name):
    client.force_login(staff.manager)
    response = client.get(path, params)
    assert response.status_code == 400, (path, params)
    assert _named(response, name), (path, params)


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "du-lieu.csv", "du-lieu.json"])
def test_the_open_data_pages_refuse_a_bad_year(client, org, suffix):
    response = client.get(f"/bao-cao/cong-khai/{org.commune.code}/{suffix}", {"year": "20x6"})
    assert response.status_code == 400
