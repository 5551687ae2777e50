"""The whole story with a real Celery worker and Redis: warn once, flag late, apologise once, deliver.

The worker is a subprocess on this test's database and on a Redis database of this pytest worker's
own. It cannot share a frozen clock, so the sweep is sent with an explicit `now` instead. The worker
consumes tasks in order (solo pool, prefetch 1), so a task that leaves a visible trace, sent after
others, tells when those have run.
"""

import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from dossiers import services
from dossiers.models import Dossier, Status
from dossiers.services.apology import apologize
from dossiers.tasks import sweep_deadlines
from notices.delivery import resend_stuck
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import enqueue_send, queue_notice
from tests.celery_worker import celery_worker, worker_env

from .conftest import CLOSED_BROKER, broker_at

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

APPLICANT = {"full_name": "Lê Văn Cường", "id_number": "079123456781", "phone": "0911222333",
             "email": "cuong@example.vn", "address": "Thôn 3"}
TIMEOUT = 90


def wait_for(predicate, what: str, log: Path | None = None, timeout: float = TIMEOUT):
    """Poll the database for what the worker process does (the one place a test waits on real time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tail = log.read_text()[-4000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n--- worker log ---\n{tail}")


def worker_redis_url() -> str:
    """This xdist worker's own Redis database (config/settings/test.py gives each one its own)."""
    return settings.CELERY_BROKER_URL


@pytest.fixture
def worker(transactional_db, tmp_path, gateway):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    url = worker_redis_url()
    redis.Redis.from_url(url).delete("celery")  # tasks left by earlier runs name rows that no longer exist
    env = worker_env(url, SMS_GATEWAY_URL=gateway.url, SMS_GATEWAY_KEY="khoa-bi-mat")
    with broker_at(url), celery_worker(env, tmp_path / "worker.log", "test") as process:
        yield process


def statuses(**filters):
    return sorted(Notice.objects.filter(**filters).values_list("channel", "status"))


def run_sweep(worker, now, marker_key):
    """Send the sweep to the worker, then a marker notice; once the marker is sent, the sweep has run."""
    sweep_deadlines.apply_async(kwargs={"now": now.isoformat()})
    marker = queue_notice(event="marker", channel=NoticeChannel.EMAIL, recipient="marker@example.vn",
                          subject="marker", body="marker", dedupe_key=f"marker:{marker_key}")
    enqueue_send(marker.pk)  # no surrounding transaction in a transactional test: publish directly
    wait_for(lambda: Notice.objects.get(pk=marker.pk).status == NoticeStatus.SENT, "the sweep", worker.log)


def test_the_deadline_story_with_a_real_worker(worker, staff, procedure, gateway):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    # the receipt goes out through the worker: e-mail and SMS
    wait_for(lambda: statuses(dossier=d, event="received") == [("email", "sent"), ("sms", "sent")],
             "the receipt notices", worker.log)
    assert [r["body"]["to"] for r in gateway.requests] == ["0911222333"]

    # it passes its due-soon point: the officer (and the head) are warned, once however often the sweep runs
    soon = d.due_soon_at + timedelta(minutes=1)
    run_sweep(worker, soon, "1")
    run_sweep(worker, soon + timedelta(minutes=5), "2")
    d.refresh_from_db()
    assert d.is_due_soon and not d.is_late and d.apology_opened_at == soon
    assert sorted(Notice.objects.filter(dossier=d, event="due_soon").values_list("user__username", flat=True)) == [
        "chuyenvien", "lanhdao"]

    # it passes its deadline: flagged late, the apology is owed
    late = d.appointment_at + timedelta(minutes=1)
    run_sweep(worker, late, "3")
    d.refresh_from_db()
    assert d.is_late and d.apology_opened_at == soon
    assert Notice.objects.filter(dossier=d, event="late", user=staff.officer).count() == 1

    # the head issues it; the citizen gets exactly one apology per channel, delivered by the worker
    new = d.appointment_at + timedelta(days=7)
    while timezone.localtime(new).weekday() >= 5:
        new += timedelta(days=1)
    apologize(d, actor=staff.head, reason="Cần xác minh thêm", new_appointment_at=new)
    wait_for(lambda: statuses(dossier=d, event="apology") == [("email", "sent"), ("sms", "sent")],
             "the apology notices", worker.log)
    run_sweep(worker, late + timedelta(minutes=5), "4")
    assert statuses(dossier=d, event="apology") == [("email", "sent"), ("sms", "sent")]
    apology_sms = [r for r in gateway.requests if "xin lỗi" in r["body"]["message"]]
    assert len(apology_sms) == 1 and "Cần xác minh thêm" in apology_sms[0]["body"]["message"]
    d.refresh_from_db()
    assert not d.is_late and d.appointment_at == new


def test_notices_written_while_redis_is_down_go_out_when_it_is_back(worker, staff, procedure):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
    wait_for(lambda: statuses(dossier=d, event="received") == [("email", "sent"), ("sms", "sent")],
             "the worker to start", worker.log)
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)

    with broker_at(CLOSED_BROKER):
        started = time.monotonic()
        d = services.request_payment(d, actor=staff.officer, amount=15000)
        assert time.monotonic() - started < 15
    assert Dossier.objects.get(pk=d.pk).status == Status.PAYMENT_REQUESTED
    assert statuses(dossier=d, event="payment_requested") == [("email", "queued"), ("sms", "queued")]

    assert resend_stuck(now=timezone.now() + timedelta(minutes=2)) == 2
    wait_for(lambda: statuses(dossier=d, event="payment_requested") == [("email", "sent"), ("sms", "sent")],
             "the resent notices", worker.log)
