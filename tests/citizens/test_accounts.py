"""Citizen accounts: sign up with an e-mail or a phone, a 6-digit code through the outbox that expires and
allows five tries, log in on the project's login page, reset the password by code, and a profile that
prefills every form."""

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from citizens import services
from citizens.errors import TooManyAttempts
from citizens.models import CitizenProfile, VerificationCode
from notices.models import Notice
from organisation.errors import ValidationFailed

pytestmark = pytest.mark.django_db

PASSWORD = "Mot-Cua-2026!"


def last_code(recipient: str) -> str:
    notice = Notice.objects.filter(recipient=recipient).order_by("-id").first()
    assert notice is not None, f"no notice to {recipient}"
    return re.search(r"\b(\d{6})\b", notice.body).group(1)


def sign_up(client, identifier, name="Lê Thị Hoa"):
    return client.post("/cong-dan/dang-ky/", {"full_name": name, "identifier": identifier,
                                              "password1": PASSWORD, "password2": PASSWORD})


def test_sign_up_by_email_verify_and_log_in():
    browser = Client()
    response = sign_up(browser, "Hoa.Le@Example.VN")
    assert response.status_code == 302 and "/cong-dan/xac-thuc/" in response["Location"]
    user = get_user_model().objects.get(username="hoa.le@example.vn")
    assert not user.is_active
    notice = Notice.objects.get(recipient="hoa.le@example.vn")
    assert notice.channel == "email" and notice.event == "code_signup" and notice.status == "queued"
    code = last_code("hoa.le@example.vn")
    # Only a keyed hash is stored.
    assert code not in VerificationCode.objects.get(user=user).code_hash
    # Inactive: the login page refuses.
    assert not Client().login(username="hoa.le@example.vn", password=PASSWORD)
    verified = browser.post("/cong-dan/xac-thuc/", {"identifier": "hoa.le@example.vn", "code": code})
    assert verified.status_code == 302
    user.refresh_from_db()
    assert user.is_active and CitizenProfile.objects.get(user=user).verified_at is not None
    login = Client().post("/accounts/login/", {"username": "hoa.le@example.vn", "password": PASSWORD})
    assert login.status_code == 302


def test_sign_up_by_phone_sends_an_sms():
    sign_up(Client(), "+84 912 000 111")
    user = get_user_model().objects.get(username="0912000111")
    assert Notice.objects.get(recipient="0912000111").channel == "sms"
    assert CitizenProfile.objects.get(user=user).phone == "0912000111"


def test_sign_up_errors_are_next_to_the_fields(make_user):
    make_user("taken@example.vn", email="taken@example.vn")
    browser = Client()
    bad = sign_up(browser, "not-a-phone")
    assert bad.status_code == 400 and "10 chữ số" in bad.content.decode()
    taken = sign_up(browser, "taken@example.vn")
    assert taken.status_code == 400 and "đã được đăng ký" in taken.content.decode()
    weak = browser.post("/cong-dan/dang-ky/", {"full_name": "A", "identifier": "a@example.vn",
                                               "password1": "123", "password2": "123"})
    assert weak.status_code == 400 and 'id="id_password1_error"' in weak.content.decode()
    assert not get_user_model().objects.filter(username="a@example.vn").exists()


def test_wrong_codes_are_counted_and_the_sixth_try_is_refused():
    with time_machine.travel("2026-11-23 08:00 +0700", tick=False):
        sign_up(Client(), "0912000222")
        code = last_code("0912000222")
        wrong = "000000" if code != "000000" else "111111"
        for left in (4, 3, 2, 1):
            with pytest.raises(ValidationFailed) as exc:
                services.verify_account(identifier="0912000222", code=wrong)
            assert exc.value.code == "code_wrong" and str(left) in str(exc.value.detail)
        with pytest.raises(ValidationFailed):
            services.verify_account(identifier="0912000222", code=wrong)
        # Five wrong tries: even the right code no longer works.
        with pytest.raises(TooManyAttempts):
            services.verify_account(identifier="0912000222", code=code)
        assert not get_user_model().objects.get(username="0912000222").is_active


def test_code_expires_and_a_new_one_can_be_asked_after_a_minute():
    with time_machine.travel("2026-11-23 08:00 +0700", tick=False):
        sign_up(Client(), "0912000333")
        first = last_code("0912000333")
        # Too soon to resend.
        with pytest.raises(TooManyAttempts):
            services.resend_signup_code("0912000333")
    with time_machine.travel("2026-11-23 08:11 +0700", tick=False):
        with pytest.raises(ValidationFailed) as exc:
            services.verify_account(identifier="0912000333", code=first)
        assert exc.value.code == "code_expired"
        page = Client().post("/cong-dan/xac-thuc/", {"identifier": "0912000333", "resend": "1"})
        assert page.status_code == 200
        second = last_code("0912000333")
        services.verify_account(identifier="0912000333", code=second)
    assert get_user_model().objects.get(username="0912000333").is_active


def test_at_most_five_codes_an_hour():
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False) as clock:
        sign_up(Client(), "0912000444")
        user = get_user_model().objects.get(username="0912000444")
        for _ in range(4):
            clock.shift(61)
            services.send_code(user, "signup")
        clock.shift(61)
        with pytest.raises(TooManyAttempts) as exc:
            services.send_code(user, "signup")
        assert exc.value.code == "too_many_codes"


def test_password_reset_by_code_without_revealing_accounts(make_user):
    user = make_user("0912000555", password="old-password-1")
    browser = Client()
    unknown = browser.post("/cong-dan/quen-mat-khau/", {"identifier": "0999999999"})
    known = browser.post("/cong-dan/quen-mat-khau/", {"identifier": "0912000555"})
    assert unknown.status_code == known.status_code == 302
    assert not Notice.objects.filter(recipient="0999999999").exists()
    code = last_code("0912000555")
    bad = browser.post("/cong-dan/dat-lai-mat-khau/", {"identifier": "0912000555", "code": "12345x",
                                                       "password1": PASSWORD, "password2": PASSWORD})
    assert bad.status_code == 400
    done = browser.post("/cong-dan/dat-lai-mat-khau/", {"identifier": "0912000555", "code": code,
                                                        "password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # The code is spent.
    again = browser.post("/cong-dan/dat-lai-mat-khau/", {"identifier": "0912000555", "code": code,
                                                         "password1": "Another-pass-9", "password2": "Another-pass-9"})
    assert again.status_code == 400


def test_profile_is_validated_and_prefills_forms(citizen, online_procedure):
    from .conftest import login

    browser = login(citizen)
    bad = browser.post("/cong-dan/thong-tin-ca-nhan/", {"full_name": "Nguyễn Văn An", "id_number": "12345",
                                                         "phone": "12", "email": "x@", "address": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "12 chữ số" in html and 'id="id_id_number_error"' in html and 'id="id_phone_error"' in html
    ok = browser.post("/cong-dan/thong-tin-ca-nhan/", {
        "full_name": "Nguyễn Văn An", "id_number": "079 123 456 780", "date_of_birth": "1990-05-12",
        "phone": "0912 345 679", "email": "An@Example.vn", "address": "Số 5, thôn 2"})
    assert ok.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert (profile.id_number, profile.phone, profile.email) == ("079123456780", "0912345679", "an@example.vn")
    form = browser.get(f"/cong-dan/nop-ho-so/{online_procedure.code}/").content.decode()
    assert 'value="079123456780"' in form and 'value="Số 5, thôn 2"' in form


def test_profile_api(api, citizen):
    assert api.as_user(citizen).get("/api/v1/me/profile/").json()["full_name"] == "Nguyễn Văn An"
    bad = api.as_user(citizen).put("/api/v1/me/profile/", {"full_name": "", "id_number": "1"}, format="json")
    assert bad.status_code == 400 and {"full_name", "id_number"} <= set(bad.json()["fields"])
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/me/profile/").status_code == 401
