"""Celery tasks of the dossiers app. Beat runs `sweep_deadlines` every SWEEP_INTERVAL_MINUTES (config/celery.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.dateparse import parse_datetime

from .deadlines import sweep


@shared_task(name="dossiers.tasks.sweep_deadlines", autoretry_for=(OperationalError, InterfaceError), max_retries=2,
             retry_backoff=True)
def sweep_deadlines(now: str | None = None) -> dict:
    """Run the deadline sweep; `now` (ISO 8601 with offset) lets a test or a catch-up run pick the time."""
    at = parse_datetime(now) if now else None
    if now and (at is None or at.tzinfo is None):
        raise ValueError(f"now must be an ISO 8601 datetime with offset, got {now!r}")
    return sweep(at).as_dict()
