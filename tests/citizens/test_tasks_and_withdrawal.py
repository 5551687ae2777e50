"""The Celery tasks are registered under the names beat will use and run their functions; the owner may
withdraw an open dossier from their page."""

import pytest

from citizens import tasks
from dossiers.models import Dossier, Status

from .conftest import login

pytestmark = pytest.mark.django_db


def test_tasks_are_registered_and_run():
    assert tasks.sweep_feedback.name == "citizens.tasks.sweep_feedback"
    assert tasks.send_booking_reminders.name == "citizens.tasks.send_booking_reminders"
    assert tasks.sweep_feedback.apply().get() == 0
    assert tasks.send_booking_reminders.apply().get() == 0


def test_owner_withdraws_an_open_dossier(citizen, online_dossier):
    dossier = online_dossier(citizen, status=4)
    browser = login(citizen)
    assert "Rút hồ sơ" in browser.get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    response = browser.post(f"/cong-dan/ho-so/{dossier.code}/rut/", {"reason": "Không cần nữa"})
    assert response.status_code == 302
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.status == Status.WITHDRAWAL_REQUESTED and fresh.reason == "Không cần nữa"
    # Withdrawn already: the page no longer offers it, and a replay only shows the service's message.
    assert "Xác nhận rút hồ sơ" not in browser.get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    replay = browser.post(f"/cong-dan/ho-so/{dossier.code}/rut/", {"reason": "x"}, follow=True)
    assert "Không thể rút hồ sơ" in replay.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).reason == "Không cần nữa"
