"""Defects found in review: routing to an unrelated agency, the control sheet for citizens, the apology's
version check under its own lock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers import services
from dossiers.models import Apology, Dossier, Step
from organisation.models import Agency, AgencyLevel

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"


def test_a_dossier_cannot_be_routed_to_an_unrelated_agency(api, staff, org, make_dossier):
    d = make_dossier(4)
    elsewhere = Agency.objects.create(code="000.09.09.H98", name="UBND xã Nơi Khác", level=AgencyLevel.COMMUNE)

    response = api.as_user(staff.officer).post(f"{URL}{d.code}/actions/transfer/", {"to_agency": elsewhere.code},
                                               format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "destination_not_allowed" and "to_agency" in response.json()["fields"]
    assert not Step.objects.filter(dossier=d, agency=elsewhere).exists()
    assert Dossier.objects.get(pk=d.pk).version == d.version


def test_routing_up_to_the_province_is_still_allowed(api, staff, org, make_dossier):
    d = make_dossier(4)
    response = api.as_user(staff.officer).post(f"{URL}{d.code}/actions/transfer/",
                                               {"to_agency": org.province.code}, format="json")
    assert response.status_code == 200, response.content
    assert Step.objects.filter(dossier=d, agency=org.province, started_at__isnull=False).exists()


def test_the_control_sheet_is_for_staff_only(api, staff, org, procedure, make_user):
    owner = make_user("citizen-own")
    d = services.submit_online(citizen=owner, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    d = services.receive(d, actor=staff.desk)

    assert api.as_user(owner).get(f"{URL}{d.code}/documents/control-sheet.pdf").status_code == 404
    assert api.as_user(owner).get(f"{URL}{d.code}/documents/receipt.pdf").status_code == 200
    assert api.as_user(staff.desk).get(f"{URL}{d.code}/documents/control-sheet.pdf").status_code == 200


def test_a_stale_version_on_the_apology_is_a_409_and_changes_nothing(api, staff, make_dossier):
    d = make_dossier(4)
    Dossier.objects.filter(pk=d.pk).update(appointment_at=timezone.now() - timedelta(hours=1), is_late=True,
                                           apology_opened_at=timezone.now() - timedelta(hours=2))
    new_date = (timezone.localtime() + timedelta(days=14)).replace(hour=16, minute=0, second=0, microsecond=0)
    while new_date.weekday() >= 5:
        new_date += timedelta(days=1)

    response = api.as_user(staff.head).post(
        f"{URL}{d.code}/actions/apologize/",
        {"reason": "Chờ xác minh", "new_appointment_at": new_date.isoformat(), "expected_version": d.version - 1},
        format="json",
    )

    assert response.status_code == 409 and response.json()["code"] == "concurrent_change"
    assert not Apology.objects.filter(dossier=d).exists()


def test_a_citizen_sees_the_steps_but_not_the_officers(api, staff, org, procedure, make_user):
    owner = make_user("citizen-steps")
    d = services.submit_online(citizen=owner, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    d = services.receive(d, actor=staff.desk)
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)

    mine = api.as_user(owner).get(f"{URL}{d.code}/").json()["steps"]
    theirs = api.as_user(staff.desk).get(f"{URL}{d.code}/").json()["steps"]

    assert mine and all(s["assignee"] is None and s["assignee_name"] is None and s["handed_by"] is None for s in mine)
    assert any(s["assignee"] == staff.officer.get_username() for s in theirs)
    assert [s["name"] for s in mine] == [s["name"] for s in theirs]
