"""The citizen's first minutes on a phone (390×844), in headless Chromium: log in with the phone number
typed the international way, see their name in a header that leaves the page room, open and close the
folded menu (with and without JavaScript), find the look-up box and their commune's most used procedures
on the home page, and look up the temporary reference the online submission gave them."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from citizens.models import CitizenProfile
from dossiers import services as dossier_services
from procedures.models import Component, Field, Procedure
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "Mot-Cua-2026!"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}

pytestmark = BROWSER


@pytest.fixture
def world(transactional_db, staff, org, make_user):
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")

    def procedure(code, name):
        p = Procedure.objects.create(code=code, name=name, field=field, agency_levels="commune",
                                     time_limit_amount=Decimal(3), time_limit_unit="working_days",
                                     status="published", online_mode="full")
        Component.objects.create(procedure=p, order=1, name="Tờ khai", kind="original", required=False)
        return p

    birth, residence = procedure("1.001193", "Đăng ký khai sinh"), procedure("1.004194", "Đăng ký thường trú")
    citizen = make_user("0912345678", password=PASSWORD, first_name="An", last_name="Nguyễn Văn")
    CitizenProfile.objects.create(user=citizen, full_name="Nguyễn Văn An", phone="0912345678",
                                  id_number="079123456789", address="Thôn 1, xã An Bình", commune=org.commune)
    applicant = {"full_name": "Nguyễn Văn An", "phone": "0912345678"}
    for p, agency, desk, times in ((birth, org.commune, staff.desk, 3), (residence, org.commune2, staff.desk2, 5)):
        for _ in range(times):
            d = dossier_services.submit_online(citizen=citizen, procedure=p, agency=agency, applicant=applicant)
            dossier_services.receive(d, actor=desk)
    waiting = dossier_services.submit_online(citizen=citizen, procedure=birth, agency=org.commune,
                                             applicant=applicant)
    return {"org": org, "waiting": waiting}


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"first-minutes-{name}.png"), full_page=False)


def test_first_minutes_on_a_phone(live_server, world, browser):
    org, waiting = world["org"], world["waiting"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Số điện thoại hoặc email").fill("+84 912 345 678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    shot(page, "1-login")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")

    # The name, not the phone number, in a header that takes under 120 px of the 844.
    header = page.locator("header.topbar")
    assert header.get_by_text("Nguyễn Văn An").is_visible()
    assert "0912345678" not in header.inner_text()
    assert header.bounding_box()["height"] < 120

    # The menu is folded behind one button that says so, and opens and closes.
    menu_button = page.locator("summary.menu-toggle")
    nav = page.locator("#site-nav")
    assert menu_button.is_visible() and not nav.is_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    menu_button.click()
    # The script sets aria-expanded on the <details> toggle event, which fires after the click returns.
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    assert nav.is_visible()
    assert nav.get_by_role("link", name="Tra cứu hồ sơ").is_visible()
    shot(page, "2-menu-open")
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    assert not nav.is_visible()

    # The home page: the look-up box and the commune's most used procedures, above the fold.
    box = page.locator(".lookup-box")
    assert box.get_by_label("Mã hồ sơ").is_visible()
    popular = page.locator(".popular")
    assert popular.get_by_text(f"Thủ tục được dùng nhiều tại {org.commune.name}").is_visible()
    assert popular.get_by_role("link", name="Đăng ký khai sinh").is_visible()
    assert popular.get_by_role("link", name="Đăng ký thường trú").count() == 0  # the other commune's
    assert box.bounding_box()["y"] < 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "3-home")

    # The temporary reference from the confirmation answers in the look-up, above the fold.
    box.get_by_label("Mã hồ sơ").fill(f"TT-{waiting.pk}")
    box.get_by_label("4 số cuối điện thoại của người nộp").fill("5678")
    box.get_by_role("button", name="Tra cứu").click()
    page.wait_for_url("**/cong-dan/tra-cuu/")
    result = page.locator(".result-card")
    assert result.get_by_text(f"TT-{waiting.pk}").is_visible()
    assert result.get_by_text("đang chờ Bộ phận Một cửa tiếp nhận", exact=False).is_visible()
    assert result.bounding_box()["y"] < 844
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "4-lookup-temporary")
    context.close()


def test_the_menu_works_without_javascript_and_stays_open_on_a_wide_screen(live_server, world, browser):
    bare = browser.new_context(java_script_enabled=False, **PHONE)
    page = bare.new_page()
    page.goto(f"{live_server.url}/")
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.locator("summary.menu-toggle").click()
    assert nav.get_by_role("link", name="Đăng nhập").is_visible()
    page.locator("summary.menu-toggle").click()
    assert not nav.is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 120
    bare.close()

    wide = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = wide.new_page()
    page.goto(f"{live_server.url}/")
    assert page.locator("#site-nav").get_by_role("link", name="Thủ tục hành chính").is_visible()
    assert not page.locator("summary.menu-toggle").is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 120
    wide.close()
