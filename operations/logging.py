"""JSON log lines: one object per record, with the request id and the Celery task id when there is one.

Used by the LOGGING setting when `LOG_FORMAT=json` (the default in production); the demo keeps plain text.
"""

import json
import logging
from datetime import UTC, datetime

from . import context

# Attributes every LogRecord has; anything else was passed in `extra=` and is kept as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName", "request_id", "task_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid, tid = context.request_id.get(), context.task_id.get()
        if rid:
            entry["request_id"] = rid
        if tid:
            entry["task_id"] = tid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` to every record, for the plain-text format too."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id.get() or "-"
        record.task_id = context.task_id.get() or "-"
        return True
