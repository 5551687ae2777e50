"""Periodic work of the citizens' portal; each task loads fresh state and calls one function.

Beat schedule (config/celery.py, owned by the lead): `citizens.tasks.sweep_feedback` every
SWEEP_INTERVAL_MINUTES, `citizens.tasks.send_booking_reminders` every hour (it is idempotent: each
booking is reminded once, the day before).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(name="citizens.tasks.sweep_feedback", autoretry_for=(OperationalError, InterfaceError), max_retries=2)
def sweep_feedback() -> int:
    from .deadlines import sweep_feedback as sweep

    return sweep()


@shared_task(name="citizens.tasks.send_booking_reminders", autoretry_for=(OperationalError, InterfaceError),
             max_retries=2)
def send_booking_reminders() -> int:
    from .reminders import send_booking_reminders as send

    return send()
