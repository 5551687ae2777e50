"""Delivering outbox rows: once each, retried with backoff, given up on after a bounded number of tries.

`deliver()` is what the Celery task `send_notice` runs. It locks the row with SKIP LOCKED, so two
workers given the same id (a duplicated task, a resend racing the first send) never both send: the
second one finds the row locked or already sent and does nothing. Delivery is at-least-once only in
one corner: a worker killed after the carrier accepted the message but before the commit. Timeouts on
the mail and SMS connections keep that window short.

Failures are not retried by Celery: the row records the attempt, the error and `next_attempt_at`
(1, 2, 4 … minutes, capped), and `resend_stuck()`, run every minute by beat, hands due rows back to
the queue. The same path picks up rows written while the broker was down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notice, NoticeChannel, NoticeStatus
from .queue import publish_send
from .sms import get_sms_backend

log = logging.getLogger(__name__)

# After this many failed attempts a notice is marked failed and shown to administrators.
MAX_ATTEMPTS = int(getattr(settings, "NOTICE_MAX_ATTEMPTS", 8))
# Backoff between attempts: 1, 2, 4 … minutes, never more than this.
MAX_BACKOFF_MINUTES = int(getattr(settings, "NOTICE_MAX_BACKOFF_MINUTES", 60))
# A queued row younger than this is left to the task enqueued by its own transaction.
STUCK_AFTER = timedelta(minutes=1)
# How long a row handed back to the queue by the resender is left alone before it is handed again.
RESEND_LEASE = timedelta(minutes=2)
# At most this many rows are re-enqueued per resend run; the next run (a minute later) takes the rest.
RESEND_BATCH = int(getattr(settings, "NOTICE_RESEND_BATCH", 500))


class Outcome:
    SENT = "sent"
    ALREADY_DONE = "already_done"
    BUSY = "busy"  # locked by another worker, or gone
    RETRY = "retry"
    FAILED = "failed"


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4 … minutes, capped."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def send_by_channel(notice: Notice) -> None:
    """Hand the notice to its carrier; raise on any failure."""
    if notice.channel == NoticeChannel.EMAIL:
        send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL, [notice.recipient], fail_silently=False)
    elif notice.channel == NoticeChannel.SMS:
        get_sms_backend().send(notice.recipient, notice.body)
    elif notice.channel == NoticeChannel.IN_APP:
        return  # the row itself is the message: the portal shows it in the user's inbox
    else:
        raise ValueError(f"unknown channel {notice.channel!r}")


def deliver(notice_id: int, *, now: datetime | None = None) -> str:
    """Send one queued notice, or record why not and when to try again. Returns an `Outcome`."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update(skip_locked=True).filter(pk=notice_id).first()
        if notice is None:
            return Outcome.BUSY
        if notice.status != NoticeStatus.QUEUED:
            return Outcome.ALREADY_DONE
        try:
            send_by_channel(notice)
        except Exception as exc:  # noqa: BLE001 - every carrier fault is recorded and retried
            at = now or timezone.now()
            notice.attempts += 1
            notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = NoticeStatus.FAILED
                notice.next_attempt_at = None
                outcome = Outcome.FAILED
                log.error("notice %s failed for good after %s attempts: %s", notice.pk, notice.attempts, exc)
            else:
                notice.next_attempt_at = at + backoff(notice.attempts)
                outcome = Outcome.RETRY
                log.warning("notice %s attempt %s failed: %s", notice.pk, notice.attempts, exc)
            notice.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return outcome
        notice.status = NoticeStatus.SENT
        notice.sent_at = now or timezone.now()
        notice.next_attempt_at = None
        notice.save(update_fields=["status", "sent_at", "next_attempt_at"])
        return Outcome.SENT


def claim_stuck(*, now: datetime | None = None, limit: int = RESEND_BATCH, set_based: bool | None = None) -> list[int]:
    """Take a lease on queued rows that are due and older than a minute; return their ids.

    PostgreSQL: one UPDATE over a SKIP LOCKED sub-select: rows being delivered right now are not
    touched, two resenders never take the same row, and a row just handed back is left alone for the
    lease. Elsewhere (the embedded SQLite demo, which has no FOR UPDATE) the same through the ORM in one
    transaction: SQLite's write lock (the demo's transactions are IMMEDIATE) keeps two resenders apart.
    `set_based` picks the way (default: by the database), as the deadline sweep does.
    """
    now = now or timezone.now()
    if not (connection.vendor == "postgresql" if set_based is None else set_based):
        with transaction.atomic():
            due = (Notice.objects.select_for_update(skip_locked=True)
                   .filter(status=NoticeStatus.QUEUED, created_at__lte=now - STUCK_AFTER)
                   .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).order_by("id"))
            ids = list(due.values_list("id", flat=True)[:limit])
            if ids:
                Notice.objects.filter(pk__in=ids).update(next_attempt_at=now + RESEND_LEASE)
        return sorted(ids)
    table = Notice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET next_attempt_at = %(lease)s
            WHERE id IN (
                SELECT id FROM {table}
                WHERE status = %(queued)s AND created_at <= %(stuck)s
                  AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
                ORDER BY id
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """,
            {"lease": now + RESEND_LEASE, "queued": NoticeStatus.QUEUED, "stuck": now - STUCK_AFTER, "now": now,
             "limit": limit},
        )
        return sorted(row[0] for row in cursor.fetchall())


def resend_stuck(*, now: datetime | None = None, limit: int = RESEND_BATCH, set_based: bool | None = None) -> int:
    """Hand stuck notices back to the queue; returns how many were handed over.

    If the broker is still down the first failed publish ends the run: the rows keep their lease
    and the next run tries again, so a dead broker costs one connection timeout per minute, not one
    per notice.
    """
    with transaction.atomic():
        ids = claim_stuck(now=now, limit=limit, set_based=set_based)
    handed = 0
    for notice_id in ids:
        if not publish_send(notice_id):
            break
        handed += 1
    return handed


def retry_failed(notice_ids) -> int:
    """Put failed notices back in the queue with a fresh count of attempts (admin action)."""
    return Notice.objects.filter(pk__in=list(notice_ids), status=NoticeStatus.FAILED).update(
        status=NoticeStatus.QUEUED, attempts=0, next_attempt_at=None, last_error=""
    )
