"""Search finds a procedure whatever the case and diacritics the citizen types (on the real PostgreSQL)."""

import pytest
from django.db import connection

from procedures.text import fold, search_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def births(make_procedure, make_field):
    hotich = make_field("G09-TP02", "Hộ tịch")
    make_procedure("1.001193", "Đăng ký khai sinh", field=hotich)
    make_procedure("1.003583", "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
                   field=hotich)
    make_procedure("1.000894", "Đăng ký kết hôn", field=hotich)
    make_procedure("1.000656", "Đăng ký khai tử", field=hotich)


def codes(api, query):
    response = api.get("/api/v1/procedures/", {"q": query})
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["results"]]


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("query", ["khai sinh", "KHAI SINH", "dang ky khai sinh", "đăng ký khai sinh",
                                   "Đăng Ký Khai Sinh", "  khai   sinh  ", "ĐĂNG KÝ KHAI SINH"])
def test_every_spelling_finds_birth_registration(api, births, query):
    found = codes(api, query)
    assert "1.001193" in found
    assert "1.000894" not in found and "1.000656" not in found


def test_every_word_must_match(api, births):
    assert codes(api, "khai sinh ket hon") == []
    assert codes(api, "dang ky ket hon") == ["1.000894"]


def test_whole_phrase_ranks_first_then_shorter_names(api, births, make_procedure):
    make_procedure("1.000001", "Sinh hoạt cộng đồng khai báo")  # both words, not the phrase
    make_procedure("1.009999", "Đăng ký lại khai sinh")
    assert codes(api, "khai sinh") == ["1.001193", "1.009999", "1.003583", "1.000001"]
    # Nobody has the phrase "sinh khai": shortest first.
    assert codes(api, "sinh khai") == ["1.001193", "1.009999", "1.000001", "1.003583"]


def test_search_by_code(api, births):
    assert codes(api, "1.001193") == ["1.001193"]
    assert sorted(codes(api, "1.00")) == ["1.000656", "1.000894", "1.001193", "1.003583"]


def test_empty_query_lists_all(api, births):
    assert len(codes(api, "")) == 4


def test_page_search_matches_the_api(client, births):
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng ký khai sinh" in html and "Đăng ký kết hôn" not in html


def test_fold_and_tokens():
    assert fold("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold("Ưu tiên ĐỒNG bào Ơ") == "uu tien dong bao o"
    assert search_tokens("khai sinh khai") == ["khai", "sinh"]
    assert search_tokens("k khai") == ["khai"]
    assert search_tokens("   ") == []
