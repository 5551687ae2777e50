"""The lateness forecast's periodic task run by a real Celery worker: the statistics table from the finished
steps, then the risk rows. The worker cannot share a frozen clock, so the task gets an explicit `now`."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings

from dossiers.models import Dossier, DossierRisk, Status, Step, StepDurationStat
from dossiers.tasks import refresh_forecast
from organisation.models import Role
from tests.celery_worker import celery_worker, worker_env
from tests.notices.conftest import broker_at
from tests.notices.test_worker import wait_for, worker_redis_url
from worktime.services import add_working_hours, subtract_working_hours

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def worker(transactional_db, tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    url = worker_redis_url()
    redis.Redis.from_url(url).delete("celery")
    with broker_at(url), celery_worker(worker_env(url), tmp_path / "worker.log", "forecast") as process:
        yield process


def test_the_worker_builds_the_statistics_and_the_risks(worker, org, procedure):
    for k in range(8):  # Thẩm định took 14 working hours, eight times
        start = subtract_working_hours(NOW, 60 + k, org.commune)
        end = add_working_hours(start, 14, org.commune)
        d = Dossier.objects.create(code=f"HIST-{k}", procedure=procedure, agency=org.commune, status=Status.RETURNED,
                                   applicant_name="Người nộp", received_at=start, appointment_at=end, finished_at=end)
        Step.objects.create(dossier=d, order=2, name="Thẩm định", agency=org.commune, role=Role.PROCESSING_OFFICER,
                            allowance_seconds=12 * 3600, started_at=start, finished_at=end)
    tight = Dossier.objects.create(code="OPEN-1", procedure=procedure, agency=org.commune, status=Status.PROCESSING,
                                   applicant_name="Người nộp", received_at=NOW - timedelta(days=1),
                                   appointment_at=add_working_hours(NOW, 6, org.commune))
    Step.objects.create(dossier=tight, order=2, name="Thẩm định", agency=org.commune, role=Role.PROCESSING_OFFICER,
                        allowance_seconds=12 * 3600, started_at=subtract_working_hours(NOW, 1, org.commune))

    refresh_forecast.apply_async(kwargs={"now": NOW.isoformat()})
    wait_for(lambda: DossierRisk.objects.filter(dossier=tight).exists(), "the forecast task", worker.log)

    stat = StepDurationStat.objects.get(step_name="Thẩm định", agency=org.commune)
    assert stat.samples == 8 and stat.median_hours == pytest.approx(14, abs=0.01)
    assert StepDurationStat.objects.get(step_name="Thẩm định", agency=None).samples == 8
    risk = DossierRisk.objects.get(dossier=tight)
    assert risk.flagged and risk.computed_at == NOW
    assert risk.explanation["steps"][0]["typical_hours"] == pytest.approx(14, abs=0.01)
