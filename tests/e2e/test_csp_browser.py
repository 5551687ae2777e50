"""Issue 9, row 13: the Content-Security-Policy (no inline script or style without the request's nonce)
leaves every kind of page working in a real browser: public pages, the desk's htmx pages, the manager's
dashboard, the API docs and the admin. The browser reports any refused script, style or image on the
console; there must be none, and the behaviours bound by script (language switch, htmx search) work."""

from decimal import Decimal

import pytest
from django.test import Client

from organisation.models import Role
from procedures.models import Field, Procedure
from tests.e2e.conftest import BROWSER

pytestmark = BROWSER


@pytest.fixture
def world(transactional_db, staff, org, make_user):
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field=field, agency_levels="commune", time_limit_amount=Decimal(3),
        time_limit_unit="working_days", status="published", online_mode="full",
    )
    root = make_user("root", is_superuser=True, is_staff=True)
    make_user("quanly_bc", roles=[(org.province, Role.MANAGER)])
    return {"procedure": procedure, "staff": staff, "root": root}


def _context_as(browser, live_server, user=None):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
    return context


def _visit_all(context, live_server, paths, refused):
    page = context.new_page()
    page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    page.on("pageerror", lambda exc: refused.append(f"{page.url}: {exc}"))
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, (path, response.status)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
    return page


def test_every_kind_of_page_works_under_the_policy(live_server, world, browser):
    refused: list[str] = []
    code = world["procedure"].code

    anonymous = _context_as(browser, live_server)
    page = _visit_all(anonymous, live_server, [
        "/", "/thu-tuc/", f"/thu-tuc/{code}/", "/cong-dan/tra-cuu/", "/accounts/login/", "/cong-dan/dang-ky/",
        "/bao-cao/cong-khai/", "/api/docs/", "/admin/login/",
    ], refused)
    # Swagger UI ran (its init script carries the nonce) and drew the operations.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=15000)
    # The language switch (a data-autosubmit select, no inline handler) still switches.
    page.goto(f"{live_server.url}/thu-tuc/")
    page.select_option("#lang-select", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    anonymous.close()

    desk = _context_as(browser, live_server, world["staff"].desk)
    page = _visit_all(desk, live_server, ["/ho-so/", "/ho-so/tiep-nhan/", "/lich/", "/lich/ngay-nghi/",
                                          "/cong-dan/phan-anh/xu-ly/"], refused)
    # htmx runs: typing in the intake search swaps the results in without a page load.
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    page.fill("#q", "khai sinh")
    page.wait_for_selector("#procedure-results a", timeout=10000)
    desk.close()

    from django.contrib.auth import get_user_model

    manager = _context_as(browser, live_server, get_user_model().objects.get(username="quanly_bc"))
    _visit_all(manager, live_server, ["/bao-cao/", "/bao-cao/chi-so-766/"], refused)
    manager.close()

    admin = _context_as(browser, live_server, world["root"])
    _visit_all(admin, live_server, ["/admin/", "/admin/auth/user/", "/admin/auth/user/add/",
                                    "/admin/procedures/procedure/", f"/admin/auth/user/{world['root'].pk}/change/",
                                    "/admin/axes/accessattempt/"], refused)
    admin.close()
    assert refused == []
