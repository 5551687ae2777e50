"""The request id of the work in hand, carried from a request into the tasks it enqueues.

Pure Python (contextvars), so the log formatter, the middleware and the Celery signal handlers share one
place. A request id is whatever a trusted upstream (the load balancer) sent in `X-Request-ID` when it is a
short token, otherwise a fresh one.
"""

import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
task_id: ContextVar[str] = ContextVar("task_id", default="")

_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def accept_or_new(candidate: str | None) -> str:
    """The upstream's id when it is a plain token of 8-64 characters, else a new random one."""
    if candidate and _VALID.match(candidate):
        return candidate
    return uuid.uuid4().hex
