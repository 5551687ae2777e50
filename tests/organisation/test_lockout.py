"""Issue 9, row 10: the log-in lock-out counts failures per user name AND client address, on the log-in
page, the admin's log-in and the API token log-in; someone else's wrong passwords do not lock the real user
out from their own address; an administrator unlocks in the admin; the lock ends after LOGIN_LOCK_SECONDS."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OWN = "198.51.100.10"
PASSWORD = "pw-12345!"


def page_login(address, username, password, path="/accounts/login/"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def api_login(address, username, password):
    return Client(REMOTE_ADDR=address).post("/api/v1/auth/token/", {"username": username, "password": password},
                                            content_type="application/json")


def admin_login(address, username, password):
    return page_login(address, username, password, path="/admin/login/?next=/admin/")


def test_wrong_passwords_from_elsewhere_do_not_lock_the_user_out_of_their_own_address(staff, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert page_login(ATTACKER, "lanhdao", "wrong").status_code == 200
    assert page_login(ATTACKER, "lanhdao", "wrong").status_code == 429  # the last failure locks
    # The attacker's address is locked for that user name, even with the right password...
    locked = page_login(ATTACKER, "lanhdao", PASSWORD)
    assert locked.status_code == 429 and "tạm khóa" in locked.content.decode()
    assert api_login(ATTACKER, "LanhDao ", PASSWORD).json()["code"] == "locked_out"
    # ...but the head logs in from their own address, on the page and through the API.
    assert page_login(OWN, "lanhdao", PASSWORD).status_code == 302
    assert api_login(OWN, "lanhdao", PASSWORD).status_code == 200
    # Other user names from the attacker's address are not locked either.
    assert page_login(ATTACKER, "motcua", PASSWORD).status_code == 302


def test_the_api_token_log_in_counts_and_locks_the_pair(staff, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        bad = api_login(ATTACKER, "motcua", "wrong")
        assert bad.status_code == 400 and bad.json()["code"] == "invalid_credentials"
    assert api_login(ATTACKER, "motcua", "wrong").status_code == 429
    locked = api_login(ATTACKER, "motcua", PASSWORD)
    assert locked.status_code == 429
    assert set(locked.json()) == {"code", "detail", "fields"} and locked.json()["code"] == "locked_out"
    assert "token" not in locked.json()
    assert api_login(OWN, "motcua", PASSWORD).status_code == 200


def test_the_admin_log_in_is_locked_per_pair_and_an_administrator_unlocks(make_user, settings):
    make_user("root", password=PASSWORD, is_superuser=True, is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert admin_login(ATTACKER, "root", "wrong").status_code == 200
    assert admin_login(ATTACKER, "root", "wrong").status_code == 429
    locked = admin_login(ATTACKER, "root", PASSWORD)
    assert locked.status_code == 429 and "tạm khóa" in locked.content.decode()
    assert admin_login(OWN, "root", PASSWORD).status_code == 302

    # The administrator, logged in from their own address, unlocks the pair in the admin.
    admin = Client(REMOTE_ADDR=OWN)
    admin.force_login(make_user("root2", is_superuser=True, is_staff=True))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and ATTACKER in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="root", ip_address=ATTACKER)
    unlocked = admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk],
                                                         "post": "yes"})
    assert unlocked.status_code == 302
    assert admin_login(ATTACKER, "root", PASSWORD).status_code == 302


def test_the_lock_ends_after_login_lock_seconds_and_a_success_clears_the_count(staff, settings):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False) as clock:
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            page_login(ATTACKER, "chuyenvien", "wrong")
        assert page_login(ATTACKER, "chuyenvien", PASSWORD).status_code == 302  # clears the count
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            page_login(ATTACKER, "chuyenvien", "wrong")
        assert page_login(ATTACKER, "chuyenvien", PASSWORD).status_code == 302
        for _ in range(settings.LOGIN_MAX_FAILURES):
            page_login(ATTACKER, "chuyenvien", "wrong")
        assert page_login(ATTACKER, "chuyenvien", PASSWORD).status_code == 429
        clock.shift(timedelta(seconds=settings.LOGIN_LOCK_SECONDS - 5))
        assert page_login(ATTACKER, "chuyenvien", PASSWORD).status_code == 429  # tries do not extend it
        clock.shift(timedelta(seconds=6))
        assert page_login(ATTACKER, "chuyenvien", PASSWORD).status_code == 302


def test_the_lock_survives_without_the_cache(staff, settings):
    """Failures are counted in the database, so a cache that forgets (Redis away) does not unlock."""
    from django.core.cache import cache

    for _ in range(settings.LOGIN_MAX_FAILURES):
        page_login(ATTACKER, "quanly", "wrong")
    cache.clear()
    assert page_login(ATTACKER, "quanly", PASSWORD).status_code == 429
