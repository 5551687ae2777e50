"""Filters by field, agency level, agency and online mode; a bad value is a 400 naming it, never a 500."""

import pytest

from organisation.models import Agency, AgencyLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(org, make_procedure, make_field):
    hotich, chungthuc = make_field("G09-TP02", "Hộ tịch"), make_field("G09-TP03", "Chứng thực")
    return {
        "birth": make_procedure("1.001193", "Đăng ký khai sinh", field=hotich, online_mode="full",
                                agencies=[org.commune, org.commune2]),
        "copy": make_procedure("2.000815", "Chứng thực bản sao từ bản chính", field=chungthuc, online_mode="partial",
                               agencies=[org.commune]),
        "record": make_procedure("2.000488", "Cấp Phiếu lý lịch tư pháp", field=hotich, online_mode="none",
                                 agency_levels="province", agencies=[org.province]),
        "both": make_procedure("1.009994", "Cấp giấy phép xây dựng", field=chungthuc, online_mode="partial",
                               agency_levels="commune,province"),
    }


def codes(api, **params):
    response = api.get("/api/v1/procedures/", params)
    assert response.status_code == 200, response.content
    return sorted(item["code"] for item in response.json()["results"])


def test_field(api, catalogue):
    assert codes(api, field="G09-TP02") == ["1.001193", "2.000488"]


def test_level_matches_whole_items(api, catalogue):
    assert codes(api, level="province") == ["1.009994", "2.000488"]
    assert codes(api, level="commune") == ["1.001193", "1.009994", "2.000815"]
    assert codes(api, level="ministry") == []


def test_agency(api, org, catalogue):
    assert codes(api, agency=org.commune.code) == ["1.001193", "2.000815"]
    assert codes(api, agency=org.commune2.code) == ["1.001193"]
    assert codes(api, agency=org.province.code) == ["2.000488"]


def test_online(api, catalogue):
    assert codes(api, online="full") == ["1.001193"]
    assert codes(api, online="partial") == ["1.009994", "2.000815"]
    assert codes(api, online="none") == ["2.000488"]


def test_filters_combine_with_search(api, org, catalogue):
    assert codes(api, q="chung thuc", field="G09-TP03", online="partial", level="commune", agency=org.commune.code) == [
        "2.000815"
    ]
    assert codes(api, q="khai sinh", online="none") == []


def test_empty_values_mean_no_filter(api, catalogue):
    assert len(codes(api, field="", level="", agency="", online="", q="")) == 4


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"field": "NOPE-01"}, "field"),
        ({"online": "maybe"}, "online"),
        ({"level": "xyz"}, "level"),
        ({"agency": "000.00.00.X00"}, "agency"),
        ({"q": "x" * 201}, "q"),
        ({"q": "khai\x00sinh"}, "q"),
        ({"field": "G09\x00"}, "field"),
        ({"agency": "a" * 41}, "agency"),
    ],
)
def test_bad_parameter_is_a_400_naming_it(api, client, catalogue, params, name):
    response = api.get("/api/v1/procedures/", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [name]

    page = client.get("/thu-tuc/", params)
    assert page.status_code == 400
    html = page.content.decode()
    if any("\x00" in value for value in params.values()):
        # Refused at the door for every page (organisation.middleware.QueryParameterGuard), naming it.
        assert f"<code>{name}</code>" in html
        return
    assert f'id="e-{name}"' in html  # the message sits next to its filter
    assert f'aria-describedby="e-{name}"' in html


def test_every_bad_parameter_is_reported_at_once(api, catalogue):
    response = api.get("/api/v1/procedures/", {"field": "NOPE", "online": "maybe", "level": "xyz"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"field", "online", "level"}


@pytest.mark.parametrize("query", ["page_size=0", "page_size=201", "page=x", "page=0"])
def test_bad_paging_is_a_400(api, catalogue, query):
    assert api.get(f"/api/v1/procedures/?{query}").status_code == 400


def test_page_past_the_end_is_a_404_in_the_api_and_the_last_page_on_the_page(api, client, catalogue):
    assert api.get("/api/v1/procedures/?page=99").status_code == 404
    assert client.get("/thu-tuc/?page=99").status_code == 200
    assert client.get("/thu-tuc/?page=abc").status_code == 200


def test_page_filters_offer_fields_and_keep_choices(client, catalogue):
    response = client.get("/thu-tuc/", {"field": "G09-TP03", "online": "partial"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="G09-TP03" selected>Chứng thực</option>' in html
    assert '<option value="partial" selected>' in html
    assert "Chứng thực bản sao" in html and "Đăng ký khai sinh" not in html


def test_unknown_level_of_agency_model_is_not_accepted(api, catalogue):
    # "district" is a real (historic) level: accepted, just empty.
    assert AgencyLevel.DISTRICT in AgencyLevel.values
    assert codes(api, level="district") == []
    assert Agency.objects.count() == 3
