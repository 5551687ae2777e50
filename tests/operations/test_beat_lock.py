"""Beat on every node: one holds the schedule's lock in Redis, and another takes over when it dies."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

pytestmark = pytest.mark.celery_worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own (never the shared one)."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def start_beat(redis_url, log):
    env = {**{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
           "DJANGO_SETTINGS_MODULE": "config.settings.test", "REDIS_URL": redis_url, "BEAT_LOCK_SECONDS": "4"}
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
                            cwd=settings.BASE_DIR, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def holders(logs):
    return [i for i, log in enumerate(logs) if "Acquired lock" in log.read_text()]


def wait_until(predicate, timeout, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail("timed out\n" + "\n".join(f"--- {log}\n{log.read_text()[-2000:]}" for log in logs))


def test_one_beat_holds_the_lock_and_another_takes_over(own_redis, tmp_path):
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    beats = [start_beat(own_redis, log) for log in logs]
    try:
        wait_until(lambda: len(holders(logs)) == 1, 60, logs)
        time.sleep(3)  # a second beat that ignored the lock would have acquired it by now
        assert len(holders(logs)) == 1
        first = holders(logs)[0]
        beats[first].send_signal(signal.SIGKILL)  # dies without releasing the lock
        other = 1 - first
        wait_until(lambda: other in holders(logs), 30, logs)
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.terminate()
                try:
                    beat.wait(10)
                except subprocess.TimeoutExpired:
                    beat.kill()
