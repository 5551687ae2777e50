"""The public calendar API on the real Vietnamese calendar (seeded from the `holidays` package)."""

from datetime import date

import pytest

from worktime import services
from worktime.models import CalendarDay

pytestmark = pytest.mark.django_db

APPOINTMENT = "/api/v1/calendar/appointment/"
DAYS = "/api/v1/calendar/days/"


@pytest.fixture
def vn_calendar(db):
    services.sync_holidays([2025, 2026])


def skipped(body):
    return [(e["date"], e["reason"]) for e in body["explanation"] if e["type"] == "skip"]


def notes(body):
    return [(e["date"], e["reason"]) for e in body["explanation"] if e["type"] == "note"]


CASES = [
    # Tết 2026: 16-20/2 off, with the weekends around them.
    pytest.param("2026-02-13T09:00:00+07:00", "1", "working_days", "2026-02-23T09:00:00+07:00",
                 ["2026-02-14", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
                  "2026-02-20", "2026-02-21", "2026-02-22"], [], id="tet-2026"),
    # Friday 16:00 + 24 h: 1 h Friday, 8 h Mon 23/2, 8 h Tue 24/2, 4.5 + 2.5 h Wed 25/2 → 16:00.
    pytest.param("2026-02-13T16:00:00+07:00", "3", "working_days", "2026-02-25T16:00:00+07:00",
                 ["2026-02-14", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
                  "2026-02-20", "2026-02-21", "2026-02-22"], [], id="tet-2026-three-days"),
    # 30/4-1/5/2025: Saturday 26/4 is a working day, Friday 2/5 is off in its place.
    pytest.param("2025-04-25T09:00:00+07:00", "2", "working_days", "2025-04-28T09:00:00+07:00",
                 ["2025-04-27"], [("2025-04-26", "swapped_working_day")], id="swapped-saturday-2025"),
    pytest.param("2025-04-29T10:00:00+07:00", "1", "working_days", "2025-05-05T10:00:00+07:00",
                 ["2025-04-30", "2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04"], [], id="30-4-2025"),
    # 2/9/2026: Saturday 22/8 works, Monday 31/8 is off in its place, 1-2/9 National Day.
    pytest.param("2026-08-21T15:00:00+07:00", "1", "working_days", "2026-08-22T15:00:00+07:00",
                 [], [("2026-08-22", "swapped_working_day")], id="swapped-saturday-2026"),
    pytest.param("2026-08-28T09:00:00+07:00", "2", "working_days", "2026-09-04T09:00:00+07:00",
                 ["2026-08-29", "2026-08-30", "2026-08-31", "2026-09-01", "2026-09-02"], [], id="2-9-2026"),
    # 24/11/2026, Vietnamese Culture Day.
    pytest.param("2026-11-23T09:00:00+07:00", "1", "working_days", "2026-11-25T09:00:00+07:00",
                 ["2026-11-24"], [], id="24-11-2026"),
    pytest.param("2026-11-23T09:00:00+07:00", "8", "working_hours", "2026-11-25T09:00:00+07:00",
                 ["2026-11-24"], [], id="24-11-2026-hours"),
    # Same-day after the 15:00 cut-off: the next working day, which skips 24/11.
    pytest.param("2026-11-23T15:30:00+07:00", "1", "same_day", "2026-11-25T17:00:00+07:00",
                 ["2026-11-24"], [("2026-11-23", "after_same_day_cutoff")], id="same-day-after-cutoff"),
    # Calendar days: 23/11 + 15 days = Tue 8/12, a working day, due at its close.
    pytest.param("2026-11-23T09:00:00+07:00", "15", "days", "2026-12-08T17:00:00+07:00",
                 [], [], id="calendar-days"),
    # Received at lunch: counting starts at 13:30; 3.5 h that afternoon, 0.5 h the next morning.
    pytest.param("2026-11-25T12:00:00+07:00", "4", "working_hours", "2026-11-26T07:30:00+07:00",
                 [], [("2026-11-25", "lunch_break")], id="lunch"),
]


@pytest.mark.parametrize("received_at, amount, unit, due, skips, note_list", CASES)
def test_appointment_table(api, vn_calendar, received_at, amount, unit, due, skips, note_list):
    resp = api.get(APPOINTMENT, {"received_at": received_at, "amount": amount, "unit": unit})
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["appointment_at"] == due
    assert [d for d, _reason in skipped(body)] == skips
    assert notes(body) == note_list
    assert body["unit"] == unit and body["agency"] is None


def test_explanation_is_vietnamese_and_names_the_holidays(api, vn_calendar):
    body = api.get(APPOINTMENT, {"received_at": "2025-04-25T09:00:00+07:00", "amount": 2,
                                 "unit": "working_days"}).json()
    saturday, sunday = body["explanation"]
    assert saturday["reason"] == "swapped_working_day"
    assert saturday["label"] == ("Thứ Bảy 26/04/2025: Ngày làm việc bù (cho ngày nghỉ 02/05/2025) – tính là ngày làm việc, "
                                 "8 giờ làm việc")
    assert saturday["params"]["working_hours"] == "8"
    # The explanation says what a working day is: 8 working hours; a day counted adds its sessions' hours.
    assert body["working_day_hours"] == 8 and "8 giờ làm việc" in body["rule"] and "4 giờ" in body["rule"]
    assert sunday == {"type": "skip", "date": "2025-04-27", "reason": "weekend",
                      "label": "Chủ nhật 27/04/2025: nghỉ cuối tuần", "params": {}}
    body = api.get(APPOINTMENT, {"received_at": "2026-11-23T09:00:00+07:00", "amount": 1,
                                 "unit": "working_days"}).json()
    assert body["explanation"][0]["label"] == "Thứ Ba 24/11/2026: Ngày Văn hóa Việt Nam"
    assert body["start_at"] == "2026-11-23T09:00:00+07:00"


@pytest.mark.parametrize("received_at", ["2026-11-23T09:00", "2026-11-23T02:00:00Z", "2026-11-23T09:00:00 07:00"])
def test_received_at_without_offset_or_with_an_unencoded_plus(api, vn_calendar, received_at):
    body = api.get(APPOINTMENT, {"received_at": received_at, "amount": 1, "unit": "working_days"}).json()
    assert body["received_at"] == "2026-11-23T09:00:00+07:00"
    assert body["appointment_at"] == "2026-11-25T09:00:00+07:00"


def test_received_at_defaults_to_now(api, vn_calendar):
    import time_machine

    with time_machine.travel("2026-11-23T01:00:00Z", tick=False):  # 08:00 in Hanoi
        body = api.get(APPOINTMENT, {"amount": 1, "unit": "same_day"}).json()
    assert body["received_at"] == "2026-11-23T08:00:00+07:00"
    assert body["appointment_at"] == "2026-11-23T17:00:00+07:00"


def test_agency_calendar_and_sessions(api, vn_calendar, org):
    services.mark_working_day(date.fromisoformat("2026-11-24"), "Trực", org.commune)
    services.set_office_sessions("07:30-11:30,13:00-17:00", org.commune)
    params = {"received_at": "2026-11-23T09:00:00+07:00", "amount": 1, "unit": "working_days"}
    body = api.get(APPOINTMENT, {**params, "agency": org.commune.code}).json()
    assert body["agency"] == org.commune.code
    assert body["appointment_at"] == "2026-11-24T09:00:00+07:00"
    assert api.get(APPOINTMENT, params).json()["appointment_at"] == "2026-11-25T09:00:00+07:00"
    day = api.get(DAYS, {"from": "2026-11-24", "to": "2026-11-24", "agency": org.commune.code}).json()["results"][0]
    assert day == {"date": "2026-11-24", "weekday": "Thứ Ba", "working": True, "reason": "extra_working_day",
                   "label": "Trực", "sessions": ["07:30-11:30", "13:00-17:00"]}


def test_days(api, vn_calendar):
    resp = api.get(DAYS, {"from": "2026-08-21", "to": "2026-09-03"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["count"] == 14 and body["next"] is None and body["agency"] is None
    by_date = {d["date"]: d for d in body["results"]}
    assert by_date["2026-08-21"] == {"date": "2026-08-21", "weekday": "Thứ Sáu", "working": True,
                                     "reason": "working_day", "label": "Ngày làm việc",
                                     "sessions": ["07:00-11:30", "13:30-17:00"]}
    assert by_date["2026-08-22"]["reason"] == "swapped_working_day" and by_date["2026-08-22"]["working"]
    assert by_date["2026-08-23"] == {"date": "2026-08-23", "weekday": "Chủ nhật", "working": False,
                                     "reason": "weekend", "label": "Nghỉ cuối tuần (Chủ nhật)", "sessions": []}
    assert [d["date"] for d in body["results"] if d["reason"] == "holiday"] == [
        "2026-08-31", "2026-09-01", "2026-09-02"]
    assert by_date["2026-09-02"]["label"] == "Quốc khánh"
    assert by_date["2026-08-31"]["label"] == "Ngày nghỉ (thay cho ngày 22/08/2026)"


def test_a_removed_day_is_working_again_through_the_api(api, vn_calendar):
    services.remove_day(date.fromisoformat("2026-11-24"))
    assert CalendarDay.objects.get(date="2026-11-24").source == "removed"
    day = api.get(DAYS, {"from": "2026-11-24", "to": "2026-11-24"}).json()["results"][0]
    assert day["working"] is True and day["reason"] == "working_day"


BAD_APPOINTMENTS = [
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": 1, "unit": "weeks"}, "unit"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": 1}, "unit"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": -1, "unit": "working_days"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": "abc", "unit": "working_days"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": "NaN", "unit": "working_days"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": "1e12", "unit": "working_days"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": 99999, "unit": "working_days"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": "2.5", "unit": "days"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": 3, "unit": "same_day"}, "amount"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "unit": "working_days"}, "amount"),
    ({"received_at": "hôm nay", "amount": 1, "unit": "working_days"}, "received_at"),
    ({"received_at": "2026-13-45T09:00:00+07:00", "amount": 1, "unit": "working_days"}, "received_at"),
    ({"received_at": "9999-12-31T16:00:00+07:00", "amount": 3000, "unit": "working_days"}, "received_at"),
    ({"received_at": "2026-11-23T09:00:00+07:00", "amount": 1, "unit": "working_days", "agency": "NOPE"}, "agency"),
]


@pytest.mark.parametrize("params, field", BAD_APPOINTMENTS)
def test_bad_appointment_input_is_a_400_naming_the_field(api, params, field):
    resp = api.get(APPOINTMENT, params)
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert set(body) == {"code", "detail", "fields"}
    assert field in body["fields"], body


BAD_DAYS = [
    ({"from": "2026-11-01"}, "to"),
    ({"to": "2026-11-01"}, "from"),
    ({"from": "01/11/2026", "to": "2026-11-30"}, "from"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
    ({"from": "2026-01-01", "to": "2027-01-02"}, "to"),
    ({"from": "2026-11-01", "to": "2026-11-30", "agency": "NOPE"}, "agency"),
]


@pytest.mark.parametrize("params, field", BAD_DAYS)
def test_bad_days_input_is_a_400_naming_the_field(api, params, field):
    resp = api.get(DAYS, params)
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["fields"]


def test_a_full_year_is_allowed(api):
    body = api.get(DAYS, {"from": "2028-01-01", "to": "2028-12-31"}).json()
    assert body["count"] == 366


def test_the_calendar_costs_few_queries_once_cached(api, vn_calendar, org, django_assert_max_num_queries):
    params = {"received_at": "2026-11-23T09:00:00+07:00", "amount": 3, "unit": "working_days",
              "agency": org.commune.code}
    api.get(APPOINTMENT, params)
    with django_assert_max_num_queries(1):  # the agency look-up only
        assert api.get(APPOINTMENT, params).status_code == 200
    with django_assert_max_num_queries(1):
        assert api.get(DAYS, {"from": "2026-01-01", "to": "2026-12-31", "agency": org.commune.code}).status_code == 200


def test_schema_documents_the_parameters(api):
    resp = api.get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    schema = resp.json()
    names = {p["name"] for p in schema["paths"]["/api/v1/calendar/appointment/"]["get"]["parameters"]}
    assert {"received_at", "amount", "unit", "agency"} <= names
    names = {p["name"] for p in schema["paths"]["/api/v1/calendar/days/"]["get"]["parameters"]}
    assert {"from", "to", "agency"} <= names
