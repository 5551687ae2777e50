"""Celery tasks of the assignments app; beat runs them (config/celery.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(name="assignments.tasks.sweep_tasks", autoretry_for=(OperationalError, InterfaceError), max_retries=2,
             retry_backoff=True)
def sweep_tasks() -> dict:
    from .deadlines import sweep

    return sweep().as_dict()


@shared_task(name="assignments.tasks.weekly_digest", autoretry_for=(OperationalError, InterfaceError), max_retries=2,
             retry_backoff=True)
def weekly_digest() -> int:
    """Beat runs it on Mondays at 07:00; the dedupe key names the ISO week, so a rerun writes nothing."""
    from .deadlines import weekly_digest as run

    return run()
