"""Delivering outbox rows: once each, by channel, with backoff, and given up on after a bounded number of tries."""

import itertools
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from notices import delivery
from notices.delivery import Outcome, backoff, claim_stuck, deliver, resend_stuck, retry_failed
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.tasks import send_notice

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
_keys = itertools.count(1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def notice(channel=NoticeChannel.EMAIL, recipient="an@example.vn", **extra):
    return Notice.objects.create(
        event="received", channel=channel, recipient=recipient, subject="Hồ sơ đã được tiếp nhận",
        body="Hồ sơ của ông/bà đã được tiếp nhận.", dedupe_key=f"test:{next(_keys)}", **extra,
    )


def test_an_email_is_sent_once(clock):
    n = notice()
    assert deliver(n.pk) == Outcome.SENT
    assert deliver(n.pk) == Outcome.ALREADY_DONE
    (message,) = mail.outbox
    assert message.to == ["an@example.vn"] and message.subject == "Hồ sơ đã được tiếp nhận"
    n.refresh_from_db()
    assert n.status == NoticeStatus.SENT and n.sent_at == NOW and n.attempts == 0


def test_an_sms_goes_through_the_configured_backend(sms_file):
    n = notice(NoticeChannel.SMS, "0912345678")
    assert deliver(n.pk) == Outcome.SENT
    assert [m["to"] for m in sms_file.messages()] == ["0912345678"]
    assert deliver(n.pk) == Outcome.ALREADY_DONE
    assert len(sms_file.messages()) == 1


def test_an_sms_through_the_http_gateway(gateway):
    n = notice(NoticeChannel.SMS, "0912345678")
    assert deliver(n.pk) == Outcome.SENT
    assert gateway.requests[0]["body"] == {"to": "0912345678", "message": n.body}


def test_an_in_app_notice_has_nothing_to_carry(make_user):
    user = make_user()
    n = notice(NoticeChannel.IN_APP, user.username, user=user)
    assert deliver(n.pk) == Outcome.SENT
    n.refresh_from_db()
    assert n.status == NoticeStatus.SENT and not mail.outbox


def test_the_task_runs_the_delivery(clock):
    n = notice()
    assert send_notice.apply(args=(n.pk,)).get() == Outcome.SENT
    assert send_notice.apply(args=(n.pk,)).get() == Outcome.ALREADY_DONE
    assert len(mail.outbox) == 1


def test_a_missing_row_is_not_an_error():
    assert deliver(987654321) == Outcome.BUSY


def test_failures_back_off_and_end_as_failed(clock, gateway):
    gateway.status = 503
    n = notice(NoticeChannel.SMS, "0912345678")
    waits = []
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        outcome = deliver(n.pk)
        n.refresh_from_db()
        assert n.attempts == attempt and "503" in n.last_error
        if attempt < delivery.MAX_ATTEMPTS:
            assert outcome == Outcome.RETRY and n.status == NoticeStatus.QUEUED
            waits.append(n.next_attempt_at - NOW)
        else:
            assert outcome == Outcome.FAILED and n.status == NoticeStatus.FAILED and n.next_attempt_at is None
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert deliver(n.pk) == Outcome.ALREADY_DONE
    assert len(gateway.requests) == delivery.MAX_ATTEMPTS


def test_backoff_is_capped():
    assert backoff(1) == timedelta(minutes=1)
    assert backoff(3) == timedelta(minutes=4)
    assert backoff(30) == timedelta(minutes=delivery.MAX_BACKOFF_MINUTES)


def test_a_failed_notice_can_be_put_back(clock, gateway):
    n = notice(NoticeChannel.SMS, "0912345678", status=NoticeStatus.FAILED, attempts=8, last_error="x")
    assert retry_failed([n.pk]) == 1
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (NoticeStatus.QUEUED, 0, "")
    assert deliver(n.pk) == Outcome.SENT


@pytest.mark.django_db(transaction=True)
def test_a_row_being_delivered_elsewhere_is_skipped_not_waited_for():
    n = notice()
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notice.objects.select_for_update().get(pk=n.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert deliver(n.pk) == Outcome.BUSY
        assert not mail.outbox
    finally:
        release.set()
        thread.join(10)
    assert deliver(n.pk) == Outcome.SENT


@pytest.fixture(params=["set-based", "row by row"])
def claim(request):
    """The behaviour holds for both ways of claiming: PostgreSQL's statement and the ORM's (SQLite)."""
    set_based = request.param == "set-based"
    return lambda **kwargs: claim_stuck(set_based=set_based, **kwargs)


def test_resend_takes_only_due_rows_older_than_a_minute(clock, claim):
    fresh = notice()
    clock.shift(timedelta(minutes=-5))
    stuck = notice()
    waiting = notice(next_attempt_at=NOW + timedelta(minutes=3))
    due = notice(next_attempt_at=NOW - timedelta(seconds=1))
    sent = notice(status=NoticeStatus.SENT)
    failed = notice(status=NoticeStatus.FAILED)
    clock.move_to(NOW)
    assert fresh.created_at == NOW and stuck.created_at < NOW - timedelta(minutes=1)

    assert claim() == sorted([stuck.pk, due.pk])
    # the lease: handed over once, not again at the next run a minute later
    assert claim(now=NOW + timedelta(seconds=30)) == []
    assert claim(now=NOW + timedelta(minutes=1)) == [fresh.pk]
    assert claim(now=NOW + timedelta(minutes=3)) == sorted([stuck.pk, waiting.pk, due.pk, fresh.pk])
    assert sent.pk and failed.pk


def test_resend_is_bounded_per_run(clock, claim):
    clock.shift(timedelta(minutes=-5))
    ids = [notice().pk for _ in range(5)]
    clock.move_to(NOW)
    assert claim(limit=2) == ids[:2]
    assert claim(limit=2) == ids[2:4]


def test_resend_hands_the_rows_to_the_broker(clock):
    clock.shift(timedelta(minutes=-5))
    n = notice()
    clock.move_to(NOW)
    assert resend_stuck() == 1
    n.refresh_from_db()
    assert n.status == NoticeStatus.QUEUED and n.next_attempt_at == NOW + delivery.RESEND_LEASE
