"""A commune's manager sees nothing of another commune's figures, on any path: pages, lists, exports, API."""

import io

import pytest
from openpyxl import load_workbook

OCT = {"kind": "month", "month": "2026-10"}
API_OCT = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.mark.django_db
def test_dashboard_shows_only_the_own_commune(client, commune_manager, figures, org):
    client.force_login(commune_manager)
    response = client.get("/bao-cao/", OCT)
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.unit.code == org.commune.code
    assert dash.totals.received == 9
    assert [u.key for u in dash.units] == [org.commune.code]
    html = response.content.decode()
    assert org.commune2.name not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/bao-cao/", "/bao-cao/ho-so/", "/bao-cao/chi-so-766/", "/bao-cao/xuat-excel/", "/bao-cao/ho-so/xuat-excel/",
     "/bao-cao/bao-cao.pdf"],
)
def test_another_communes_code_is_not_found_on_every_page(client, commune_manager, figures, org, path):
    client.force_login(commune_manager)
    assert client.get(path, {**OCT, "agency": org.commune2.code}).status_code == 404
    assert client.get(path, {**OCT, "agency": org.province.code}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/reports/on-time/", "/api/v1/reports/index-766/", "/api/v1/reports/dossiers/"])
def test_another_communes_code_is_not_found_in_the_api(api, commune_manager, figures, org, path):
    response = api.as_user(commune_manager).get(path, {**API_OCT, "agency": org.commune2.code})
    assert response.status_code == 404
    assert set(response.json()) == {"code", "detail", "fields"}
    # An agency code that does not exist at all is a bad parameter (400 naming it), not a hidden one.
    unknown = api.as_user(commune_manager).get(path, {**API_OCT, "agency": "no-such-agency"})
    assert unknown.status_code == 400 and "agency" in unknown.json()["fields"]


@pytest.mark.django_db
def test_lists_and_exports_hold_only_the_own_communes_dossiers(client, api, commune_manager, figures, org):
    client.force_login(commune_manager)
    listed = client.get("/bao-cao/ho-so/", {**OCT, "metric": "received"})
    codes = {d.code for d, _link in listed.context["rows"]}
    assert codes == {getattr(figures, f"d{i}").code for i in range(1, 10)}
    assert figures.e1.code not in listed.content.decode()

    wb = load_workbook(io.BytesIO(client.get("/bao-cao/ho-so/xuat-excel/", {**OCT, "metric": "received"}).content))
    cells = {str(c.value) for row in wb.active.iter_rows() for c in row if c.value}
    assert figures.e1.code not in cells and figures.e2.code not in cells
    assert figures.d1.code in cells

    wb = load_workbook(io.BytesIO(client.get("/bao-cao/xuat-excel/", OCT).content))
    text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert org.commune2.name not in text

    api_rows = api.as_user(commune_manager).get("/api/v1/reports/dossiers/", {**API_OCT, "page_size": 200}).json()
    assert {r["agency"] for r in api_rows["results"]} == {org.commune.code}


@pytest.mark.django_db
def test_province_manager_can_drill_into_either_commune(client, staff, figures, org):
    client.force_login(staff.manager)
    assert client.get("/bao-cao/", {**OCT, "agency": org.commune2.code}).context["dash"].totals.received == 2


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/bao-cao/", "/bao-cao/ho-so/", "/bao-cao/chi-so-766/", "/bao-cao/xuat-excel/",
                                  "/bao-cao/ho-so/xuat-excel/", "/bao-cao/bao-cao.pdf"])
def test_pages_are_for_managers_only(client, staff, figures, path):
    assert client.get(path).status_code == 302  # to the login page
    for user in (staff.desk, staff.officer, staff.head, staff.desk2):
        client.force_login(user)
        assert client.get(path, OCT).status_code == 403
