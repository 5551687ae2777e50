"""Celery tasks of the outbox. They take ids and call `notices.delivery`.

A carrier failure is not a task failure: `deliver` records it on the row and the resender hands the
row back when its backoff is over. Celery's own retry is kept for the worker's infrastructure: the
database going away mid-task.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .delivery import deliver, resend_stuck
from .queue import RESEND_STUCK_NOTICES, SEND_NOTICE


@shared_task(
    name=SEND_NOTICE,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_notice(notice_id: int) -> str:
    return deliver(notice_id)


@shared_task(name=RESEND_STUCK_NOTICES, autoretry_for=(OperationalError, InterfaceError), max_retries=2)
def resend_stuck_notices() -> int:
    return resend_stuck()
