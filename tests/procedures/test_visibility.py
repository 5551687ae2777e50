"""Only published procedures in effect today are public: drafts and those out of effect are hidden."""

import datetime

import pytest
import time_machine

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def procedures(make_procedure):
    return {
        "public": make_procedure("1.000001", "Thủ tục công khai"),
        "draft": make_procedure("1.000002", "Thủ tục dự thảo", status="draft"),
        "future": make_procedure("1.000003", "Thủ tục chưa có hiệu lực", effective_from=TODAY + datetime.timedelta(days=1)),
        "expired": make_procedure("1.000004", "Thủ tục hết hiệu lực", effective_to=TODAY - datetime.timedelta(days=1)),
        "starts_today": make_procedure("1.000005", "Thủ tục hiệu lực từ hôm nay", effective_from=TODAY),
        "ends_today": make_procedure("1.000006", "Thủ tục hết hiệu lực cuối hôm nay", effective_to=TODAY),
        "open": make_procedure("1.000007", "Thủ tục không ghi ngày", effective_from=None, effective_to=None),
    }


@time_machine.travel(datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7))))
def test_list_shows_only_what_is_in_effect(api, client, procedures):
    # 23:30 in Hà Nội is still the 23rd locally (16:30 UTC): the local date decides.
    body = api.get("/api/v1/procedures/?q=thu tuc").json()
    assert sorted(item["code"] for item in body["results"]) == ["1.000001", "1.000005", "1.000006", "1.000007"]
    html = client.get("/thu-tuc/").content.decode()
    assert "Thủ tục dự thảo" not in html and "chưa có hiệu lực" not in html and "Thủ tục hết hiệu lực<" not in html
    assert "Thủ tục công khai" in html


@time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))))
@pytest.mark.parametrize("key", ["draft", "future", "expired"])
def test_hidden_procedure_has_no_page_and_no_endpoint(api, client, procedures, key):
    code = procedures[key].code
    response = api.get(f"/api/v1/procedures/{code}/")
    assert response.status_code == 404
    assert response.json()["code"] == "procedure_not_found"
    assert client.get(f"/thu-tuc/{code}/").status_code == 404


@time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))))
def test_hidden_procedure_is_not_found_by_filters_either(api, org, procedures):
    procedures["draft"].agencies.set([org.commune])
    body = api.get("/api/v1/procedures/", {"agency": org.commune.code}).json()
    assert body["count"] == 0


def test_unknown_code_is_404(api, client, db):
    assert api.get("/api/v1/procedures/0.000000/").status_code == 404
    assert client.get("/thu-tuc/0.000000/").status_code == 404


@pytest.mark.parametrize("code", ["a%00b", "x" * 300, "%C4%91%C4%83ng"])
def test_odd_codes_are_404_not_500(api, client, db, code):
    assert api.get(f"/api/v1/procedures/{code}/").status_code == 404
    assert client.get(f"/thu-tuc/{code}/").status_code == 404
