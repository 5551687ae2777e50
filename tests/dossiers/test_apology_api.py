"""The apology through the API (api.md: POST …/actions/apologize/ with reason and new_appointment_at)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers.deadlines import sweep
from dossiers.models import Status

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(make_dossier):
    with time_machine.travel(MONDAY, tick=False) as clock:
        d = make_dossier(status=Status.PROCESSING)
        clock.move_to(d.appointment_at + timedelta(minutes=10))
        sweep()
        yield d


def url(d):
    return f"/api/v1/dossiers/{d.code}/actions/apologize/"


def weekday_after(d, days=2, hour=16):
    day = d.appointment_at.astimezone(TZ) + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_the_head_apologises_through_the_api(api, staff, late):
    new = weekday_after(late)
    response = api.as_user(staff.head).post(url(late), {"reason": "Chờ xác minh", "new_appointment_at": new.isoformat()},
                                            format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["appointment_at"] == new.isoformat()
    assert body["original_appointment_at"] == late.appointment_at.astimezone(TZ).isoformat()
    assert body["is_late"] is False
    notices = api.get(f"/api/v1/dossiers/{late.code}/notices/").json()["results"]
    assert sorted(n["channel"] for n in notices if n["event"] == "apology") == ["email", "sms"]

    again = api.post(url(late), {"reason": "Lần hai", "new_appointment_at": weekday_after(late, 9).isoformat()},
                     format="json")
    assert again.status_code == 409 and again.json()["code"] == "apology_already_issued"
    assert api.get(f"/api/v1/dossiers/{late.code}/").json()["appointment_at"] == new.isoformat()


def test_a_day_off_is_400_naming_the_field(api, staff, late):
    saturday = late.appointment_at.astimezone(TZ)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    response = api.as_user(staff.head).post(url(late), {"reason": "x", "new_appointment_at": saturday.isoformat()},
                                            format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["new_appointment_at"]


@pytest.mark.parametrize("body, field", [
    ({"reason": "x"}, "new_appointment_at"),
    ({"reason": "x", "new_appointment_at": "mai"}, "new_appointment_at"),
    ({"new_appointment_at": "2026-12-30T16:00:00+07:00"}, "reason"),
])
def test_bad_input_is_400(api, staff, late, body, field):
    response = api.as_user(staff.head).post(url(late), body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.content


def test_an_officer_gets_403(api, staff, late):
    response = api.as_user(staff.officer).post(url(late), {"reason": "x",
                                                           "new_appointment_at": weekday_after(late).isoformat()},
                                               format="json")
    assert response.status_code == 403


def test_another_commune_gets_404(api, staff, late, make_user, org):
    from organisation.models import Role

    stranger = make_user(roles=[(org.commune2, Role.HEAD)])
    response = api.as_user(stranger).post(url(late), {"reason": "x",
                                                      "new_appointment_at": weekday_after(late).isoformat()},
                                           format="json")
    assert response.status_code == 404
