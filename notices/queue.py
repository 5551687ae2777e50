"""Handing outbox rows to the Celery worker: the writer's side of the queue.

The writers (`notices.services`, the resender in `notices.delivery`) publish the task by its name; the
worker's side, `notices.tasks`, registers the handler under that name and calls `notices.delivery`. So
the services never import the tasks that call them, and the dependency runs one way: tasks → delivery →
queue. The same pattern is `national.services.publish` and the beat schedule in `config/celery.py`.

A publish never retries and connects with a short timeout (settings: CELERY_BROKER_CONNECTION_* and
CELERY_TASK_PUBLISH_RETRY), so a dead broker costs a request about two seconds at worst, and returns
False (and a log line): the row stays queued in the outbox and `resend_stuck_notices` hands it over later.
"""

from __future__ import annotations

import logging

from celery import current_app, xmap

log = logging.getLogger(__name__)

# The worker's task names (`notices.tasks`); the message is the notice's id.
SEND_NOTICE = "notices.tasks.send_notice"
RESEND_STUCK_NOTICES = "notices.tasks.resend_stuck_notices"


def publish_send(notice_id: int) -> bool:
    """Hand the notice to Celery now; False (and a log line) when the broker cannot take it."""
    try:
        current_app.signature(SEND_NOTICE, args=(notice_id,)).apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker fault leaves the row queued for the resender
        log.warning("notice %s left in the outbox: broker unavailable (%s)", notice_id, exc)
        return False
    return True


def publish_batch(notice_ids: list[int]) -> bool:
    """Hand a transaction's few notices to Celery in one message; False when the broker cannot take it.

    One id is the plain `send_notice` task; several travel as one `celery.map` message over `send_notice`,
    which the worker runs one after another. A notice that such a batch leaves unsent (the worker died,
    the database went away) is still queued in the outbox, and `resend_stuck_notices` hands it over again.
    """
    if not notice_ids:
        return True
    # The message's `argsrepr` (what the worker logs and the monitors show) written here: Celery's own
    # saferepr of a `celery.map` message walks the whole signature, ~0.2 ms of the request's CPU.
    try:
        if len(notice_ids) == 1:
            current_app.signature(SEND_NOTICE, args=(notice_ids[0],)).apply_async(
                retry=False, argsrepr=f"({notice_ids[0]!r},)", kwargsrepr="{}")
        else:
            xmap(current_app.signature(SEND_NOTICE), list(notice_ids), app=current_app).apply_async(
                retry=False, argsrepr=f"({SEND_NOTICE!r}, {list(notice_ids)!r})", kwargsrepr="{}")
    except Exception as exc:  # noqa: BLE001 - any broker fault leaves the rows queued for the resender
        log.warning("notices %s left in the outbox: broker unavailable (%s)", notice_ids, exc)
        return False
    return True
