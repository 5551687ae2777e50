"""Faults proved against the stand-in national portal with real Celery workers and Redis.

Workers are subprocesses on this test's database and this pytest worker's Redis database; the stand-in
runs in this process, as a real HTTP server on an ephemeral port that the workers reach by DVCQG_URL.
Dossiers are taken through their whole life by the real services here; each change is then followed to
the stand-in. In every case each dossier's changes must be accepted there in order, each exactly once.
The sweeper (beat's job) is run from here, with a clock moved past its grace period.
"""

import signal
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from dossiers import services
from national.models import OutboxEntry
from national.services import sweep
from tests.celery_worker import start_worker, stop_worker, worker_env
from tests.notices.conftest import CLOSED_BROKER, broker_at
from tests.notices.test_worker import worker_redis_url

from .conftest import sent_statuses

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

LIFE = [("DongBo", "2", "False"), ("TienDo", "4"), ("TienDo", "5"), ("TienDo", "4"), ("DongBo", "4", "True"),
        ("TienDo", "9"), ("DongBo", "9", "True"), ("TienDo", "10")]
TIMEOUT = 120


class Workers:
    """Celery worker processes for the national tasks, started and killed on demand."""

    def __init__(self, standin, tmp_path):
        self.standin, self.tmp_path, self.procs = standin, tmp_path, []
        self.url = worker_redis_url()

    def env(self):
        return worker_env(
            self.url, DVCQG_URL=self.standin.url, DVCQG_USERNAME="motcua", DVCQG_PASSWORD="mat-khau",
            DVCQG_AGENCY_CODE="000.00.00.H99", DVCQG_TIMEOUT_SECONDS="1", DVCQG_RETRY_BASE_SECONDS="0.5",
            DVCQG_RETRY_MAX_SECONDS="2", DVCQG_LEASE_SECONDS="4")

    def start(self):
        process = start_worker(self.env(), self.tmp_path / f"worker-{len(self.procs)}.log", "national")
        self.procs.append(process)
        return process

    def kill(self, process):
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self):
        for p in self.procs:
            stop_worker(p)

    def logs(self) -> str:
        return "\n".join(p.log.read_text()[-3000:] for p in self.procs if p.log.exists())


@pytest.fixture
def workers(transactional_db, portal_standin, settings, tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    settings.DVCQG_LEASE_SECONDS = 4
    settings.DVCQG_TIMEOUT_SECONDS = 1
    pool = Workers(portal_standin, tmp_path)
    redis.Redis.from_url(pool.url).delete("celery")
    with broker_at(pool.url):
        try:
            yield pool
        finally:
            pool.stop()


def live(make_dossier, staff, n=3):
    """n dossiers taken through their whole life: received, routed, supplemented, decided, returned."""
    out = []
    for _ in range(n):
        d = make_dossier(4)
        d = services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"])
        d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Bản sao CCCD"}])
        d = services.decide(d, actor=staff.head, result="Đã cấp")
        d = services.return_result(d, actor=staff.desk)
        out.append(d)
    return out


def wait_delivered(workers, what="every change delivered", timeout=TIMEOUT):
    """Wait until no change waits, running the sweeper every few seconds as beat would."""
    deadline = time.monotonic() + timeout
    last_sweep = 0.0
    while time.monotonic() < deadline:
        if not OutboxEntry.objects.filter(sent_at__isnull=True).exists():
            return
        if time.monotonic() - last_sweep > 3:
            sweep(now=timezone.now() + timedelta(seconds=30))
            last_sweep = time.monotonic()
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}\n--- stand-in ---\n{workers.standin.snapshot()['refused'][-5:]}"
                f"\n--- workers ---\n{workers.logs()}")


def assert_exactly_once_in_order(standin, dossiers):
    for d in dossiers:
        assert sent_statuses(standin, d.code) == LIFE, d.code


def test_the_national_portal_down_for_a_while(workers, portal_standin, make_dossier, staff, mapped):
    workers.start()
    portal_standin.stop()  # down: connections refused
    made = live(make_dossier, staff)
    time.sleep(3)  # the worker tries, fails and backs off meanwhile
    assert portal_standin.snapshot()["accepted"] == []
    portal_standin.start()  # back on the same port
    wait_delivered(workers)
    assert_exactly_once_in_order(portal_standin, made)


@pytest.mark.parametrize("mode", ["error", "http500", "down", "garbage", "no_error_code"])
def test_the_national_portal_answering_errors(workers, portal_standin, make_dossier, staff, mapped, mode):
    portal_standin.configure(fail_rate=0.4, fail_mode=mode, seed=7)
    workers.start()
    made = live(make_dossier, staff, n=2)
    wait_delivered(workers)
    assert portal_standin.snapshot()["refused"], "the faults happened"
    assert_exactly_once_in_order(portal_standin, made)


def test_answers_slower_than_the_timeout(workers, portal_standin, make_dossier, staff, mapped):
    portal_standin.configure(slow=1.6, slow_calls=4)  # the first four calls outlast the 1 s timeout
    workers.start()
    made = live(make_dossier, staff, n=2)
    wait_delivered(workers)
    time.sleep(1.7)  # the last held call finds its caller gone
    refused = [r["why"] for r in portal_standin.snapshot()["refused"]]
    assert refused.count("abandoned by the caller") == 4
    assert_exactly_once_in_order(portal_standin, made)


def test_sessions_that_expire(workers, portal_standin, make_dossier, staff, mapped):
    portal_standin.configure(session_ttl=0.5)
    workers.start()
    made = live(make_dossier, staff, n=2)
    wait_delivered(workers)  # the first changes went out on the first session (a slow start must not skip it)
    time.sleep(1)  # past the session's lifetime
    portal_standin.configure(expire_sessions=True)
    made += live(make_dossier, staff, n=1)
    wait_delivered(workers)
    snapshot = portal_standin.snapshot()
    assert snapshot["logins"] >= 2 and any(r["why"] == "session" for r in snapshot["refused"])
    assert_exactly_once_in_order(portal_standin, made)


def test_redis_down_during_the_actions(workers, portal_standin, make_dossier, staff, mapped):
    workers.start()
    with broker_at(CLOSED_BROKER):
        made = live(make_dossier, staff, n=2)  # every publish fails: the actions still succeed
    assert OutboxEntry.objects.filter(sent_at__isnull=True).count() == 16
    wait_delivered(workers)  # the sweeper hands the backlog over once the broker answers
    assert_exactly_once_in_order(portal_standin, made)


def test_a_worker_killed_in_the_middle_of_a_send(workers, portal_standin, make_dossier, staff, mapped):
    portal_standin.configure(slow=0.8, slow_calls=1)  # the first call is held: the worker dies meanwhile
    first = workers.start()
    made = live(make_dossier, staff, n=1)
    deadline = time.monotonic() + 60
    while portal_standin.snapshot()["inflight"] == 0:
        assert time.monotonic() < deadline, workers.logs()
        time.sleep(0.05)
    workers.kill(first)
    time.sleep(1)
    assert [r["why"] for r in portal_standin.snapshot()["refused"]] == ["abandoned by the caller"]
    workers.start()  # its lease runs out; the sweeper hands the dossier to the new worker
    wait_delivered(workers)
    assert_exactly_once_in_order(portal_standin, made)


def test_two_workers_at_once(workers, portal_standin, make_dossier, staff, mapped):
    portal_standin.configure(fail_rate=0.2, seed=3)
    workers.start()
    workers.start()
    made = live(make_dossier, staff, n=4)
    for _ in range(3):  # duplicated tasks for every dossier: both workers race for the same queues
        for d in made:
            from national.services import publish

            publish(d.pk)
    wait_delivered(workers)
    assert_exactly_once_in_order(portal_standin, made)
