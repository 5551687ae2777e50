"""The calculator page for desk officers, the calendar page administrators edit, and the admin screens."""

from datetime import date, time

import pytest
import time_machine
from django.urls import reverse

from organisation.models import Role
from worktime import services
from worktime.models import CalendarDay, OfficeSession

pytestmark = pytest.mark.django_db

CALCULATOR = "/lich/"
CALENDAR = "/lich/ngay-nghi/"


@pytest.fixture
def vn_calendar(db):
    services.sync_holidays([2026])


@pytest.fixture
def administrator(org, make_user):
    return make_user("quantri", roles=[(org.commune, Role.ADMINISTRATOR)])


def test_urls():
    assert reverse("worktime:calculator") == CALCULATOR
    assert reverse("worktime:calendar") == CALENDAR


def test_calculator_defaults_to_now_and_the_officers_agency(client, staff, org):
    client.force_login(staff.desk)
    with time_machine.travel("2026-11-23T02:15:00Z", tick=False):
        resp = client.get(CALCULATOR)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'value="2026-11-23T09:15"' in html
    assert f'<option value="{org.commune.code}" selected>' in html
    assert 'for="id_received_at"' in html and 'for="id_amount"' in html and 'for="id_unit"' in html
    # a desk officer is offered only their own agency, plus the national calendar
    assert org.commune2.code not in html


def test_calculator_shows_the_appointment_and_explanation(client, vn_calendar):
    resp = client.get(CALCULATOR, {"received_at": "2026-11-23T09:00", "amount": "1", "unit": "working_days",
                                   "agency": ""})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "09:00 Thứ Tư, 25/11/2026" in html
    assert "Thứ Ba 24/11/2026: Ngày Văn hóa Việt Nam" in html
    # The items' kind is not a bare class: `.skip` is the hidden skip link's rule (issue 16).
    assert 'class="explain-skip explain-holiday"' in html and 'class="skip' not in html.split("<main")[1]
    assert "Một ngày làm việc tính 8 giờ làm việc" in html


def test_calculator_uses_the_agency_calendar(client, staff, org, vn_calendar):
    services.mark_working_day(date(2026, 11, 24), "Trực", org.commune)
    client.force_login(staff.desk)
    resp = client.get(CALCULATOR, {"received_at": "2026-11-23T09:00", "amount": "1", "unit": "working_days",
                                   "agency": org.commune.code})
    assert "09:00 Thứ Ba, 24/11/2026" in resp.content.decode()


@pytest.mark.parametrize("params, field", [
    ({"received_at": "hôm qua", "amount": "1", "unit": "working_days"}, "received_at"),
    ({"received_at": "2026-11-23T09:00", "amount": "-2", "unit": "working_days"}, "amount"),
    ({"received_at": "2026-11-23T09:00", "amount": "2.5", "unit": "days"}, "amount"),
    ({"received_at": "2026-11-23T09:00", "amount": "1", "unit": "weeks"}, "unit"),
    ({"received_at": "2026-11-23T09:00", "amount": "1", "unit": "working_days", "agency": "NOPE"}, "agency"),
])
def test_calculator_shows_errors_next_to_the_field(client, params, field):
    resp = client.get(CALCULATOR, params)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'id="appointment-at"' not in html


def test_calendar_page_requires_login_and_a_staff_role(client, make_user, staff):
    resp = client.get(CALENDAR)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    client.force_login(make_user("congdan"))
    assert client.get(CALENDAR).status_code == 403


def test_staff_see_the_calendar_read_only_and_cannot_edit(client, staff, vn_calendar):
    client.force_login(staff.desk)
    resp = client.get(CALENDAR, {"year": 2026, "month": 9})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Quốc khánh" in html and "02/09/2026" in html
    assert 'id="form-holiday"' not in html
    resp = client.post(CALENDAR, {"action": "holiday", "holiday-date": "2026-12-01", "holiday-label": "Nghỉ"})
    assert resp.status_code == 403
    assert not CalendarDay.objects.filter(date=date(2026, 12, 1)).exists()


def test_manager_of_the_province_cannot_edit_either(client, staff):
    client.force_login(staff.manager)
    resp = client.post(CALENDAR, {"action": "holiday", "holiday-date": "2026-12-01", "holiday-label": "Nghỉ"})
    assert resp.status_code == 403


def test_year_view_counts_working_days_and_lists_swapped_saturdays(client, administrator, vn_calendar):
    client.force_login(administrator)
    resp = client.get(CALENDAR, {"year": 2026})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "Ngày làm việc bù (cho ngày nghỉ 31/08/2026)" in html
    assert "Tết Nguyên Đán" in html
    months = {m["month"]: m for m in resp.context["months"]}
    # February 2026: 20 weekdays, 5 of them Tết holidays.
    assert months[2]["working"] == 15
    # August 2026: 21 weekdays - 31/8 off + Saturday 22/8 swapped in.
    assert months[8]["working"] == 21


def test_month_view_grid(client, administrator, vn_calendar):
    client.force_login(administrator)
    resp = client.get(CALENDAR, {"year": 2026, "month": 8})
    weeks = resp.context["weeks"]
    assert weeks[0][:5] == [None] * 5  # 1/8/2026 is a Saturday
    cells = {c["date"]: c for week in weeks for c in week if c}
    assert cells[date(2026, 8, 22)]["reason"] == "swapped_working_day"
    assert cells[date(2026, 8, 31)]["working"] is False
    assert len(cells) == 31


def test_administrator_adds_marks_and_removes_days(client, administrator, org, vn_calendar):
    client.force_login(administrator)
    resp = client.post(CALENDAR, {"action": "holiday", "year": 2026, "holiday-date": "2026-12-31",
                                  "holiday-label": "Nghỉ cuối năm"})
    assert resp.status_code == 302 and "month=12" in resp["Location"]
    assert not services.calendar_for().is_working_day(date(2026, 12, 31))

    resp = client.post(CALENDAR, {"action": "working", "agency": org.commune.code, "working-date": "2026-12-05",
                                  "working-label": "Mở cửa sáng thứ Bảy", "working-sessions": "07:30-11:30"})
    assert resp.status_code == 302
    commune = services.calendar_for(org.commune)
    assert commune.is_working_day(date(2026, 12, 5))
    assert commune.sessions_on(date(2026, 12, 5))[0].start == time(7, 30)
    assert not services.calendar_for().is_working_day(date(2026, 12, 5))

    resp = client.post(CALENDAR, {"action": "remove", "remove-date": "2026-11-24"})
    assert resp.status_code == 302
    assert services.calendar_for().is_working_day(date(2026, 11, 24))
    resp = client.get(resp["Location"])
    assert "Đã bỏ ngày 24/11/2026 khỏi lịch." in resp.content.decode()


def test_administrator_cannot_edit_another_agency(client, administrator, org):
    client.force_login(administrator)
    resp = client.post(CALENDAR, {"action": "holiday", "agency": org.commune2.code, "holiday-date": "2026-12-01",
                                  "holiday-label": "Nghỉ"})
    # commune2 is outside the administrator's scope: refused, and not turned into a national edit either.
    assert resp.status_code == 403
    assert not CalendarDay.objects.exists()
    assert org.commune2.code not in client.get(CALENDAR).content.decode()


def test_edit_errors_are_shown_next_to_the_field(client, administrator):
    client.force_login(administrator)
    resp = client.post(CALENDAR, {"action": "working", "working-date": "2026-12-05", "working-label": "Làm bù",
                                  "working-sessions": "7h-11h"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'id="id_working-sessions_error"' in html
    resp = client.post(CALENDAR, {"action": "holiday", "holiday-date": "31/02/2026", "holiday-label": "X"})
    assert resp.status_code == 400
    assert 'id="id_holiday-date_error"' in resp.content.decode()
    assert not CalendarDay.objects.exists()


def test_superuser_edits_and_sees_every_agency(client, make_user, org):
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get(CALENDAR).content.decode()
    assert org.commune2.code in html and 'id="form-remove"' in html


def test_calendar_page_query_budget(client, administrator, vn_calendar, django_assert_max_num_queries):
    client.force_login(administrator)
    client.get(CALENDAR, {"year": 2026})
    with django_assert_max_num_queries(12):
        assert client.get(CALENDAR, {"year": 2026}).status_code == 200


def test_admin_edit_marks_the_row_and_invalidates_the_cache(client, make_user, vn_calendar):
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert not services.calendar_for().is_working_day(date(2026, 9, 2))
    row = CalendarDay.objects.get(date=date(2026, 9, 2), agency=None)
    resp = client.post(f"/admin/worktime/calendarday/{row.pk}/change/", {
        "date": "2026-09-02", "agency": "", "working": "on", "label": "Làm việc", "sessions": "07:00-11:00",
    })
    assert resp.status_code == 302, resp.content.decode()[:2000]
    row.refresh_from_db()
    assert row.source == "admin" and row.working
    assert services.calendar_for().is_working_day(date(2026, 9, 2))
    resp = client.post(f"/admin/worktime/calendarday/{row.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    # a package day removed in the admin stays removed after the next sync
    assert CalendarDay.objects.get(date=date(2026, 9, 2)).source == "removed"
    services.sync_holidays([2026])
    assert services.calendar_for().is_working_day(date(2026, 9, 2))


def test_admin_rejects_bad_sessions(client, make_user):
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    resp = client.post("/admin/worktime/calendarday/add/", {
        "date": "2026-12-05", "agency": "", "working": "on", "label": "Làm bù", "sessions": "11:00-07:00",
    })
    assert resp.status_code == 200 and not CalendarDay.objects.exists()
    OfficeSession.objects.create(start=time(7), end=time(11, 30))
    resp = client.post("/admin/worktime/officesession/add/", {"agency": "", "start": "11:00", "end": "12:00"})
    assert resp.status_code == 200 and OfficeSession.objects.count() == 1
    resp = client.post("/admin/worktime/officesession/add/", {"agency": "", "start": "13:30", "end": "17:00"})
    assert resp.status_code == 302
    assert services.calendar_for().sessions[1].start == time(13, 30)
