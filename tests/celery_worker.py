"""A real Celery worker for the tests that need one: a subprocess on the test's own database and a Redis
database of the test's choosing, consuming in order (solo pool), its output in a log file the test can show
when it fails. One launcher for every such test (notices, forecast, outage, national faults, log context)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database as a URL, for a process that is not this one."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The worker's environment: this process's, minus the xdist marker (the worker must not move the
    database number again), on the test database and `redis_url`, with `extra` on top."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
            "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(), "REDIS_URL": redis_url,
            "SMS_GATEWAY_URL": "", **extra}


def start_worker(env: dict[str, str], log: Path, name: str) -> subprocess.Popen:
    """Start a worker; the caller stops it (`stop_worker`). `process.log` is its log file."""
    out = open(log, "w")  # noqa: SIM115 - closed by stop_worker
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", "celery",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO",
         "-n", f"motcua-{name}-{uuid.uuid4().hex[:8]}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
    )
    process.log, process.out = log, out
    return process


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    process.out.close()


@contextmanager
def celery_worker(env: dict[str, str], log: Path, name: str):
    process = start_worker(env, log, name)
    try:
        yield process
    finally:
        stop_worker(process)
