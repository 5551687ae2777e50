"""Row 14 of issue 9: no debug page unless DEBUG is set explicitly; the portal's own 400, 403, 404 and 500
pages, in Vietnamese (English when chosen), in the portal's layout; the API's error format under /api/."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

DEBUG_MARKERS = ("Using the URLconf", "Traceback", "technical_500", "DEBUG = True", "Django tried these URL patterns")


def english():
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


def assert_friendly(response, status, vietnamese, english_text=None):
    assert response.status_code == status
    html = response.content.decode()
    assert "MotCua" in html and 'class="topbar"' in html  # the portal's layout
    assert vietnamese in html, html[:2000]
    for marker in DEBUG_MARKERS:
        assert marker not in html


def test_make_run_settings_leave_debug_off_unless_it_is_set():
    def debug(**env):
        environ = {k: v for k, v in os.environ.items() if k != "DEBUG"} | env
        environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
        out = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                              "print(settings.DEBUG)"], env=environ, cwd=settings.BASE_DIR, capture_output=True,
                             text=True, check=True)
        return out.stdout.strip()

    assert debug() == "False"
    assert debug(DEBUG="1") == "True"


def test_404_is_the_portals_page_in_vietnamese_then_english(staff):
    assert_friendly(Client().get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")
    response = english().get("/khong-co-trang-nay/")
    assert_friendly(response, 404, "Page not found")
    assert "Không tìm thấy trang" not in response.content.decode()


def test_a_dossier_of_another_commune_is_the_friendly_404(staff, make_dossier):
    d = make_dossier(2)
    c = Client()
    c.force_login(staff.desk2)
    assert_friendly(c.get(f"/ho-so/{d.code}/"), 404, "Không tìm thấy trang")


def test_403_is_the_portals_page(staff):
    c = Client()
    c.force_login(staff.desk)  # reports are for managers
    assert_friendly(c.get("/bao-cao/"), 403, "Không có quyền truy cập")
    c = english()
    c.force_login(staff.desk)
    assert_friendly(c.get("/bao-cao/"), 403, "Access denied")


def test_a_stale_form_is_a_403_that_says_what_to_do(staff):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "motcua", "password": "x"})
    assert_friendly(response, 403, "Phiên làm việc đã hết hạn")


def test_400_is_the_portals_page():
    response = Client().get("/", HTTP_HOST="khong-phai-ten-mien-cua-ta.example")
    assert_friendly(response, 400, "Yêu cầu không hợp lệ")


def test_500_is_the_portals_page_and_json_under_the_api(settings):
    settings.ROOT_URLCONF = "tests.ops.urls_failing"
    c = Client(raise_request_exception=False)
    assert_friendly(c.get("/hong/"), 500, "Hệ thống đang gặp sự cố")
    c = english()
    c.raise_request_exception = False
    assert_friendly(c.get("/hong/"), 500, "The system is having trouble")
    api = Client(raise_request_exception=False).get("/api/v1/hong/")
    assert api.status_code == 500 and api.json()["code"] == "server_error" and set(api.json()) == {
        "code", "detail", "fields"}


def test_an_unknown_api_address_is_404_in_the_error_format():
    response = Client().get("/api/v1/khong-co/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Không tìm thấy trang", "fields": {}}
