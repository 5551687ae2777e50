"""`make run` (scripts/run_portal.py): a child that dies is started again after a back-off, with a log
line, instead of stopping the portal (row 3 of issue 9); beat's schedule goes to var/, made on a fresh
clone (row 12)."""

import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.celery_worker import database_url

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "run_portal.py"


@pytest.fixture(scope="module")
def run_portal():
    spec = importlib.util.spec_from_file_location("run_portal", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_portal"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("run_portal", None)


def wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_child_that_dies_is_restarted_with_a_back_off_and_the_others_keep_running(run_portal, capsys):
    supervisor = run_portal.Supervisor(
        {"flaky": [sys.executable, "-c", "import sys; sys.exit(3)"],
         "steady": [sys.executable, "-c", "import time; time.sleep(120)"]},
        backoff_start=0.1, backoff_max=0.4, poll=0.02,
    )
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    assert wait(lambda: supervisor.process("steady") is not None)
    steady = supervisor.process("steady")
    assert wait(lambda: supervisor.restarts("flaky") >= 4)
    assert supervisor.process("steady") is steady and steady.poll() is None  # untouched
    supervisor.stop()
    thread.join(15)
    assert not thread.is_alive() and steady.poll() is not None  # Ctrl-C stops them all
    err = capsys.readouterr().err
    assert "MotCua: flaky exited with status 3; restarting it in 0.1 s" in err
    assert "restarting it in 0.2 s" in err and "restarting it in 0.4 s" in err  # doubling, capped
    assert "restarting it in 0.8 s" not in err and "MotCua: flaky restarted (restart 1)" in err
    assert "steady exited" not in err


def test_a_stop_during_a_back_off_does_not_start_the_child_again(run_portal):
    supervisor = run_portal.Supervisor({"flaky": [sys.executable, "-c", "pass"]}, backoff_start=0.5, poll=0.02)
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    assert wait(lambda: supervisor.process("flaky") is not None and supervisor.process("flaky").poll() is not None)
    supervisor.stop()
    thread.join(5)
    time.sleep(0.6)
    assert supervisor.restarts("flaky") == 0


def test_beat_starts_on_a_fresh_clone_with_its_schedule_in_redis(run_portal, tmp_path, own_redis, transactional_db):
    """With DATABASE_URL and REDIS_URL set and no var/ yet, beat starts, keeps running and holds its schedule
    (and the lock that lets every node run a beat) in Redis; without Redis the file goes to var/."""
    import redis

    root = tmp_path / "fresh-clone"
    root.mkdir()
    beat = run_portal.commands(root)["beat"]
    assert (root / "var").is_dir()
    assert f"--schedule={root / 'var' / 'celerybeat-schedule'}" in beat  # used by the embedded path
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "DEBUG")}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": database_url(),
            "REDIS_URL": own_redis.url()}
    store = redis.Redis.from_url(own_redis.url())
    log = tmp_path / "beat.log"
    with open(log, "w") as out:
        process = subprocess.Popen(beat, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            assert wait(lambda: store.exists("motcua:redbeat::schedule") or process.poll() is not None,
                        timeout=60), log.read_text()[-3000:]
            time.sleep(1)
            assert process.poll() is None, log.read_text()[-3000:]
            assert store.exists("motcua:redbeat::lock")
        finally:
            process.terminate()
            process.wait(15)


def test_make_run_leaves_nothing_in_tmp():
    text = SCRIPT.read_text() + (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "/tmp" not in text


def test_make_run_serves_the_population_stand_in_unless_a_service_is_configured(run_portal):
    """The demo's population database is the stand-in (its demo people match the demo accounts); a configured
    service replaces it."""
    env = {}
    standins = run_portal.external_standins(env)
    command = standins["population-standin"]
    assert command[1:3] == ["-m", "population.standin"] and "--token" in command
    assert env["POPULATION_SERVICE_URL"] == "http://127.0.0.1:8767"
    configured = {"POPULATION_SERVICE_URL": "https://dancu.example.vn"}
    assert "population-standin" not in run_portal.external_standins(configured)
    assert configured["POPULATION_SERVICE_URL"] == "https://dancu.example.vn"
