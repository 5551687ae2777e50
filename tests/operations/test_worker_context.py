"""With a real worker: a task enqueued by a request logs that request's id, and watched runs are recorded."""

import json
import uuid

import pytest
import redis
from django.conf import settings

from operations.models import TaskRunStat
from tests.celery_worker import celery_worker, worker_env
from tests.notices.conftest import broker_at
from tests.notices.test_worker import wait_for, worker_redis_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def json_worker(transactional_db, tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    url = worker_redis_url()
    redis.Redis.from_url(url).delete("celery")
    log = tmp_path / "worker.log"
    with broker_at(url), celery_worker(worker_env(url, LOG_FORMAT="json"), log, "ops"):
        yield log


def json_lines(log):
    lines = []
    for raw in log.read_text().splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue
    return lines


def test_the_request_id_reaches_the_tasks_it_enqueues(json_worker, api, staff, procedure):
    request_id = "req-" + uuid.uuid4().hex[:12]
    api.as_user(staff.desk)
    response = api.post("/api/v1/dossiers/", {
        "procedure": procedure.code, "channel": "counter",
        "applicant": {"full_name": "Lê Văn Cường", "id_number": "079123456781", "phone": "0911222333",
                      "email": "cuong@example.vn", "address": "Thôn 3"},
    }, format="json", HTTP_X_REQUEST_ID=request_id)
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == request_id

    def lines_of_the_request():
        return [line for line in json_lines(json_worker) if line.get("request_id") == request_id]

    # the intake's notices are published as one batch task (celery.map over notices.tasks.send_notice)
    wait_for(lambda: any("succeeded" in line["message"] for line in lines_of_the_request()),
             "the notice task of the intake", json_worker)
    started = [line for line in lines_of_the_request() if line["message"].startswith("task ")]
    assert started and all(line.get("task_id") for line in started)
    assert not [line for line in json_lines(json_worker)
                if line.get("request_id") and line.get("request_id") != request_id]


def test_a_watched_periodic_task_records_its_run(json_worker):
    from notices.tasks import resend_stuck_notices

    resend_stuck_notices.delay()
    wait_for(lambda: TaskRunStat.objects.filter(task_name="notices.tasks.resend_stuck_notices").exists(),
             "the recorded run", json_worker)
    run = TaskRunStat.objects.get(task_name="notices.tasks.resend_stuck_notices")
    assert run.last_ok and run.runs == 1 and run.last_result == 0
