"""The citizen's first minutes (issue 17, point 4): log-in by phone or e-mail and said so, the name in the
header, the temporary reference TT-… in the public look-up, the folding menu, and a home page with the
look-up box and the procedures most used at the citizen's commune."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from citizens import rules, selectors, services
from citizens.models import CitizenProfile
from dossiers import services as dossier_services
from dossiers.models import Dossier
from organisation.errors import ValidationFailed
from procedures.models import Procedure

from .conftest import APPLICANT, login, pdf

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345!"


# --- pure rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed,stored", [
    ("0912345678", "0912345678"), ("+84 912 345 678", "0912345678"), ("0912.345.678", "0912345678"),
    ("84912345678", "0912345678"), (" (091) 234-5678 ", "0912345678"),
    ("An.Nguyen@Example.VN", "an.nguyen@example.vn"), ("  motcua  ", "motcua"), ("chuyenvien_tinh", "chuyenvien_tinh"),
    ("12345", "12345"), ("", ""),
])
def test_login_identifier(typed, stored):
    assert rules.login_identifier(typed) == stored


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True), st.sampled_from(["", "+84", "84", "+84 "]),
       st.sampled_from(["", " ", ".", "-"]))
def test_every_spelling_of_a_mobile_number_logs_in_as_the_sign_up_stored_it(number, prefix, sep):
    national = number[1:] if prefix else number
    typed = prefix + sep.join([national[:3], national[3:6], national[6:]])
    assert rules.login_identifier(typed) == number == rules.normalize_phone(typed)


def test_header_label_masks_a_phone_and_prefers_the_name():
    assert rules.header_label("Nguyễn Văn An", "0912345678") == "Nguyễn Văn An"
    assert rules.header_label("", "0912345678") == "091****678"
    assert rules.header_label("  ", "+84912345678") == "091****678"
    assert rules.header_label("", "an@example.vn") == "an@example.vn"
    assert rules.mask_phone("12345") == "*****"


@pytest.mark.parametrize("text,pk", [
    ("TT-33", 33), ("tt-33", 33), (" TT-7 ", 7), ("TT-", None), ("TT-3a", None), ("TT-٣", None),
    ("000.00.06.H56-261123-0001", None), ("33", None), ("", None), ("TT-" + "9" * 19, None),
])
def test_temporary_reference_id(text, pk):
    assert rules.temporary_reference_id(text) == pk


# --- log-in ---------------------------------------------------------------------------------------------


def test_the_login_form_says_phone_or_email_in_both_languages():
    page = Client().get("/accounts/login/").content.decode()
    assert "Số điện thoại hoặc email" in page and "Tên đăng nhập" not in page
    english = Client()
    english.cookies["django_language"] = "en"
    assert "Phone number or e-mail" in english.get("/accounts/login/").content.decode()


@pytest.mark.parametrize("typed", ["0912345678", "+84 912 345 678", "0912.345.678", "84912345678"])
def test_a_citizen_logs_in_with_the_phone_in_any_spelling(make_user, typed):
    make_user("0912345678", password=PASSWORD)
    browser = Client()
    r = browser.post("/accounts/login/", {"username": typed, "password": PASSWORD})
    assert r.status_code == 302
    assert browser.get("/").wsgi_request.user.get_username() == "0912345678"


def test_a_citizen_logs_in_with_the_email_in_any_case_and_staff_with_their_user_name(make_user, staff):
    make_user("hoa.le@example.vn", password=PASSWORD)
    assert Client().post("/accounts/login/", {"username": " Hoa.Le@Example.VN ", "password": PASSWORD}).status_code == 302
    assert Client().post("/accounts/login/", {"username": "motcua", "password": "pw-12345!"}).status_code == 302


@pytest.mark.parametrize("typed", ["+84 912 345 678", "0912.345.678", "84912345678"])
def test_the_api_token_takes_the_phone_in_any_spelling_too(make_user, typed):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    citizen = make_user("0912345678", password=PASSWORD)
    r = APIClient().post("/api/v1/auth/token/", {"username": typed, "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    assert Token.objects.get(key=r.json()["token"]).user == citizen
    wrong = APIClient().post("/api/v1/auth/token/", {"username": typed, "password": "wrong"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"


def test_a_wrong_password_is_said_next_to_the_form(make_user):
    make_user("0912345678", password=PASSWORD)
    r = Client().post("/accounts/login/", {"username": "+84 912 345 678", "password": "wrong"})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()


# --- the header -----------------------------------------------------------------------------------------


def test_the_header_shows_the_name_not_the_phone(make_user):
    named = make_user("0912345678", first_name="An", last_name="Nguyễn Văn")
    page = login(named).get("/cong-dan/").content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "Nguyễn Văn An" in header and "0912345678" not in header
    nameless = make_user("0987654321")
    header = login(nameless).get("/cong-dan/").content.decode().split("<header", 1)[1].split("</header>", 1)[0]
    assert "098****321" in header and "0987654321" not in header


def test_the_menu_folds_behind_one_button():
    page = Client().get("/").content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert '<details class="menu" data-menu>' in header
    assert '<summary class="menu-toggle" aria-controls="site-nav">' in header
    assert 'id="site-nav"' in header and "lang-select" in header


# --- the temporary reference in the look-up -----------------------------------------------------------------


def lookup(code, secret="5678", client=None):
    return (client or Client()).post("/cong-dan/tra-cuu/", {"code": code, "secret": secret})


def test_the_temporary_reference_answers_while_waiting_for_the_desk(citizen, online_dossier, staff):
    d = online_dossier(citizen, status=1)
    r = lookup(f"TT-{d.pk}")
    page = r.content.decode()
    assert r.status_code == 200 and f"TT-{d.pk}" in page
    assert "đang chờ Bộ phận Một cửa tiếp nhận" in page and "Mã hồ sơ chính thức" in page
    # Nothing personal: not the applicant's name, number or phone.
    assert APPLICANT["full_name"] not in page and APPLICANT["id_number"] not in page and "0912345678" not in page
    # The same protection as a code: the wrong four digits answer "not found".
    assert lookup(f"TT-{d.pk}", "0000").status_code == 404
    # After receipt the reference still answers, and names the code the desk gave.
    received = dossier_services.receive(d, actor=staff.desk)
    again = lookup(f"tt-{d.pk}").content.decode()
    assert received.code in again and "đang chờ Bộ phận Một cửa tiếp nhận" not in again


def test_a_counter_dossier_is_not_found_by_a_temporary_reference(citizen, online_dossier):
    received = online_dossier(citizen, status=2)
    Dossier.objects.filter(pk=received.pk).update(channel="counter")
    assert lookup(f"TT-{received.pk}").status_code == 404
    assert lookup(received.code).status_code == 200


def test_the_api_look_up_gives_the_reference_and_the_waiting_flag(api, citizen, online_dossier):
    d = online_dossier(citizen, status=1)
    body = api.get("/api/v1/lookup/", {"code": f"TT-{d.pk}", "secret": "5678"}).json()
    assert body["code"] is None and body["reference"] == f"TT-{d.pk}" and body["waiting_for_desk"] is True
    assert body["status"] == 1


def test_misses_on_temporary_references_count_like_misses_on_codes(citizen, online_dossier):
    d = online_dossier(citizen, status=1)
    browser = Client()
    for _ in range(10):
        assert lookup(f"TT-{d.pk + 1000}", client=browser).status_code == 404
    assert lookup(f"TT-{d.pk}", client=browser).status_code == 429


# --- the home page --------------------------------------------------------------------------------------------


@pytest.fixture
def history(org, staff, make_procedure, make_citizen):
    """Received dossiers of the last weeks: at the first commune mostly birth registrations, at the second
    mostly residence registrations, and one old dossier outside the 90 days."""
    birth = make_procedure("1.001193", name="Đăng ký khai sinh", agency_levels="")
    residence = make_procedure("1.004194", name="Đăng ký thường trú", agency_levels="")
    marriage = make_procedure("1.000894", name="Đăng ký kết hôn", agency_levels="")
    for procedure in (birth, residence, marriage):
        procedure.agencies.add(org.commune, org.commune2)
    applicant = make_citizen("lichsu")

    def receive(procedure, agency, desk, days_ago):
        with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
            d = dossier_services.submit_online(
                citizen=applicant, procedure=procedure, agency=agency, applicant=dict(APPLICANT),
                components=[{"component": procedure.components.first().pk, "file": pdf()}], return_method="online")
            return dossier_services.receive(d, actor=desk)

    for days in (1, 2, 3):
        receive(birth, org.commune, staff.desk, days)
    receive(marriage, org.commune, staff.desk, 4)
    for days in (1, 2, 3, 4):
        receive(residence, org.commune2, staff.desk2, days)
    for _ in range(5):
        receive(marriage, org.commune2, staff.desk2, 120)  # too old to count
    # Marriage registration is filed at the desk only from now on.
    Procedure.objects.filter(pk=marriage.pk).update(online_mode="none")
    marriage.refresh_from_db()
    return {"birth": birth, "residence": residence, "marriage": marriage}


def names(rows):
    return [row["name"] for row in rows]


def test_popular_procedures_by_commune_then_province(org, history):
    assert names(selectors.popular_procedures(org.commune.pk)) == ["Đăng ký khai sinh", "Đăng ký kết hôn"]
    assert names(selectors.popular_procedures(org.commune2.pk)) == ["Đăng ký thường trú"]
    assert names(selectors.popular_procedures(None)) == ["Đăng ký thường trú", "Đăng ký khai sinh",
                                                         "Đăng ký kết hôn"]
    # An agency with no dossier gets the province's list.
    assert names(selectors.popular_procedures(org.province.pk)) == names(selectors.popular_procedures(None))
    rows = selectors.popular_procedures(org.commune.pk)
    assert rows[0]["count"] == 3 and rows[0]["online"] is True and rows[1]["online"] is False


def test_popular_procedures_are_cached(org, history, django_assert_num_queries):
    first = selectors.popular_procedures(org.commune.pk)
    with django_assert_num_queries(0):
        assert selectors.popular_procedures(org.commune.pk) == first


def test_the_citizens_commune_is_the_profiles_else_the_last_dossiers(org, citizen, online_dossier, make_user):
    assert selectors.home_commune_id(citizen) is None
    online_dossier(citizen, status=1)
    assert selectors.home_commune_id(citizen) == org.commune.pk
    CitizenProfile.objects.filter(user=citizen).update(commune=org.commune2)
    assert selectors.home_commune_id(citizen) == org.commune2.pk
    assert selectors.home_commune_id(make_user()) is None


def test_the_home_page_has_the_look_up_box_and_the_communes_procedures(org, history, citizen):
    anonymous = Client().get("/").content.decode()
    assert 'action="/cong-dan/tra-cuu/"' in anonymous and 'name="secret"' in anonymous
    assert "Thủ tục được dùng nhiều trong tỉnh" in anonymous
    assert anonymous.index("Đăng ký thường trú") < anonymous.index("Đăng ký khai sinh")
    CitizenProfile.objects.filter(user=citizen).update(commune=org.commune)
    mine = login(citizen).get("/").content.decode()
    assert f"Thủ tục được dùng nhiều tại {org.commune.name}" in mine
    assert "Đăng ký khai sinh" in mine and "Đăng ký thường trú" not in mine
    # The online procedure links to its e-form, the counter-only one does not.
    assert f'href="/cong-dan/nop-ho-so/{history["birth"].code}/"' in mine
    assert f'href="/cong-dan/nop-ho-so/{history["marriage"].code}/"' not in mine


def test_the_look_up_box_on_the_home_page_answers_a_temporary_reference(citizen, online_dossier):
    d = online_dossier(citizen, status=1)
    browser = Client()
    home = browser.get("/")
    assert home.status_code == 200
    r = browser.post("/cong-dan/tra-cuu/", {"code": f"TT-{d.pk}", "secret": "5678"})
    assert r.status_code == 200 and "đang chờ Bộ phận Một cửa tiếp nhận" in r.content.decode()


# --- the profile's commune ------------------------------------------------------------------------------------


def test_the_profile_keeps_the_commune_and_refuses_a_province(org, citizen, api):
    browser = login(citizen)
    data = {"full_name": "Nguyễn Văn An", "phone": "0912345678", "commune": org.commune2.pk}
    assert browser.post("/cong-dan/thong-tin-ca-nhan/", data).status_code == 302
    assert CitizenProfile.objects.get(user=citizen).commune == org.commune2
    bad = browser.post("/cong-dan/thong-tin-ca-nhan/", {**data, "commune": org.province.pk})
    assert bad.status_code == 400 and 'id="id_commune_error"' in bad.content.decode()
    with pytest.raises(ValidationFailed) as exc:
        services.update_profile(citizen, full_name="Nguyễn Văn An", commune=org.province)
    assert "commune" in exc.value.fields
    # The API names the commune by its code; a client that leaves it out leaves it as it is.
    api.as_user(citizen)
    assert api.get("/api/v1/me/profile/").json()["commune"] == org.commune2.code
    assert api.put("/api/v1/me/profile/", {"full_name": "Nguyễn Văn An"}, format="json").status_code == 200
    assert CitizenProfile.objects.get(user=citizen).commune == org.commune2
    wrong = api.put("/api/v1/me/profile/", {"full_name": "Nguyễn Văn An", "commune": "không-có"}, format="json")
    assert wrong.status_code == 400 and "commune" in wrong.json()["fields"]
