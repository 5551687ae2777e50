"""Celery beat asks the gateway about payments left pending (config/celery.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(name="payments.tasks.reconcile_payments", autoretry_for=(OperationalError, InterfaceError),
             max_retries=2)
def reconcile_payments() -> dict:
    from .services import reconcile_pending

    return reconcile_pending()
