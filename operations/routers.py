"""Send the reads of reports to the streaming replica, when there is one.

A request whose path starts with one of `REPLICA_URL_PREFIXES` (GET or HEAD) reads from the `replica`
database alias for its whole duration (ReplicaReadsMiddleware sets the flag); a task or command can do the
same with `with reading_from_replica():`. Writes, and reads everywhere else, go to the primary, so an
action never reads its own write from a replica that lags.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)
REPLICA = "replica"


@contextmanager
def reading_from_replica():
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and settings.REPLICA_READS_ENABLED and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary's schema by streaming


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path.startswith(tuple(settings.REPLICA_URL_PREFIXES)):
            with reading_from_replica():
                return self.get_response(request)
        return self.get_response(request)
