"""Issue 9, rows 7 and 8: valid look-ups are never rate-limited (only misses are), the client's address is
read from the trusted proxies only, and a wrong code and a wrong secret on a real code take the same path."""

import sys
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from citizens import lookup, selectors
from organisation.errors import NotFound

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/"


@pytest.fixture
def received(citizen, online_dossier):
    return online_dossier(citizen, status=4)


def test_a_kiosk_makes_many_valid_lookups_from_one_address(received):
    kiosk = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(60):
        assert kiosk.get(URL, {"code": received.code, "secret": "5678"}).status_code == 200
    for _ in range(40):
        assert kiosk.post("/cong-dan/tra-cuu/", {"code": received.code, "secret": "5678"}).status_code == 200


def test_a_header_the_client_chose_does_not_reset_its_miss_count(received):
    for i in range(lookup.MAX_MISSES_PER_CLIENT):
        response = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.{i}.{i}.{i}").get(
            URL, {"code": f"NOPE-{i}", "secret": "1234"})
        assert response.status_code == 404
    blocked = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="10.200.0.1").get(
        URL, {"code": received.code, "secret": "5678"})
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(received, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for i in range(lookup.MAX_MISSES_PER_CLIENT):
        # The client prepends whatever it likes; the proxy appends the address it saw (203.0.113.5).
        response = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.5").get(
            URL, {"code": f"NOPE-{i}", "secret": "1234"})
        assert response.status_code == 404
    same_client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5")
    assert same_client.get(URL, {"code": received.code, "secret": "5678"}).status_code == 429
    # Another client behind the same proxy is not blocked.
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.get(URL, {"code": received.code, "secret": "5678"}).status_code == 200


def _trace_lines(func):
    """Run `func` and return the lines of citizens/lookup.py it executed, in order."""
    executed = []

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != lookup.__file__:
            return None
        if event == "line":
            executed.append(frame.f_lineno)
        return tracer

    sys.settrace(tracer)
    try:
        func()
    except NotFound:
        pass
    finally:
        sys.settrace(None)
    return executed


def test_wrong_code_and_wrong_secret_run_the_same_queries_and_lines(received):
    def run(code, secret, client):
        with CaptureQueriesContext(connection) as queries:
            lines = _trace_lines(lambda: lookup.find_dossier(code, secret, client,
                                                             read=selectors.lookup_read))
        return [q["sql"] for q in queries.captured_queries], lines

    unknown = "000.00.00.X-000000-9999"
    wrong_code_sql, wrong_code_lines = run(unknown, "5678", "192.0.2.1")
    wrong_secret_sql, wrong_secret_lines = run(received.code, "1111", "192.0.2.2")
    assert len(wrong_code_sql) == len(wrong_secret_sql) == 1
    assert wrong_code_sql[0].replace(unknown.upper(), "?") == wrong_secret_sql[0].replace(received.code.upper(), "?")
    assert wrong_code_lines == wrong_secret_lines
    # Both misses were counted the same way: one per client and one per code.
    from django.core.cache import cache

    assert cache.get(lookup._code_key(unknown)) == cache.get(lookup._code_key(received.code)) == 1
    assert cache.get(lookup._client_key("192.0.2.1")) == cache.get(lookup._client_key("192.0.2.2")) == 1


def test_client_ip_reads_only_the_trusted_hops(settings, rf):
    from organisation.net import client_ip

    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(spoofed) == "198.51.100.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(spoofed) == "6.6.6.6"
    two = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.4, 10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(two) == "203.0.113.4"
    # Fewer hops than trusted proxies, or garbage: the connection's own address.
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")) == "10.0.0.2"
    assert client_ip(rf.get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="")) == "0.0.0.0"


def test_api_throttles_key_on_the_client_address_not_on_its_header(monkeypatch):
    from organisation.api.throttles import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    url = "/api/v1/calendar/appointment/"
    codes = [Client(REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR=str(uuid.uuid4().int % 250) + ".1.1.1")
             .get(url).status_code for _ in range(4)]
    assert codes[:3] != [429] * 3 and codes[3] == 429


def test_no_code_reads_the_client_address_but_the_helper():
    """Every throttle, lock-out and log takes the address from organisation.net.client_ip."""
    from pathlib import Path

    from django.conf import settings as dj

    offenders = []
    base = Path(dj.BASE_DIR)
    packages = [p.parent for p in base.glob("*/__init__.py") if p.parent.name != "tests"]
    for path in (f for package in packages for f in package.rglob("*.py")):
        rel = path.relative_to(base).as_posix()
        if rel == "organisation/net.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "get_ident", "rest_framework.throttling import"):
            if needle in text and rel != "organisation/api/throttles.py":
                offenders.append(f"{rel}: {needle}")
    assert offenders == []
