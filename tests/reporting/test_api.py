"""GET /api/v1/reports/on-time/ and /api/v1/reports/index-766/ (api.md "Reports")."""

import pytest

from organisation.models import Role
from tests.reporting.conftest import AN_BINH, AN_BINH_RATES, PHU_MY, PROVINCE, PROVINCE_RATES

ON_TIME = "/api/v1/reports/on-time/"
INDEX = "/api/v1/reports/index-766/"
OCT = {"from": "2026-10-01", "to": "2026-10-31"}


def subset(row, expected):
    return {k: row[k] for k in expected}


@pytest.mark.django_db
def test_on_time_by_agency_for_the_province_manager(api, staff, figures, org):
    body = api.as_user(staff.manager).get(ON_TIME, {**OCT, "group_by": "agency"}).json()
    assert body["from"] == "2026-10-01" and body["to"] == "2026-10-31" and body["group_by"] == "agency"
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == {org.commune.code, org.commune2.code}
    assert subset(rows[org.commune.code], AN_BINH) == AN_BINH
    assert subset(rows[org.commune.code], AN_BINH_RATES) == AN_BINH_RATES
    assert subset(rows[org.commune2.code], PHU_MY) == PHU_MY
    assert subset(body["totals"], PROVINCE) == PROVINCE
    assert subset(body["totals"], PROVINCE_RATES) == PROVINCE_RATES
    for field in ("key", "label", "received", "finished", "early", "on_time", "late", "pending_in_time", "pending_late",
                  "on_time_rate", "online_share", "apologised_late_share"):
        assert field in body["totals"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group_by", "keys"),
    [
        ("field", {"G09-TP02", "G09-TP03", "G11-TN01"}),
        ("procedure", {"1.001193", "2.000815", "1.003003"}),
        ("month", {"2026-10"}),
        ("channel", {"counter", "online", "postal"}),
    ],
)
def test_other_groupings_partition_the_same_totals(api, staff, figures, group_by, keys):
    body = api.as_user(staff.manager).get(ON_TIME, {**OCT, "group_by": group_by}).json()
    assert {r["key"] for r in body["rows"]} == keys
    assert subset(body["totals"], PROVINCE) == PROVINCE
    assert sum(r["received"] for r in body["rows"]) == PROVINCE["received"]
    assert sum(r["late"] for r in body["rows"]) == PROVINCE["late"]


@pytest.mark.django_db
def test_zero_denominator_rates_are_null(api, staff, figures):
    body = api.as_user(staff.manager).get(ON_TIME, {"from": "2025-01-01", "to": "2025-01-31"}).json()
    assert body["rows"] == []
    assert body["totals"]["received"] == 0
    assert body["totals"]["on_time_rate"] is None
    assert body["totals"]["online_share"] is None
    assert body["totals"]["apologised_late_share"] is None


@pytest.mark.django_db
def test_agency_parameter_narrows_to_its_subtree(api, staff, figures, org):
    body = api.as_user(staff.manager).get(ON_TIME, {**OCT, "agency": org.commune.code}).json()
    assert body["agency"] == org.commune.code
    assert [r["key"] for r in body["rows"]] == [org.commune.code]
    assert subset(body["totals"], AN_BINH) == AN_BINH


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-10-31"}, "from"),
        ({"from": "01/10/2026", "to": "2026-10-31"}, "from"),
        ({"from": "2026-10-01", "to": "tomorrow"}, "to"),
        ({"from": "2026-11-01", "to": "2026-10-31"}, "from"),
        ({"from": "2026-11-01", "to": "2026-10-31"}, "to"),
        ({**OCT, "group_by": "district"}, "group_by"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(api, staff, figures, params, field):
    response = api.as_user(staff.manager).get(ON_TIME, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert field in body["fields"]


@pytest.mark.django_db
def test_bad_dates_on_the_index_are_400_too(api, staff, figures):
    response = api.as_user(staff.manager).get(INDEX, {"from": "2026-10-32"})
    assert response.status_code == 400 and "from" in response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [ON_TIME, INDEX, "/api/v1/reports/dossiers/"])
def test_only_managers(api, staff, figures, make_user, url):
    assert api.get(url, OCT).status_code == 401
    for user in (staff.desk, staff.officer, staff.head, staff.province_officer, make_user("citizen")):
        response = api.as_user(user).get(url, OCT)
        assert response.status_code == 403, user
        assert response.json()["code"] == "permission_denied"
    admin = make_user("root", is_superuser=True, is_staff=True)
    assert api.as_user(admin).get(url, OCT).status_code == 200


@pytest.mark.django_db
def test_index_766_for_one_commune(api, commune_manager, figures, org):
    body = api.as_user(commune_manager).get(INDEX, OCT).json()
    assert body["agency"] is None and body["ruleset"]
    items = {i["code"]: i for i in body["indicators"]}
    assert len(items) == 21
    assert items["2.1"] == {
        "group": "progress", "code": "2.1", "name": items["2.1"]["name"], "max_points": 20, "threshold": 100,
        "computable": True, "scored": True, "formula": items["2.1"]["formula"], "reason": "", "numerator": 5,
        "denominator": 10, "rate": 50.0, "points": 10.0,
    }
    assert (items["3.2"]["rate"], items["3.2"]["points"], items["3.2"]["threshold"], items["3.2"]["scored"]) == (
        44.4, None, None, False)
    assert (items["5.4"]["rate"], items["5.4"]["points"], items["5.4"]["threshold"]) == (20.0, 1.33, 90)
    assert (items["1.4"]["computable"], items["1.4"]["rate"], items["1.4"]["points"]) == (True, 0.0, 0.0)
    assert (items["4.5a"]["computable"], items["4.5a"]["numerator"], items["4.5a"]["denominator"]) == (True, 0, 3)
    for code in ("1.1", "1.2", "1.3", "3.5", "4.2b"):
        assert items[code]["computable"] is False
        assert items[code]["rate"] is None and items[code]["points"] is None and items[code]["reason"]
    groups = {g["code"]: g for g in body["groups"]}
    assert sum(g["max_points"] for g in groups.values()) == 100
    assert groups["progress"]["points"] == 10.0
    assert body["total"] == {"max_points": 100, "points": 24.72, "computable_max_points": 84, "scored_max_points": 84}


@pytest.mark.django_db
def test_dossiers_behind_a_number(api, staff, figures, org):
    body = api.as_user(staff.manager).get(
        "/api/v1/reports/dossiers/", {**OCT, "metric": "pending_late", "agency": org.commune.code, "page_size": 2}
    ).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2 and body["next"]
    first = body["results"][0]
    assert first["code"] == figures.d6.code and first["apologised"] is True
    assert set(first) >= {"code", "procedure", "agency", "channel", "received_at", "appointment_at", "verdict"}
    assert "applicant_name" not in first and "applicant_phone" not in first
    by_field = api.as_user(staff.manager).get(
        "/api/v1/reports/dossiers/", {**OCT, "metric": "late", "field": "G09-TP03"}
    ).json()
    assert {r["code"] for r in by_field["results"]} == {figures.d4.code, figures.e2.code}
    bad = api.as_user(staff.manager).get("/api/v1/reports/dossiers/", {**OCT, "metric": "nonsense"})
    assert bad.status_code == 400 and "metric" in bad.json()["fields"]


@pytest.mark.django_db
def test_report_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/reports/on-time/", "/api/v1/reports/index-766/", "/api/v1/reports/dossiers/"):
        assert path in schema
    assert "apologised_late_share" in schema and "computable_max_points" in schema


@pytest.mark.django_db
def test_a_manager_with_several_roles_is_scoped_by_the_manager_role(api, org, figures, make_user):
    # Manager of An Bình, desk officer at Phú Mỹ: the reports show An Bình only.
    user = make_user(roles=[(org.commune, Role.MANAGER), (org.commune2, Role.DESK_OFFICER)])
    body = api.as_user(user).get(ON_TIME, OCT).json()
    assert [r["key"] for r in body["rows"]] == [org.commune.code]
