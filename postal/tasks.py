"""Celery beat polls the postal service for open orders and resends those it has not accepted yet."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(name="postal.tasks.poll_postal_orders", autoretry_for=(OperationalError, InterfaceError), max_retries=2)
def poll_postal_orders() -> dict:
    from .services import poll_open_orders

    return poll_open_orders()
