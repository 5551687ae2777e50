"""Row 2 of issue 9: with Redis away the portal keeps taking intakes, actions, log-ins, look-ups and
feedback; the cache serves from the process's memory behind a circuit breaker, the calendar stays
right, and everything goes back to Redis when it answers again."""

import socket
import threading
import time
from datetime import date

import pytest
import redis
from django.core.cache import cache
from django.test import Client

from config.cache import ResilientRedisCache, is_degraded
from tests.notices.conftest import broker_at
from worktime import services as worktime
from worktime.models import CalendarVersion

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


# Long enough that restarting a redis-server on a loaded CI machine fits inside it, short enough for a test.
BACKOFF = 2.0


def resilient(url, retry_after=BACKOFF, **options):
    return ResilientRedisCache(url, {"OPTIONS": {"RETRY_AFTER": retry_after, **options}})


def wait_past_backoff(seconds=BACKOFF + 0.1):
    time.sleep(seconds)  # the breaker's back-off is real time (time.monotonic)


def test_an_outage_is_served_from_memory_and_redis_takes_over_again(own_redis):
    c = resilient(own_redis.url())
    raw = redis.Redis.from_url(own_redis.url())
    c.set("kept", "before")
    assert raw.exists(c.make_key("kept")) and not c.degraded
    raw.save()  # the restarted server will load this: it still holds "kept" = "before"
    own_redis.stop()

    assert c.get("kept", "missing") == "missing"  # no exception; the local memory starts empty
    assert c.degraded and is_degraded(c)
    c.set("kept", "during")
    assert c.add("counter", 0) and c.incr("counter") == 1 and c.incr("counter") == 2
    assert c.get_many(["kept", "counter"]) == {"kept": "during", "counter": 2}
    assert c.get_or_set("other", 7) == 7
    with pytest.raises(ValueError):
        c.incr("absent")  # the same contract as Redis

    own_redis.start()
    assert c.get("kept") == "during"  # still within the back-off: the local memory answers
    wait_past_backoff()
    # Redis is back: the keys written meanwhile are gone from it (its "before" is older than what we saw)
    assert c.get("kept", "gone") == "gone"
    assert not c.degraded
    assert not raw.exists(c.make_key("kept"))
    c.set("kept", "after")
    assert raw.get(c.make_key("kept")) is not None and c.get("kept") == "after"
    assert c.get("counter") is None  # the local memory was emptied, Redis never had it


def test_a_silent_redis_costs_one_time_out_per_back_off(tmp_path):
    """A server that takes connections and never answers: the breaker stops each call from waiting."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    accepted = []

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    try:
        c = resilient(f"redis://127.0.0.1:{port}/0", retry_after=60, socket_timeout=0.2)
        for i in range(30):
            c.set(f"k{i}", i)
            assert c.get(f"k{i}") == i
        assert c.degraded
        assert len(accepted) == 1  # one attempt, then 59 calls served without touching the network
    finally:
        listener.close()
        for conn in accepted:
            conn.close()


@pytest.fixture
def redis_away(settings, own_redis):
    """The portal's cache on a Redis of this test's own, then that Redis stopped; the broker down too."""
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": own_redis.url(),
                                   "OPTIONS": {"RETRY_AFTER": 0.3}}}
    cache.set("warm", 1)
    own_redis.stop()
    with broker_at(own_redis.url(1)):
        yield own_redis


def test_intakes_actions_logins_lookup_and_feedback_answer_with_redis_down(redis_away, api, staff, org, procedure):
    applicant = {"full_name": "Trần Thị Bình", "phone": "0987654321"}
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", {"procedure": procedure.code, "applicant": applicant},
                                            format="json")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    response = api.as_user(staff.desk).post(f"/api/v1/dossiers/{code}/actions/transfer/",
                                            {"assignee": staff.officer.username}, format="json")
    assert response.status_code == 200, response.content
    response = api.as_user(staff.officer).post(f"/api/v1/dossiers/{code}/actions/request-payment/",
                                               {"amount": 15000}, format="json")
    assert response.status_code == 200, response.content
    assert is_degraded()

    token = api.post("/api/v1/auth/token/", {"username": "motcua", "password": "pw-12345!"}, format="json")
    assert token.status_code == 200, token.content
    wrong = api.post("/api/v1/auth/token/", {"username": "motcua", "password": "wrong"}, format="json")
    assert wrong.status_code in (400, 401)
    page = Client().post("/accounts/login/", {"username": "motcua", "password": "pw-12345!"})
    assert page.status_code == 302

    api.credentials()
    assert api.get("/api/v1/lookup/", {"code": code, "secret": "4321"}).status_code == 200
    assert api.get("/api/v1/lookup/", {"code": code, "secret": "0000"}).status_code == 404
    feedback = Client().post("/cong-dan/phan-anh/gui/", {
        "agency": org.commune.pk, "name": "Phạm Văn Cường", "phone": "0903 111 222", "email": "",
        "subject": "Chờ lâu tại quầy", "body": "Tôi phải chờ hơn hai giờ."})
    assert feedback.status_code == 302, feedback.content[:500]
    assert api.get("/api/v1/procedures/").status_code == 200


def test_a_calendar_edit_while_redis_is_away_is_never_served_stale(settings, own_redis, org):
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": own_redis.url(),
                                   "OPTIONS": {"RETRY_AFTER": 0.3}}}
    raw = redis.Redis.from_url(own_redis.url())
    assert worktime.calendar_for(org.commune).is_working_day(MONDAY)
    before = worktime.calendar_version()
    key = cache.make_key(worktime.VERSION_KEY)
    assert int(raw.get(key)) == before and 0 < raw.ttl(key) <= worktime.VERSION_TTL
    raw.save()  # the restarted Redis will still hold the version from before the edit
    own_redis.stop()

    worktime.add_holiday(MONDAY, "Nghỉ đột xuất", org.commune)  # the edit, while Redis is away
    assert not worktime.calendar_for(org.commune).is_working_day(MONDAY)
    # Another process (its own memory, none of this one's): reads the database's version, not its memory's.
    worktime._memo.clear()
    cache._local.clear()
    assert worktime.calendar_version() == CalendarVersion.objects.get().value != before
    assert not worktime.calendar_for(org.commune).is_working_day(MONDAY)

    own_redis.start()
    assert int(raw.get(key)) == before  # Redis came back with the version it had
    wait_past_backoff()
    worktime._memo.clear()
    assert not worktime.calendar_for(org.commune).is_working_day(MONDAY)
    assert worktime.calendar_version() == CalendarVersion.objects.get().value
    assert not cache.degraded
    current = raw.get(key)
    assert current is None or int(current) != before


def test_a_stale_version_a_process_never_invalidated_lives_a_minute_at_most(settings, own_redis, org):
    """The backstop: the cache's copy of the version always has a time-out."""
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": own_redis.url()}}
    raw = redis.Redis.from_url(own_redis.url())
    worktime.add_holiday(MONDAY, "Nghỉ đột xuất", org.commune)
    key = cache.make_key(worktime.VERSION_KEY)
    assert 0 < raw.ttl(key) <= worktime.VERSION_TTL
    raw.delete(key)
    worktime.calendar_version()
    assert 0 < raw.ttl(key) <= worktime.VERSION_TTL


def test_one_redis_client_per_pool_is_kept_across_calls(own_redis):
    """redis-py builds a client's response-callback table whenever one is made: the cache keeps one client
    per connection pool instead of one per call, and it still follows an outage and a recovery."""
    c = resilient(own_redis.url())
    c.set("kept", "v")
    client = c._cache.get_client()
    assert c.get("kept") == "v" and c._cache.get_client(write=True) is client
    own_redis.stop()
    assert c.get("kept", "gone") == "gone" and is_degraded(c)
    own_redis.start()
    wait_past_backoff()
    c.set("again", "w")
    assert c.get("again") == "w" and not is_degraded(c) and c._cache.get_client() is client
