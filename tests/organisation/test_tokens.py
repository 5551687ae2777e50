"""Issue 9, row 4: an API token does not outlive the password it was issued under, nor the account's
deactivation, whichever way those change; and it expires after API_TOKEN_TTL_HOURS."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notices.models import Notice

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/me/profile/"
NEW = "Mot-Cua-2027!"


def token_for(user) -> str:
    response = Client().post("/api/v1/auth/token/", {"username": user.username, "password": "pw-12345!"},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def call(key):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}").get(PROFILE)


def assert_revoked(key):
    response = call(key)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail", "fields"} and response.json()["code"] == "not_authenticated"
    assert not Token.objects.filter(key=key).exists()


def test_the_token_works_until_the_password_is_reset_on_the_citizens_page(make_user):
    user = make_user("0912000777")
    key = token_for(user)
    assert call(key).status_code == 200
    browser = Client()
    assert browser.post("/cong-dan/quen-mat-khau/", {"identifier": "0912000777"}).status_code == 302
    notice = Notice.objects.filter(recipient="0912000777").order_by("-id").first()
    code = re.search(r"\b(\d{6})\b", notice.body).group(1)
    done = browser.post("/cong-dan/dat-lai-mat-khau/", {"identifier": "0912000777", "code": code,
                                                        "password1": NEW, "password2": NEW})
    assert done.status_code == 302
    assert_revoked(key)


def test_changing_the_password_on_its_page_revokes_tokens_and_keeps_the_session(make_user):
    user = make_user("hoa")
    key = token_for(user)
    browser = Client()
    browser.force_login(user)
    page = browser.get("/cong-dan/doi-mat-khau/")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    wrong = browser.post("/cong-dan/doi-mat-khau/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 400 and call(key).status_code == 200
    done = browser.post("/cong-dan/doi-mat-khau/", {"old_password": "pw-12345!", "new_password1": NEW,
                                                    "new_password2": NEW})
    assert done.status_code == 302
    assert browser.get("/cong-dan/thong-tin-ca-nhan/").status_code == 200  # still signed in
    assert_revoked(key)


def test_an_administrator_setting_the_password_or_deactivating_revokes_tokens(make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    admin = Client()
    admin.force_login(root)
    user = make_user("chuyenvien")
    key = token_for(user)
    changed = admin.post(f"/admin/auth/user/{user.pk}/password/",
                         {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert_revoked(key)

    user.set_password("pw-12345!")
    user.save()
    key = token_for(user)
    user.refresh_from_db()
    joined = timezone.localtime(user.date_joined)
    deactivated = admin.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": user.username, "first_name": "", "last_name": "", "email": "",
        # is_active left out: the box is unticked
        "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"), "initial-date_joined_1": joined.strftime("%H:%M:%S"),
    })
    assert deactivated.status_code == 302, deactivated.content.decode()[:3000]
    user.refresh_from_db()
    assert not user.is_active
    assert not Token.objects.filter(key=key).exists()


def test_a_service_setting_the_password_or_deactivating_revokes_tokens(make_user):
    user = make_user("lanhdao")
    key = token_for(user)
    user.set_password(NEW)
    user.save(update_fields=["password"])
    assert_revoked(key)

    user.set_password("pw-12345!")
    user.save()
    key = token_for(user)
    fresh = get_user_model().objects.get(pk=user.pk)
    fresh.is_active = False
    fresh.save()
    assert not Token.objects.filter(key=key).exists()


def test_saves_that_do_not_touch_credentials_keep_the_token(make_user):
    user = make_user("motcua")
    key = token_for(user)
    assert Client().post("/accounts/login/", {"username": "motcua", "password": "pw-12345!"}).status_code == 302
    user.first_name = "An"
    user.save()
    assert call(key).status_code == 200


def test_a_token_expires_after_its_lifetime_and_is_deleted(make_user, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    user = make_user("quanly")
    with time_machine.travel("2026-11-23 08:00 +0700", tick=False) as clock:
        key = token_for(user)
        clock.shift(timedelta(hours=23, minutes=59))
        assert call(key).status_code == 200
        assert token_for(user) == key  # the log-in hands back the valid token
        clock.shift(timedelta(minutes=1))
        response = call(key)
        assert response.status_code == 401
        body = response.json()
        assert set(body) == {"code", "detail", "fields"} and body["code"] == "not_authenticated"
        assert "hết hạn" in body["detail"]
        assert not Token.objects.filter(key=key).exists()
        again = token_for(user)
        assert again != key and call(again).status_code == 200
        # An expired token still in the table is replaced by the next log-in.
        clock.shift(timedelta(hours=25))
        assert token_for(user) != again
