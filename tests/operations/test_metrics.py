"""/metrics: the HTTP traffic and the domain gauges an operator watches, only for Prometheus."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.models import Status
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import queue_notice
from operations.celery_context import record_run
from operations.metrics import domain_samples
from tests.notices.factories import create_dossier

pytestmark = pytest.mark.django_db


def _notice(key, channel=NoticeChannel.EMAIL, status=NoticeStatus.QUEUED, age=timedelta(0)):
    notice = queue_notice(event="received", channel=channel, recipient="a@example.vn", subject="s", body="b",
                          dedupe_key=key)
    Notice.objects.filter(pk=notice.pk).update(status=status, created_at=timezone.now() - age)


def test_domain_gauges_count_what_is_in_the_tables(org):
    _notice("a", age=timedelta(minutes=30))
    _notice("b")
    _notice("c", channel=NoticeChannel.SMS, status=NoticeStatus.FAILED)
    now = timezone.now()
    create_dossier(org.commune, status=Status.PROCESSING, appointment_at=now - timedelta(days=1), is_late=True)
    create_dossier(org.commune, status=Status.RETURNED,
                   appointment_at=now - timedelta(days=1), is_late=True, finished_at=now)
    create_dossier(org.commune, status=Status.PROCESSING, appointment_at=now + timedelta(days=1))
    record_run("dossiers.tasks.sweep_deadlines", started_at=now, duration_s=0.25, ok=True,
               result={"due_soon": 2, "late": 1, "step_due_soon": 0, "step_late": 0, "notices": 3})

    s = domain_samples()
    assert s["outbox_queued"] == {"email": 2}
    assert 1790 <= s["outbox_oldest_age_s"]["email"] <= 1900
    assert s["notices_failed"] == {"sms": 1}
    assert s["dossiers_late_open"] == 1
    assert s["tasks"][0]["task"] == "dossiers.tasks.sweep_deadlines"
    assert s["tasks"][0]["duration_s"] == 0.25


def test_the_endpoint_speaks_prometheus_text_to_the_loopback(client, org):
    _notice("a")
    record_run("dossiers.tasks.sweep_deadlines", started_at=timezone.now(), duration_s=1.5, ok=True,
               result={"due_soon": 4, "late": 2})
    record_run("dossiers.tasks.sweep_deadlines", started_at=timezone.now(), duration_s=0.5, ok=False, result=None)
    client.get("/thu-tuc/")
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'motcua_outbox_queued{channel="email"} 1.0' in body
    assert 'motcua_outbox_queued{channel="sms"} 0.0' in body
    assert 'motcua_task_runs{task="dossiers.tasks.sweep_deadlines"} 2.0' in body
    assert 'motcua_task_failures{task="dossiers.tasks.sweep_deadlines"} 1.0' in body
    assert 'motcua_task_last_duration_seconds{task="dossiers.tasks.sweep_deadlines"} 0.5' in body
    assert "motcua_dossiers_late_open 0.0" in body
    assert "motcua_national_sync_backlog 0.0" in body
    assert 'motcua_http_request_duration_seconds_count{method="GET",route="thu-tuc/",status="200"}' in body


def test_the_endpoint_refuses_other_addresses_and_wrong_tokens(client, settings, db):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    settings.TRUSTED_PROXY_COUNT = 1  # a balancer on this host: the client it saw counts, not the balancer
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    settings.TRUSTED_PROXY_COUNT = 0
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", REMOTE_ADDR="10.1.2.3").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", REMOTE_ADDR="10.1.2.3")
    assert ok.status_code == 200 and b"motcua_outbox_queued" in ok.content


def test_the_national_sync_backlog(org, staff, make_dossier):
    from national.models import OutboxEntry

    d = make_dossier(status=2)  # a received dossier writes its DongBoHoSoMC to the national outbox
    pending = OutboxEntry.objects.filter(dossier=d, sent_at__isnull=True)
    assert pending.exists()
    pending.update(created_at=timezone.now() - timedelta(minutes=10), attempts=2)
    sync = domain_samples()["national_sync"]
    assert sync["changes"] == pending.count() and sync["dossiers"] == 1 and sync["failing_dossiers"] == 1
    assert 590 <= sync["oldest_age_s"] <= 700
