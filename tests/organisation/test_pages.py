import pytest


@pytest.mark.django_db
def test_login_page_offers_sign_up_and_no_identity_button_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert "/cong-dan/dang-ky/" in page
    assert "/oidc/" not in page


@pytest.mark.django_db
def test_login_then_the_top_bar_shows_the_staff_links(client, staff):
    response = client.post("/accounts/login/", {"username": "motcua", "password": "pw-12345!"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "/ho-so/tiep-nhan/" in page and "/ho-so/" in page and "/thong-bao/" in page


@pytest.mark.django_db
def test_a_wrong_password_is_told_next_to_the_form_and_locks_after_repeats(client, staff, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        response = client.post("/accounts/login/", {"username": "motcua", "password": "wrong"})
        assert response.status_code == 200
    # The last allowed failure locks the user name on this address: told on the form, with 429.
    assert client.post("/accounts/login/", {"username": "motcua", "password": "wrong"}).status_code == 429
    locked = client.post("/accounts/login/", {"username": "motcua", "password": "pw-12345!"})
    assert locked.status_code == 429
    assert "tạm khóa" in locked.content.decode()


@pytest.mark.django_db
def test_the_short_look_up_address_keeps_the_code(client):
    response = client.get("/tra-cuu/?code=000.00.06.H56-261120-0001")
    assert response.status_code == 302
    assert response["Location"].endswith("/cong-dan/tra-cuu/?code=000.00.06.H56-261120-0001")


@pytest.mark.django_db
def test_pages_are_vietnamese_whatever_the_browser_says_until_english_is_chosen(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.content.decode().startswith("<!doctype html>")
    assert '<html lang="vi">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_api_follows_accept_language(client):
    response = client.get("/api/v1/agencies/?page_size=0", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.headers["Content-Language"] == "en"
