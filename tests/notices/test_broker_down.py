"""Redis down: actions still succeed quickly, notices wait in the outbox and go out when it is back."""

import socket
import threading
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from config.celery import app as celery_app
from dossiers.models import Dossier, Status
from notices.delivery import resend_stuck
from notices.models import Notice, NoticeStatus

from .conftest import broker_at

APPLICANT = {"full_name": "Trần Thị Bình", "id_number": "079123456780", "phone": "0987654321",
             "email": "binh@example.vn", "address": "Thôn 2"}
# A hung publish would show as minutes; the configured connect timeout is 2 s.
HANG = 15


def queue_length() -> int:
    return redis.Redis.from_url(celery_app.conf.broker_url).llen("celery")


def test_the_publish_settings_take_effect():
    conf = celery_app.conf
    assert conf.broker_connection_timeout == 2
    assert conf.broker_connection_max_retries is None  # the worker reconnects forever; the publish is bounded
    assert conf.task_publish_retry is False


@pytest.mark.django_db
def test_an_action_commits_and_its_notices_wait(make_dossier, broker_down, django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = make_dossier(Status.RECEIVED)
    assert time.monotonic() - started < HANG
    assert len(callbacks) == 1  # the one publish (both notices) was tried, and failed quietly
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.RECEIVED and d.code
    assert set(Notice.objects.filter(dossier=d).values_list("status", flat=True)) == {NoticeStatus.QUEUED}


@pytest.mark.django_db
def test_resend_stops_at_the_first_broker_fault(make_dossier, broker_down):
    make_dossier(Status.RECEIVED)
    started = time.monotonic()
    assert resend_stuck(now=timezone.now() + timedelta(minutes=2)) == 0
    assert time.monotonic() - started < HANG  # one connection timeout, not one per notice


@pytest.mark.django_db
def test_once_the_broker_is_back_the_resender_hands_them_over(make_dossier, django_capture_on_commit_callbacks):
    with broker_at("redis://127.0.0.1:6390/0"), django_capture_on_commit_callbacks(execute=True):
        d = make_dossier(Status.RECEIVED)
    before = queue_length()
    assert resend_stuck(now=timezone.now() + timedelta(minutes=2)) == 2
    assert queue_length() == before + 2
    assert Notice.objects.filter(dossier=d, status=NoticeStatus.QUEUED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_api_intake_answers_quickly_with_the_broker_down(api, staff, procedure, broker_down):
    started = time.monotonic()
    response = api.as_user(staff.desk).post("/api/v1/dossiers/", {"procedure": procedure.code, "applicant": APPLICANT},
                                            format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < HANG
    code = response.json()["code"]
    assert set(Notice.objects.filter(dossier__code=code).values_list("status", flat=True)) == {NoticeStatus.QUEUED}


def test_a_broker_that_never_answers_does_not_hang_the_publish():
    from notices.services import publish_send

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        result = []
        with broker_at(f"redis://127.0.0.1:{port}/0"):
            thread = threading.Thread(target=lambda: result.append(publish_send(1)), daemon=True)
            thread.start()
            thread.join(HANG)
    assert result == [False]


@pytest.mark.django_db
def test_a_transaction_publishes_its_queued_notices_in_one_message(make_dossier, django_capture_on_commit_callbacks):
    from django.db import transaction

    from notices.models import NoticeChannel
    from notices.services import notify_citizen, queue_notice

    with django_capture_on_commit_callbacks(execute=True):  # the dossier's own notices go out first
        d = make_dossier(Status.PROCESSING)
    before = queue_length()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify_citizen(d, "result_ready")  # e-mail and SMS
        queue_notice(event="x", channel=NoticeChannel.EMAIL, recipient="c@example.vn", subject="s", body="b",
                     dedupe_key="one-message:1")
        with transaction.atomic():
            queue_notice(event="x", channel=NoticeChannel.SMS, recipient="0912345678", subject="s", body="b",
                         dedupe_key="one-message:2")
    assert len(callbacks) == 1
    assert queue_length() == before + 1  # one celery.map message over the four notices
    assert Notice.objects.filter(status=NoticeStatus.QUEUED, dedupe_key__startswith="one-message:").count() == 2


@pytest.mark.django_db
def test_a_batch_dropped_with_its_savepoint_is_started_again(make_dossier, django_capture_on_commit_callbacks):
    from django.db import transaction

    from notices.models import NoticeChannel
    from notices.services import queue_notice

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                queue_notice(event="x", channel=NoticeChannel.EMAIL, recipient="c@example.vn", subject="s",
                             body="b", dedupe_key="dropped:1")
                raise RuntimeError
        except RuntimeError:
            pass
        kept = queue_notice(event="x", channel=NoticeChannel.EMAIL, recipient="c@example.vn", subject="s", body="b",
                            dedupe_key="dropped:2")
    assert len(callbacks) == 1 and callbacks[0].__self__.ids == [kept.pk]
