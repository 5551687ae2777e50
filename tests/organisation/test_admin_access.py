"""Issue 9, row 13: /admin/ is for administrators (superusers and the administrator role), not for every
staff account."""

import pytest
from django.test import Client

from organisation.models import Role

pytestmark = pytest.mark.django_db


def test_staff_accounts_without_the_administrator_role_do_not_get_the_admin(staff):
    for user in (staff.desk, staff.officer, staff.head, staff.manager):
        user.is_staff = True
        user.save()
        browser = Client()
        browser.force_login(user)
        response = browser.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], user.username
        # Their own log-in through the admin's form is refused too.
        refused = Client().post("/admin/login/?next=/admin/", {"username": user.username, "password": "pw-12345!"})
        assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session


def test_superusers_and_administrators_get_the_admin(org, make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    administrator = make_user("quantri", is_staff=True, roles=[(org.province, Role.ADMINISTRATOR)])
    for user in (root, administrator):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/admin/").status_code == 200, user.username
    # The role without the staff flag is not enough (Django's own rule for the admin).
    plain = make_user("quantri2", roles=[(org.province, Role.ADMINISTRATOR)])
    browser = Client()
    browser.force_login(plain)
    assert browser.get("/admin/").status_code == 302
