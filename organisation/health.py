"""`/healthz` and `/readyz` for load balancers and orchestrators (api.md "Health").

`/healthz` answers 200 while the process serves requests and touches nothing else. `/readyz` asks the
database, the cache and the broker, each in its own thread with a short time-out (they run side by
side, so the answer takes the slowest one at most), and answers 200 when all three do, else 503 naming
the parts that failed. No login, no personal data, no error text: the reasons go to the log.
"""

from __future__ import annotations

import logging
import threading
import uuid

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connections
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

log = logging.getLogger(__name__)

# Seconds each readiness check may take before it counts as failed.
CHECK_TIMEOUT = 2.0

OK, UNAVAILABLE, TIMEOUT = "ok", "unavailable", "timeout"


def check_database() -> None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread's own connection


def check_cache() -> None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Straight to Redis: the portal's cache would answer from its fallback memory (config/cache.py).
        backend._cache.get_client(None, write=True).ping()
        return
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    backend.set(key, value, 10)
    if backend.get(key) != value:
        raise RuntimeError("the cache did not keep a value")
    backend.delete(key)


def check_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT)
        conn.default_channel  # noqa: B018 - the redis transport pings the server here


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def run_checks(timeout: float = CHECK_TIMEOUT) -> dict[str, str]:
    results: dict[str, str] = {}

    def run(name, check):
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any fault of a dependency is "not ready"
            log.warning("readyz: %s unavailable: %s: %s", name, type(exc).__name__, exc)
            results[name] = UNAVAILABLE
        else:
            results[name] = OK

    threads = {name: threading.Thread(target=run, args=(name, check), daemon=True) for name, check in CHECKS.items()}
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(timeout)  # side by side: the whole wait is about one time-out
    out = {}
    for name in CHECKS:
        out[name] = results.get(name, TIMEOUT)
        if out[name] == TIMEOUT:
            log.warning("readyz: %s did not answer within %.1f s", name, timeout)
    return out


_STATUS = inline_serializer("HealthStatus", {"status": serializers.CharField()})
_READY = inline_serializer("ReadyStatus", {
    "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
    "checks": serializers.DictField(child=serializers.ChoiceField(choices=[OK, UNAVAILABLE, TIMEOUT]),
                                    help_text="database, cache and broker: ok, unavailable or timeout"),
})


class HealthView(APIView):
    """Liveness: 200 while the process serves requests."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(tags=["health"], summary="Liveness", responses={200: _STATUS})
    def get(self, request):
        return Response({"status": "ok"})


class ReadyView(APIView):
    """Readiness: the database, the cache and the broker answer."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(tags=["health"], summary="Readiness", responses={
        200: _READY, 503: OpenApiResponse(_READY, description="the parts that failed are named in checks")})
    def get(self, request):
        checks = run_checks()
        ready = all(v == OK for v in checks.values())
        response = Response({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
        response["Cache-Control"] = "no-store"
        return response
