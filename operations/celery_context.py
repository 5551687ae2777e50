"""Celery signal handlers: the request id travels with a task, and watched tasks record how they ran.

- `before_task_publish` puts the current request id in the message headers;
- `task_prerun` makes that id (and the task's own id) the context of the task's log lines;
- `task_postrun` writes the last run of a periodic task (duration, result) for the metrics endpoint.
"""

import logging
import time

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.db import DatabaseError
from django.utils import timezone

from . import context

log = logging.getLogger(__name__)

# The periodic tasks whose runs an operator watches (config/celery.py declares them).
WATCHED_TASKS = {
    "dossiers.tasks.sweep_deadlines",
    "notices.tasks.resend_stuck_notices",
    "citizens.tasks.sweep_feedback",
    "citizens.tasks.send_booking_reminders",
    "assignments.tasks.sweep_tasks",
    "assignments.tasks.weekly_digest",
    "payments.tasks.reconcile_payments",
    "postal.tasks.poll_postal_orders",
    "national.tasks.sweep_outbox",
    "reporting.tasks.rebuild_recent_report_months",
}
_started: dict[str, tuple[float, object]] = {}
_tokens: dict[str, tuple] = {}


@before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    rid = context.request_id.get()
    if rid and headers is not None and "request_id" not in headers:
        headers["request_id"] = rid


def _incoming_request_id(task) -> str:
    req = task.request
    rid = getattr(req, "request_id", None) or (getattr(req, "headers", None) or {}).get("request_id")
    return rid if isinstance(rid, str) else ""


@task_prerun.connect
def enter_task_context(task_id=None, task=None, **kwargs):
    _tokens[task_id] = (
        context.request_id.set(_incoming_request_id(task) or ""),
        context.task_id.set(task_id or ""),
    )
    if task is not None:
        log.info("task %s started", task.name)
        if task.name in WATCHED_TASKS:
            _started[task_id] = (time.perf_counter(), timezone.now())


@task_postrun.connect
def leave_task_context(task_id=None, task=None, retval=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is not None:
        record_run(task.name, started_at=started[1], duration_s=time.perf_counter() - started[0],
                   ok=state == "SUCCESS", result=retval)
    tokens = _tokens.pop(task_id, None)
    if tokens:
        context.request_id.reset(tokens[0])
        context.task_id.reset(tokens[1])


def record_run(task_name: str, *, started_at, duration_s: float, ok: bool, result) -> None:
    """Upsert the task's last run; a database error here must never fail the task itself."""
    from django.db.models import F

    from .models import TaskRunStat

    if not isinstance(result, dict | list | int | float | str | bool | type(None)):
        result = repr(result)
    values = {"last_started_at": started_at, "last_duration_ms": max(0, round(duration_s * 1000)),
              "last_ok": ok, "last_result": result}
    try:
        updated = TaskRunStat.objects.filter(task_name=task_name).update(
            runs=F("runs") + 1, failures=F("failures") + (0 if ok else 1), **values
        )
        if not updated:
            TaskRunStat.objects.get_or_create(task_name=task_name, defaults={**values, "runs": 1,
                                                                            "failures": 0 if ok else 1})
    except DatabaseError:
        log.warning("could not record the run of %s", task_name, exc_info=True)
