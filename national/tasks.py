"""Celery tasks of the national sync. They take ids and call `national.services`."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import DELIVER_DOSSIER, SWEEP_OUTBOX, deliver, sweep


@shared_task(name=DELIVER_DOSSIER, autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, retry_backoff_max=600, retry_jitter=True, max_retries=5)
def deliver_dossier(dossier_id: int) -> str:
    return deliver(dossier_id)


@shared_task(name=SWEEP_OUTBOX, autoretry_for=(OperationalError, InterfaceError), max_retries=2)
def sweep_outbox() -> int:
    return sweep()
