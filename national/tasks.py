"""Celery tasks of the national sync. They take ids and call `national.services`."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(name="national.tasks.deliver_dossier", autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, retry_backoff_max=600, retry_jitter=True, max_retries=5)
def deliver_dossier(dossier_id: int) -> str:
    from .services import deliver

    return deliver(dossier_id)


@shared_task(name="national.tasks.sweep_outbox", autoretry_for=(OperationalError, InterfaceError), max_retries=2)
def sweep_outbox() -> int:
    from .services import sweep

    return sweep()
