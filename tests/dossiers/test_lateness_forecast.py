"""The lateness forecast with PostgreSQL: the statistics from finished steps, a risk row per open dossier,
the flag on the worklist and the dossier page, the count on the dashboard, each within the viewer's scope."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import lateness
from dossiers.models import Dossier, DossierRisk, Status, Step, StepDurationStat
from organisation.models import Role
from procedures.text import fold
from worktime.services import add_working_hours, subtract_working_hours

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def dossier(procedure, agency, *, status=Status.RETURNED, received=None, appointment=None, finished=None,
            supplements=0) -> Dossier:
    i = next(_seq)
    received = received or NOW - timedelta(days=20)
    return Dossier.objects.create(
        code=f"{agency.code}-261101-{i:04d}", procedure=procedure, agency=agency, current_agency=agency, status=status,
        applicant_name=f"Người nộp {i}", applicant_search=fold(f"Người nộp {i}"), received_at=received,
        appointment_at=appointment or received + timedelta(days=5), finished_at=finished,
        supplement_count=supplements,
    )


def history(procedure, agency, name, hours_list, *, order=2, **extra):
    """Finished dossiers whose step `name` took each of `hours_list` working hours at `agency`."""
    for k, hours in enumerate(hours_list):
        start = subtract_working_hours(NOW, 40 + k, agency)
        end = add_working_hours(start, hours, agency)
        d = dossier(procedure, agency, finished=end, **extra)
        Step.objects.create(dossier=d, order=order, name=name, agency=agency, role=Role.PROCESSING_OFFICER,
                            allowance_seconds=12 * 3600, started_at=start, finished_at=end)


def open_dossier(procedure, agency, *, hours_left, elapsed=1, assignee=None) -> Dossier:
    """At Thẩm định for `elapsed` working hours, due in `hours_left`, with Phê duyệt to follow."""
    appointment = add_working_hours(NOW, hours_left, agency)
    d = dossier(procedure, agency, status=Status.PROCESSING, received=NOW - timedelta(days=2), appointment=appointment)
    Step.objects.create(dossier=d, order=1, name="Tiếp nhận, chuyển hồ sơ", agency=agency, role=Role.DESK_OFFICER,
                        allowance_seconds=4 * 3600, started_at=NOW - timedelta(days=2), finished_at=NOW - timedelta(days=1))
    Step.objects.create(dossier=d, order=2, name="Thẩm định", agency=agency, role=Role.PROCESSING_OFFICER,
                        assignee=assignee, allowance_seconds=12 * 3600,
                        started_at=subtract_working_hours(NOW, elapsed, agency))
    Step.objects.create(dossier=d, order=3, name="Phê duyệt", agency=agency, role=Role.HEAD, allowance_seconds=8 * 3600)
    return d


@pytest.fixture
def scene(org, procedure):
    """Thẩm định takes 14 working hours at the first commune (20 cases) and 2 at the second; Phê duyệt 1 hour
    at both. Two open dossiers at each commune: one due in 6 working hours, one in 60."""
    history(procedure, org.commune, "Thẩm định", [14] * 20)
    history(procedure, org.commune2, "Thẩm định", [2] * 20)
    for agency in (org.commune, org.commune2):
        history(procedure, agency, "Phê duyệt", [1] * 10, order=3)
    # Not evidence: a supplement's waiting time, a refusal's cut-short step, a step finished too long ago.
    history(procedure, org.commune2, "Thẩm định", [200] * 10, supplements=1)
    history(procedure, org.commune2, "Thẩm định", [200] * 10, status=Status.REFUSED)

    class Scene:
        tight = open_dossier(procedure, org.commune, hours_left=6)
        easy = open_dossier(procedure, org.commune, hours_left=60)
        tight2 = open_dossier(procedure, org.commune2, hours_left=6)
        easy2 = open_dossier(procedure, org.commune2, hours_left=60)
    return Scene


def test_the_statistics_come_from_the_finished_steps_per_agency_and_over_all(scene, org, procedure):
    written = lateness.refresh_step_stats()
    stats = {(s.step_name, s.agency_id): s for s in StepDurationStat.objects.all()}
    assert written == len(stats) == 9  # three steps (the open dossiers' desk step too) × (two communes + all)
    first, second = stats[("Thẩm định", org.commune.pk)], stats[("Thẩm định", org.commune2.pk)]
    assert first.samples == 20 and first.median_hours == pytest.approx(14, abs=0.01)
    assert second.samples == 20 and second.median_hours == pytest.approx(2, abs=0.01)  # 200 h cases left out
    pooled = stats[("Thẩm định", None)]
    assert pooled.samples == 40 and max(pooled.quantiles) == pytest.approx(14, abs=0.01)
    assert stats[("Phê duyệt", org.commune.pk)].samples == 10


def test_old_steps_leave_the_window(org, procedure, settings):
    settings.FORECAST_WINDOW_DAYS = 5  # the history's steps finished about a week ago
    history(procedure, org.commune, "Thẩm định", [14] * 20)
    assert lateness.refresh_step_stats() == 0


def test_a_risk_row_per_open_dossier_flagging_the_tight_one_at_the_slow_agency(scene, org, procedure):
    counts = lateness.refresh_forecast()
    assert counts.dossiers == 4 and counts.stats == 9
    risks = {r.dossier_id: r for r in DossierRisk.objects.all()}
    assert set(risks) == {scene.tight.pk, scene.easy.pk, scene.tight2.pk, scene.easy2.pk}
    assert risks[scene.tight.pk].flagged and risks[scene.tight.pk].probability > 0.9
    assert not risks[scene.easy.pk].flagged and risks[scene.easy.pk].probability < 0.05
    # The same 6 hours are enough where Thẩm định takes 2 hours.
    assert not risks[scene.tight2.pk].flagged
    explanation = risks[scene.tight.pk].explanation
    assert explanation["steps"][0]["name"] == "Thẩm định" and explanation["steps"][0]["basis"] == "agency"
    assert explanation["hours_left"] == pytest.approx(6)
    assert lateness.explain(explanation).startswith("Bước Thẩm định thường mất 14 giờ làm việc")
    assert lateness.explain(explanation).endswith("còn 6 giờ làm việc đến hạn")


def test_rows_of_dossiers_no_longer_open_are_removed(scene):
    lateness.refresh_forecast()
    Dossier.objects.filter(pk=scene.tight.pk).update(status=Status.DECIDED, finished_at=NOW)
    Dossier.objects.filter(pk=scene.easy.pk).update(status=Status.SUPPLEMENT_REQUESTED)
    counts = lateness.refresh_risks()
    assert counts.removed == 2
    assert set(DossierRisk.objects.values_list("dossier_id", flat=True)) == {scene.tight2.pk, scene.easy2.pk}


def test_the_command_refreshes(scene, capsys):
    call_command("refresh_forecast", "--now", NOW.isoformat())
    out = capsys.readouterr().out
    assert "dossiers: 4" in out and "flagged: 1" in out


def test_the_worklist_shows_the_flag_with_its_reason_within_scope(client, scene, staff, org, make_user):
    lateness.refresh_forecast()
    client.force_login(staff.manager)  # the province: both communes
    html = client.get("/ho-so/", {"tab": "tat-ca", "status": 4}).content.decode()
    assert html.count("Nguy cơ trễ hạn") == 1
    assert "Bước Thẩm định thường mất 14 giờ làm việc" in html and "còn 6 giờ làm việc đến hạn" in html
    other = make_user(roles=[(org.commune2, Role.DESK_OFFICER)])
    client.force_login(other)
    assert "Nguy cơ trễ hạn" not in client.get("/ho-so/", {"tab": "tat-ca", "status": 4}).content.decode()


def test_the_worklist_in_english(client, scene, staff, settings):
    lateness.refresh_forecast()
    client.force_login(staff.manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/ho-so/", {"tab": "tat-ca", "status": 4}).content.decode()
    assert "At risk of being late" in html
    assert "The step Thẩm định usually takes 14 working hours" in html


def test_a_stale_row_is_not_shown(client, scene, staff):
    lateness.refresh_forecast()
    # An apology moved the appointment since: the row was computed against another due time.
    Dossier.objects.filter(pk=scene.tight.pk).update(appointment_at=NOW + timedelta(days=9))
    client.force_login(staff.manager)
    assert "Nguy cơ trễ hạn" not in client.get("/ho-so/", {"tab": "tat-ca", "status": 4}).content.decode()


def test_the_worklist_pays_one_query_for_the_risks(client, scene, staff, procedure, org):
    lateness.refresh_forecast()
    client.force_login(staff.manager)
    counts = {}
    for extra in (0, 20):
        for _ in range(extra):
            open_dossier(procedure, org.commune, hours_left=6)
        lateness.refresh_risks()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/ho-so/", {"tab": "tat-ca", "status": 4}).status_code == 200
        risk_queries = [q["sql"] for q in ctx.captured_queries if "dossiers_dossierrisk" in q["sql"]]
        assert len(risk_queries) == 1, risk_queries
        counts[extra] = len(ctx.captured_queries)
    assert counts[0] == counts[20]


def test_the_dossier_page_explains_the_risk(client, scene, staff):
    lateness.refresh_step_stats()  # the page computes its own dossier's risk from the statistics
    client.force_login(staff.manager)
    html = client.get(f"/ho-so/{scene.tight.code}/").content.decode()
    assert "Nguy cơ trễ hạn" in html and "Bước Thẩm định thường mất 14 giờ làm việc" in html
    assert "Nguy cơ trễ hạn" not in client.get(f"/ho-so/{scene.easy.code}/").content.decode()


def test_the_dashboard_counts_within_scope(client, scene, staff, org, make_user, procedure):
    open_dossier(procedure, org.commune2, hours_left=1, elapsed=1)  # tight even where the step is quick
    lateness.refresh_forecast()
    assert DossierRisk.objects.filter(flagged=True).count() == 2

    def count(user, **params):
        client.force_login(user)
        response = client.get("/bao-cao/", params)
        assert response.status_code == 200
        return response.context["at_risk"]

    assert count(staff.manager) == 2
    assert count(staff.manager, agency=org.commune.code) == 1
    commune_manager = make_user(roles=[(org.commune2, Role.MANAGER)])
    assert count(commune_manager) == 1
    html = client.get("/bao-cao/").content.decode()
    assert "Nguy cơ trễ hạn" in html
