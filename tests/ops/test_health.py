"""`/healthz` and `/readyz` as api.md "Health" says: no login, no personal data, 503 naming the failed parts."""

import pytest
from django.test import Client

from tests.notices.conftest import broker_at

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_200_when_database_cache_and_broker_answer():
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_503_naming_cache_and_broker_when_redis_is_down(settings, own_redis):
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": own_redis.url()}}
    with broker_at(own_redis.url(1)):
        assert Client().get("/readyz").status_code == 200
        own_redis.stop()
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] in ("unavailable", "timeout") and body["checks"]["broker"] in ("unavailable", "timeout")
    assert set(body) == {"status", "checks"} and str(own_redis.port) not in response.content.decode()


def test_readyz_is_503_naming_the_database_when_it_is_away(settings, monkeypatch):
    from django.db import connections

    monkeypatch.setitem(connections["default"].settings_dict, "PORT", "1")  # nothing listens there
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok", "broker": "ok"}


def test_both_are_in_the_openapi_schema():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/healthz" in schema["paths"] and "/readyz" in schema["paths"]
    assert "503" in schema["paths"]["/readyz"]["get"]["responses"]
    assert schema["paths"]["/readyz"]["get"].get("security") in ([], [{}], None)
