import pytest


@pytest.mark.django_db
def test_token_and_error_format(api, staff):
    bad = api.post("/api/v1/auth/token/", {"username": "motcua", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_credentials"
    assert set(bad.json()) == {"code", "detail", "fields"}

    ok = api.post("/api/v1/auth/token/", {"username": "motcua", "password": "pw-12345!"}, format="json")
    assert ok.status_code == 200 and ok.json()["token"]


@pytest.mark.django_db
def test_missing_fields_name_the_field(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "username" in body["fields"] and "password" in body["fields"]


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(api, staff, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        api.post("/api/v1/auth/token/", {"username": "lanhdao", "password": "nope"}, format="json")
    # Now even the right password is refused until the lock expires.
    locked = api.post("/api/v1/auth/token/", {"username": "lanhdao", "password": "pw-12345!"}, format="json")
    assert locked.status_code in (400, 429)
    assert "token" not in locked.json()


@pytest.mark.django_db
def test_agencies_are_public_and_paginated(api, org):
    response = api.get("/api/v1/agencies/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    codes = {a["code"]: a for a in body["results"]}
    assert codes["000.01.01.H99"]["parent"] == "000.00.00.H99"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page_size=0", "page_size=201", "page_size=abc", "page=x", "page=0"])
def test_bad_paging_is_a_400(api, org, query):
    response = api.get(f"/api/v1/agencies/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
