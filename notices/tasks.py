"""Celery tasks of the outbox (delivery is completed in notices/delivery.py)."""

from celery import shared_task


@shared_task(name="notices.tasks.send_notice")
def send_notice(notice_id: int) -> None:
    from .delivery import deliver

    deliver(notice_id)


@shared_task(name="notices.tasks.resend_stuck_notices")
def resend_stuck_notices() -> int:
    from .delivery import resend_stuck

    return resend_stuck()
