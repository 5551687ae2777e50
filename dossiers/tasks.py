"""Celery tasks of the dossiers app. Beat runs `sweep_deadlines` every SWEEP_INTERVAL_MINUTES and
`refresh_forecast` every FORECAST_REFRESH_MINUTES (config/celery.py)."""

from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.dateparse import parse_datetime

from .deadlines import sweep
from .lateness import refresh_forecast as refresh


def parse_now(now: str | None) -> datetime | None:
    """The `now` a test or a catch-up run passes (ISO 8601 with offset); None: the current time."""
    at = parse_datetime(now) if now else None
    if now and (at is None or at.tzinfo is None):
        raise ValueError(f"now must be an ISO 8601 datetime with offset, e.g. 2026-11-23T09:30:00+07:00, got {now!r}")
    return at


@shared_task(name="dossiers.tasks.sweep_deadlines", autoretry_for=(OperationalError, InterfaceError), max_retries=2,
             retry_backoff=True)
def sweep_deadlines(now: str | None = None) -> dict:
    """Run the deadline sweep; `now` (ISO 8601 with offset) lets a test or a catch-up run pick the time."""
    return sweep(parse_now(now)).as_dict()


@shared_task(name="dossiers.tasks.refresh_forecast", autoretry_for=(OperationalError, InterfaceError), max_retries=2,
             retry_backoff=True)
def refresh_forecast(now: str | None = None) -> dict:
    """Rebuild the step statistics and every open dossier's lateness risk (the lateness forecast)."""
    return refresh(parse_now(now)).as_dict()
