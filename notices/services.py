"""Writing notices into the outbox, inside the caller's transaction.

A notice row is written in the same transaction as the change it tells of; sending is enqueued on
commit. If the broker is down the row simply waits: `resend_stuck_notices` picks it up later. The
unique `dedupe_key` keeps one notice per event and recipient, however often the writer runs.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from .messages import dossier_context, render
from .models import Notice, NoticeChannel

log = logging.getLogger(__name__)


def enqueue_send(notice_id: int) -> None:
    """Hand the notice to Celery; a broker fault is logged and left to the resend sweeper."""
    try:
        from .tasks import send_notice

        send_notice.apply_async((notice_id,), retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker fault leaves the row queued
        log.warning("notice %s left in the outbox: broker unavailable (%s)", notice_id, exc)


def queue_notice(*, event: str, channel: str, recipient: str, subject: str, body: str, dedupe_key: str,
                 dossier=None, user=None) -> Notice | None:
    """Write one outbox row (or find the one already written for this key) and send it after commit."""
    if not recipient:
        return None
    try:
        with transaction.atomic():
            notice, created = Notice.objects.get_or_create(
                dedupe_key=dedupe_key[:255],
                defaults={"event": event, "channel": channel, "recipient": recipient[:255], "subject": subject[:255],
                          "body": body, "dossier": dossier, "user": user},
            )
    except IntegrityError:  # a concurrent writer won the unique key: the notice exists once
        return Notice.objects.get(dedupe_key=dedupe_key[:255])
    if created:
        transaction.on_commit(lambda: enqueue_send(notice.pk))
    return notice


def notify_citizen(dossier, event: str, *, key: str = "", **extra) -> list[Notice]:
    """Tell the applicant by every channel we have for them: e-mail, SMS, and in-app for an account.

    `key` distinguishes repeatable events (a second supplement round); the same event and key for the
    same dossier is written once.
    """
    subject, body = render(event, dossier_context(dossier, **extra))
    base = f"dossier:{dossier.pk}:{event}:{key}"
    notices = []
    if dossier.applicant_email:
        notices.append(queue_notice(event=event, channel=NoticeChannel.EMAIL, recipient=dossier.applicant_email,
                                    subject=subject, body=body, dossier=dossier, dedupe_key=f"{base}:email"))
    if dossier.applicant_phone:
        notices.append(queue_notice(event=event, channel=NoticeChannel.SMS, recipient=dossier.applicant_phone,
                                    subject=subject, body=body, dossier=dossier, dedupe_key=f"{base}:sms"))
    if dossier.citizen_id:
        notices.append(queue_notice(event=event, channel=NoticeChannel.IN_APP, recipient=dossier.citizen.get_username(),
                                    subject=subject, body=body, dossier=dossier, user=dossier.citizen,
                                    dedupe_key=f"{base}:in_app"))
    return [n for n in notices if n is not None]


def notify_staff(users, dossier, event: str, *, key: str = "", **extra) -> list[Notice]:
    """An in-app notice to each staff member (the assigned officer, their head)."""
    subject, body = render(event, dossier_context(dossier, **extra))
    notices = []
    for user in {u.pk: u for u in users if u is not None}.values():
        notices.append(queue_notice(event=event, channel=NoticeChannel.IN_APP, recipient=user.get_username(),
                                    subject=subject, body=body, dossier=dossier, user=user,
                                    dedupe_key=f"dossier:{dossier.pk}:{event}:{key}:user:{user.pk}"))
    return [n for n in notices if n is not None]
