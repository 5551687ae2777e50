"""Writing notices into the outbox, inside the caller's transaction, and the few writes of the inbox.

A notice row is written in the same transaction as the change it tells of; sending is enqueued on
commit (`notices.queue`, which publishes the worker's task by name), one message for all the queued
notices of the transaction. If the broker is down the row simply waits: `resend_stuck_notices` picks it up later. The
unique `dedupe_key` keeps one notice per event and recipient, however often the writer runs.

An in-app notice has nothing to carry: the row is the message, read in the portal. It is written
as sent at once, so it never costs a task and never waits for a broker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .messages import dossier_context, render
from .models import Notice, NoticeChannel, NoticeStatus
from .queue import publish_batch, publish_send

log = logging.getLogger(__name__)


def enqueue_send(notice_id: int) -> None:
    """Hand the notice to Celery; a broker fault is logged and left to the resend sweeper."""
    publish_send(notice_id)


class _CommitBatch:
    """The queued notices of one transaction, published together after its commit: one message and one
    on-commit callback for all of them, however many writers (`notify_citizen`, `queue_notice`, …) the
    action calls.

    The batch lives on the connection while its callback waits in the connection's on-commit list; a
    writer that finds no batch waiting there (none yet, already published, or dropped with a savepoint that
    was rolled back, whose rows went with it) starts a new one. A row written inside a savepoint that is
    later rolled back leaves its id in a surviving batch: the worker then finds no row and does nothing.
    Outside a transaction the ids are published at once.
    """

    def __init__(self):
        self.ids: list[int] = []
        self.done = False

    def flush(self) -> None:
        ids, self.ids, self.done = sorted(self.ids), [], True
        publish_batch(ids)

    @classmethod
    def add(cls, notice_ids: Iterable[int]) -> None:
        ids = list(notice_ids)
        if not ids:
            return
        conn = transaction.get_connection()
        if not conn.in_atomic_block:
            publish_batch(ids)
            return
        batch = getattr(conn, "_notice_commit_batch", None)
        if batch is None or batch.done or not any(entry[1] == batch.flush for entry in conn.run_on_commit):
            batch = conn._notice_commit_batch = cls()
            transaction.on_commit(batch.flush)
        batch.ids.extend(ids)


def enqueue_many_on_commit(notice_ids: Iterable[int]) -> None:
    """After the caller's commit, publish each id; stop at the first broker fault (the resender goes on)."""
    ids = list(notice_ids)
    if not ids:
        return

    def publish():
        for notice_id in ids:
            if not publish_send(notice_id):
                break

    transaction.on_commit(publish)


def queue_notice(*, event: str, channel: str, recipient: str, subject: str, body: str, dedupe_key: str,
                 dossier=None, user=None) -> Notice | None:
    """Write one outbox row (or find the one already written for this key) and send it after commit."""
    if not recipient:
        return None
    in_app = channel == NoticeChannel.IN_APP
    defaults = {"event": event, "channel": channel, "recipient": recipient[:255], "subject": subject[:255],
                "body": body, "dossier": dossier, "user": user}
    if in_app:
        defaults.update(status=NoticeStatus.SENT, sent_at=timezone.now())
    try:
        with transaction.atomic():
            notice, created = Notice.objects.get_or_create(dedupe_key=dedupe_key[:255], defaults=defaults)
    except IntegrityError:  # a concurrent writer won the unique key: the notice exists once
        return Notice.objects.get(dedupe_key=dedupe_key[:255])
    if created and not in_app:
        _CommitBatch.add([notice.pk])
    return notice


def _queue_notices(candidates: list[Notice]) -> list[Notice]:
    """Write the candidate rows of one event at once, skipping dedupe keys already written (those are
    returned as they are stored), and publish the new queued ones in one message after the commit.

    PostgreSQL: one INSERT for all of them (`write_notices`' statement). Elsewhere (the embedded
    SQLite demo) one `queue_notice` each.
    """
    candidates = [n for n in candidates if n.recipient]
    if not candidates:
        return []
    if connection.vendor != "postgresql":
        out = [queue_notice(event=n.event, channel=n.channel, recipient=n.recipient, subject=n.subject,
                            body=n.body, dedupe_key=n.dedupe_key, dossier=n.dossier, user=n.user)
               for n in candidates]
        return [n for n in out if n is not None]
    now = timezone.now()
    for n in candidates:
        n.recipient, n.subject, n.dedupe_key = n.recipient[:255], n.subject[:255], n.dedupe_key[:255]
        n.status = NoticeStatus.SENT if n.channel == NoticeChannel.IN_APP else NoticeStatus.QUEUED
        n.sent_at = now if n.status == NoticeStatus.SENT else None
        n.created_at = now
    written = dict(_insert_rows([
        NoticeRow(event=n.event, channel=n.channel, recipient=n.recipient, subject=n.subject, body=n.body,
                  dedupe_key=n.dedupe_key, dossier_id=n.dossier_id, user_id=n.user_id)
        for n in candidates
    ], now))
    out: list[Notice] = []
    missing = []
    for n in candidates:
        if n.dedupe_key in written:
            n.pk = written[n.dedupe_key]
            n._state.adding, n._state.db = False, "default"
            out.append(n)
        else:
            missing.append(n.dedupe_key)
    if missing:  # written before (the same event told twice): the stored rows
        stored = {n.dedupe_key: n for n in Notice.objects.filter(dedupe_key__in=missing)}
        out = [stored.get(n.dedupe_key, n) if n.dedupe_key in missing else n for n in candidates]
        out = [n for n in out if n.pk is not None]
    _CommitBatch.add(n.pk for n in candidates if n.dedupe_key in written and n.status == NoticeStatus.QUEUED)
    return out


def notify_citizen(dossier, event: str, *, key: str = "", **extra) -> list[Notice]:
    """Tell the applicant by every channel we have for them: e-mail, SMS, and in-app for an account.

    `key` distinguishes repeatable events (a second supplement round); the same event and key for the
    same dossier is written once.
    """
    subject, body = render(event, dossier_context(dossier, **extra))
    base = f"dossier:{dossier.pk}:{event}:{key}"
    common = {"event": event, "subject": subject, "body": body, "dossier": dossier}
    candidates = []
    if dossier.applicant_email:
        candidates.append(Notice(channel=NoticeChannel.EMAIL, recipient=dossier.applicant_email,
                                 dedupe_key=f"{base}:email", **common))
    if dossier.applicant_phone:
        candidates.append(Notice(channel=NoticeChannel.SMS, recipient=dossier.applicant_phone,
                                 dedupe_key=f"{base}:sms", **common))
    if dossier.citizen_id:
        candidates.append(Notice(channel=NoticeChannel.IN_APP, recipient=dossier.citizen.get_username(),
                                 user=dossier.citizen, dedupe_key=f"{base}:in_app", **common))
    return _queue_notices(candidates)


def notify_staff(users, dossier, event: str, *, key: str = "", **extra) -> list[Notice]:
    """An in-app notice to each staff member (the assigned officer, their head)."""
    subject, body = render(event, dossier_context(dossier, **extra))
    return _queue_notices([
        Notice(event=event, channel=NoticeChannel.IN_APP, recipient=user.get_username(), subject=subject, body=body,
               dossier=dossier, user=user, dedupe_key=f"dossier:{dossier.pk}:{event}:{key}:user:{user.pk}")
        for user in {u.pk: u for u in users if u is not None}.values()
    ])


@dataclass(frozen=True)
class NoticeRow:
    """One notice for `write_notices`, already rendered."""

    event: str
    channel: str
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    dossier_id: int | None = None
    user_id: int | None = None


def write_notices(rows: Iterable[NoticeRow]) -> list[int]:
    """Write many notices in one INSERT, skipping keys already written; returns the ids written now.

    One statement whatever the number of rows (the columns travel as arrays and `unnest` turns them
    back into rows), which is what keeps the deadline sweep at a constant number of queries.
    `ON CONFLICT (dedupe_key) DO NOTHING` is what makes a second run write nothing; `RETURNING`
    names exactly the new rows, so only they are enqueued (after the caller's commit).
    """
    rows = list(rows)
    if not rows:
        return []
    written = _insert_rows(rows, timezone.now(), statuses=True)
    enqueue_many_on_commit(sorted(pk for pk, status in written if status == NoticeStatus.QUEUED))
    return sorted(pk for pk, _status in written)


def _insert_rows(rows: list[NoticeRow], now, *, statuses: bool = False) -> list[tuple[int, str]]:
    """The one INSERT of `write_notices`; returns (id, status) or (dedupe key, id) of the rows written now."""
    cols = {
        "event": [r.event for r in rows],
        "dossier_id": [r.dossier_id for r in rows],
        "channel": [r.channel for r in rows],
        "recipient": [r.recipient[:255] for r in rows],
        "user_id": [r.user_id for r in rows],
        "subject": [r.subject[:255] for r in rows],
        "body": [r.body for r in rows],
        "status": [NoticeStatus.SENT.value if r.channel == NoticeChannel.IN_APP else NoticeStatus.QUEUED.value
                   for r in rows],
        "dedupe_key": [r.dedupe_key[:255] for r in rows],
    }
    table = Notice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (event, dossier_id, channel, recipient, user_id, subject, body, status,
                                 attempts, last_error, next_attempt_at, dedupe_key, created_at, sent_at, read_at)
            SELECT t.event, t.dossier_id, t.channel, t.recipient, t.user_id, t.subject, t.body, t.status,
                   0, '', NULL, t.dedupe_key, %(now)s,
                   CASE WHEN t.status = %(sent)s THEN %(now)s::timestamptz END, NULL
            FROM unnest(%(event)s::varchar[], %(dossier_id)s::bigint[], %(channel)s::varchar[],
                        %(recipient)s::varchar[], %(user_id)s::integer[], %(subject)s::varchar[], %(body)s::text[],
                        %(status)s::varchar[], %(dedupe_key)s::varchar[])
                 AS t(event, dossier_id, channel, recipient, user_id, subject, body, status, dedupe_key)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING {"id, status" if statuses else "dedupe_key, id"}
            """,
            {**cols, "now": now, "sent": NoticeStatus.SENT.value},
        )
        return cursor.fetchall()


def mark_read(user, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's in-app notices read (all of them, or the given ones); returns how many changed."""
    qs = Notice.objects.filter(user=user, channel=NoticeChannel.IN_APP, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=list(notice_ids))
    return qs.update(read_at=timezone.now())
