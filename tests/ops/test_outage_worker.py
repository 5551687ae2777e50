"""Rows 2 and 3 of issue 9 with a real Celery worker: Redis (cache and broker, a redis-server of this test's
own) stops; the portal keeps taking intakes and actions; the worker does not exit; Redis starts again; every
notice written meanwhile is sent exactly once."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from notices.delivery import resend_stuck
from notices.models import Notice, NoticeChannel, NoticeStatus
from tests.celery_worker import celery_worker, worker_env
from tests.notices.conftest import Gateway, broker_at
from tests.notices.test_worker import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

DOSSIERS = 3


@pytest.fixture
def gateway(settings):
    gw = Gateway()
    settings.SMS_GATEWAY_URL = gw.url
    settings.SMS_GATEWAY_KEY = "khoa-bi-mat"
    yield gw
    gw.close()


@pytest.fixture
def portal_on_own_redis(settings, own_redis):
    """This process's cache and broker on the test's own Redis (db 1), as the portal's would be."""
    url = own_redis.url(1)
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": url,
                                   "OPTIONS": {"RETRY_AFTER": 0.5}}}
    with broker_at(url):
        yield own_redis


@pytest.fixture
def worker(portal_on_own_redis, tmp_path, gateway):
    env = worker_env(portal_on_own_redis.url(1), SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_KEY="khoa-bi-mat")
    with celery_worker(env, tmp_path / "worker.log", "outage") as process:
        yield process


def outbound(codes):
    return Notice.objects.filter(dossier__code__in=codes).exclude(channel=NoticeChannel.IN_APP)


def test_a_redis_outage_loses_and_doubles_no_notice(worker, portal_on_own_redis, gateway, api, staff, procedure):
    own_redis = portal_on_own_redis
    desk, officer = api.as_user(staff.desk), None

    def intake(phone):
        applicant = {"full_name": "Lê Văn Cường", "phone": phone, "email": f"{phone}@example.vn"}
        response = desk.post("/api/v1/dossiers/", {"procedure": procedure.code, "applicant": applicant}, format="json")
        assert response.status_code == 201, response.content
        return response.json()["code"]

    first = intake("0911000000")
    wait_for(lambda: outbound([first]).filter(status=NoticeStatus.SENT).count() == 2, "the worker to start", worker.log)

    own_redis.stop()
    wait_for(lambda: "Cannot connect" in worker.log.read_text() or "Connection to broker lost" in worker.log.read_text(),
             "the worker to notice", worker.log, timeout=30)
    codes = []
    for i in range(DOSSIERS):
        code = intake(f"09110000{i + 1:02d}")
        codes.append(code)
        response = desk.post(f"/api/v1/dossiers/{code}/actions/transfer/", {"assignee": staff.officer.username},
                             format="json")
        assert response.status_code == 200, response.content
        officer = api.as_user(staff.officer)
        response = officer.post(f"/api/v1/dossiers/{code}/actions/request-payment/", {"amount": 15000}, format="json")
        assert response.status_code == 200, response.content
        desk = api.as_user(staff.desk)
    assert outbound(codes).count() == DOSSIERS * 4  # received and payment_requested, by e-mail and SMS
    assert set(outbound(codes).values_list("status", flat=True)) == {NoticeStatus.QUEUED}
    time.sleep(3)  # long enough for a worker with a retry limit to give up (the bug: it exited for good)
    assert worker.poll() is None, worker.log.read_text()[-3000:]

    own_redis.start()
    time.sleep(0.6)  # past this process's cache back-off
    # beat's resend_stuck_notices, a few minutes on; the worker reconnects by itself
    assert resend_stuck(now=timezone.now() + timedelta(minutes=2)) == DOSSIERS * 4
    wait_for(lambda: outbound(codes).filter(status=NoticeStatus.SENT).count() == DOSSIERS * 4,
             "the notices written during the outage", worker.log)
    assert resend_stuck(now=timezone.now() + timedelta(minutes=10)) == 0
    time.sleep(1)
    sms = [r["body"]["to"] for r in gateway.requests]
    for i in range(DOSSIERS):
        assert sms.count(f"09110000{i + 1:02d}") == 2  # the receipt and the payment request, once each
    assert sms.count("0911000000") == 1 and len(sms) == 1 + DOSSIERS * 2
    assert all(n.attempts == 0 for n in outbound(codes))
    assert worker.poll() is None
