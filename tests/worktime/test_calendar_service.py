"""calendar_for: national rows, an agency's own rows and sessions, and the cache that spares the intake queries."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from organisation.errors import ValidationFailed
from worktime import services
from worktime.clock import DEFAULT_SESSIONS, Session
from worktime.models import CalendarDay, OfficeSession

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=VN)


def test_empty_database_gives_weekends_and_default_sessions():
    cal = services.calendar_for()
    assert cal.sessions == DEFAULT_SESSIONS
    assert cal.is_working_day(date(2026, 11, 23))  # Monday
    assert not cal.is_working_day(date(2026, 11, 28))  # Saturday


def test_national_and_agency_rows_merge_agency_wins(org):
    CalendarDay.objects.create(date=date(2026, 9, 2), working=False, label="Quốc khánh", source="holidays")
    CalendarDay.objects.create(date=date(2026, 8, 22), working=True, label="Ngày làm việc bù", source="holidays")
    # The commune opens on National Day, and has its own day off and a Saturday morning desk.
    CalendarDay.objects.create(date=date(2026, 9, 2), agency=org.commune, working=True, label="Trực lễ")
    CalendarDay.objects.create(date=date(2026, 11, 25), agency=org.commune, working=False, label="Ngày truyền thống xã")
    CalendarDay.objects.create(date=date(2026, 11, 28), agency=org.commune, working=True,
                               label="Mở cửa sáng thứ Bảy", sessions="07:30-11:30")

    national = services.calendar_for()
    assert not national.is_working_day(date(2026, 9, 2))
    assert national.day_status(date(2026, 8, 22)).reason == "swapped_working_day"
    assert national.is_working_day(date(2026, 11, 25))
    assert not national.is_working_day(date(2026, 11, 28))

    commune = services.calendar_for(org.commune)
    assert commune.is_working_day(date(2026, 9, 2))
    assert commune.day_status(date(2026, 9, 2)).label == "Trực lễ"
    assert commune.day_status(date(2026, 11, 25)) .label == "Ngày truyền thống xã"
    assert commune.day_status(date(2026, 11, 28)).reason == "extra_working_day"
    assert commune.sessions_on(date(2026, 11, 28)) == (Session(time(7, 30), time(11, 30)),)
    # national rows still apply to the agency where it has none
    assert commune.day_status(date(2026, 8, 22)).reason == "swapped_working_day"
    # another agency does not see the commune's rows
    assert not services.calendar_for(org.commune2).is_working_day(date(2026, 9, 2))
    # the id works as well as the object
    assert services.calendar_for(org.commune.pk).is_working_day(date(2026, 9, 2))


def test_sessions_agency_rows_then_default_rows_then_clock_default(org):
    assert services.calendar_for(org.commune).sessions == DEFAULT_SESSIONS
    OfficeSession.objects.create(start=time(7, 30), end=time(11, 30))
    OfficeSession.objects.create(start=time(13, 0), end=time(17, 0))
    services.bump_calendar_version()
    default = (Session(time(7, 30), time(11, 30)), Session(time(13, 0), time(17, 0)))
    assert services.calendar_for(org.commune).sessions == default
    assert services.calendar_for().sessions == default
    services.set_office_sessions("08:00-12:00,13:00-17:00", org.commune)
    assert services.calendar_for(org.commune).sessions == (
        Session(time(8), time(12)), Session(time(13), time(17))
    )
    assert services.calendar_for(org.commune2).sessions == default
    services.set_office_sessions("", org.commune)
    assert services.calendar_for(org.commune).sessions == default


def test_cached_calendar_costs_no_query(org, django_assert_num_queries):
    services.calendar_version()  # the version of record, read from the database once a minute
    with django_assert_num_queries(2):
        services.calendar_for(org.commune)
    with django_assert_num_queries(0):
        cal = services.calendar_for(org.commune)
        services.compute_appointment_for(at(2026, 11, 23, 9), 3, "working_days", org.commune)
    assert services.calendar_for(org.commune) is cal


def test_shared_cache_serves_another_process(org, django_assert_num_queries):
    services.calendar_for(org.commune)
    services._memo.clear()  # as if in a fresh worker process
    with django_assert_num_queries(0):
        assert services.calendar_for(org.commune).is_working_day(date(2026, 11, 23))


@pytest.mark.parametrize("edit", ["add_holiday", "mark_working_day", "remove_day", "sessions"])
def test_every_edit_invalidates_the_cache(org, edit):
    monday, saturday = date(2026, 11, 23), date(2026, 11, 28)
    before = services.calendar_for(org.commune)
    version = services.calendar_version()
    if edit == "add_holiday":
        services.add_holiday(monday, "Nghỉ đột xuất", org.commune)
        assert not services.calendar_for(org.commune).is_working_day(monday)
    elif edit == "mark_working_day":
        services.mark_working_day(saturday, "Làm bù", None, sessions="07:00-11:00")
        assert services.calendar_for(org.commune).is_working_day(saturday)
    elif edit == "remove_day":
        services.add_holiday(monday, "Nghỉ đột xuất", org.commune)
        assert not services.calendar_for(org.commune).is_working_day(monday)
        assert services.remove_day(monday, org.commune)
        assert services.calendar_for(org.commune).is_working_day(monday)
    else:
        services.set_office_sessions("07:30-11:30", org.commune)
        assert services.calendar_for(org.commune).sessions == (Session(time(7, 30), time(11, 30)),)
    assert services.calendar_version() != version
    assert services.calendar_for(org.commune) is not before


def test_cleared_cache_reads_the_version_of_record(org):
    """A cleared or evicted cache falls back to the database's version, which every edit changes."""
    from django.core.cache import cache

    v1 = services.calendar_version()
    cache.clear()
    assert services.calendar_version() == v1
    services.add_holiday(date(2026, 11, 23), "Nghỉ đột xuất", org.commune)
    cache.clear()
    assert services.calendar_version() != v1
    assert not services.calendar_for(org.commune).is_working_day(date(2026, 11, 23))


def test_edits_validate_their_input(org):
    with pytest.raises(ValidationFailed) as exc:
        services.add_holiday(date(2026, 11, 23), "  ")
    assert "label" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.mark_working_day(date(2026, 11, 28), "Làm bù", sessions="7h-11h")
    assert "sessions" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.mark_working_day(date(2026, 11, 28), "Làm bù", sessions="13:00-17:00,07:00-11:00")
    assert "sessions" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.add_holiday("2026-11-23", "Nghỉ")
    assert "date" in exc.value.fields
    assert not CalendarDay.objects.exists()


def test_add_holiday_overwrites_and_is_recorded_in_history(org):
    services.mark_working_day(date(2026, 11, 28), "Làm bù")
    services.add_holiday(date(2026, 11, 28), "Nghỉ")
    row = CalendarDay.objects.get(date=date(2026, 11, 28), agency=None)
    assert (row.working, row.label, row.source) == (False, "Nghỉ", "admin")
    assert row.history.count() == 2


def test_remove_day_of_an_unknown_date_is_false(org):
    assert services.remove_day(date(2026, 11, 23)) is False


def test_parse_sessions():
    assert services.parse_sessions("07:00-11:30, 13:30-17:00") == DEFAULT_SESSIONS
    assert services.parse_sessions("") == ()
    assert services.format_sessions(DEFAULT_SESSIONS) == "07:00-11:30,13:30-17:00"


def test_wrappers_use_the_agency_calendar(org):
    services.add_holiday(date(2026, 11, 24), "Nghỉ", org.commune)  # Tuesday, commune only
    start = at(2026, 11, 23, 17, 0)
    assert services.add_working_hours(start, 8) == at(2026, 11, 24, 17, 0)
    assert services.add_working_hours(start, 8, org.commune) == at(2026, 11, 25, 17, 0)
    assert services.subtract_working_hours(at(2026, 11, 25, 17, 0), 8, org.commune) == at(2026, 11, 25, 7, 0)
    assert services.working_seconds_between(start, at(2026, 11, 25, 17, 0), org.commune) == 8 * 3600
    assert services.working_seconds_between(start, at(2026, 11, 25, 17, 0)) == 16 * 3600


def test_compute_appointment_for_reads_naive_time_in_vietnam_and_rejects_bad_input(org):
    naive = datetime(2026, 11, 23, 9, 0)
    assert services.compute_appointment_for(naive, 1, "working_days").appointment_at == at(2026, 11, 24, 9, 0)
    for amount, unit, field in ((1, "weeks", "unit"), (-1, "working_days", "amount"), (10**9, "days", "amount")):
        with pytest.raises(ValidationFailed) as exc:
            services.compute_appointment_for(naive, amount, unit)
        assert field in exc.value.fields


def test_same_day_cutoff_from_settings(settings):
    received = at(2026, 11, 23, 14, 30)
    assert services.compute_appointment_for(received, 1, "same_day").appointment_at == at(2026, 11, 23, 17, 0)
    settings.SAME_DAY_CUTOFF = "14:00"
    assert services.compute_appointment_for(received, 1, "same_day").appointment_at == at(2026, 11, 24, 17, 0)
    assert services.compute_appointment_for(
        received, 1, "same_day", same_day_cutoff=time(16, 0)
    ).appointment_at == at(2026, 11, 23, 17, 0)


def test_supplement_deadlines_for_uses_the_agency_calendar(org):
    services.add_holiday(date(2026, 11, 26), "Nghỉ", org.commune)  # Thursday, commune only
    rounds = [(at(2026, 11, 24, 9), at(2026, 11, 25, 9))]
    national = services.supplement_deadlines_for(at(2026, 11, 23, 9), 3, "working_days", rounds)
    commune = services.supplement_deadlines_for(at(2026, 11, 23, 9), 3, "working_days", rounds, org.commune)
    assert national.restart_due_at == at(2026, 11, 30, 9)
    assert commune.restart_due_at == at(2026, 12, 1, 9)
    assert commune.portal_due_at == at(2026, 11, 30, 9)  # due Fri 27/11 09:00 + 8 h waited
    assert commune.paused_seconds == 8 * 3600
    with pytest.raises(ValidationFailed) as exc:
        services.supplement_deadlines_for(at(2026, 11, 23, 9), 3, "working_days",
                                          [(at(2026, 11, 24, 9), at(2026, 11, 24, 8))])
    assert "rounds" in exc.value.fields


def test_edits_under_a_frozen_clock_still_change_the_version(org):
    import time_machine

    with time_machine.travel("2026-11-20 09:00 +0700", tick=False):
        v1 = services.calendar_version()
        services.add_holiday(date(2026, 11, 23), "Nghỉ đột xuất", org.commune)
        v2 = services.calendar_version()
        services.remove_day(date(2026, 11, 23), org.commune)
        assert len({v1, v2, services.calendar_version()}) == 3
        assert services.calendar_for(org.commune).is_working_day(date(2026, 11, 23))


def test_one_version_reads_the_version_once_and_still_sees_its_own_edit(org):
    """Outside a request, `one_version()` (the intake's transaction) reads the version once: another
    process's bump seen through the shared cache waits for the next action; the block's own edit does not."""
    from django.core.cache import cache

    from worktime.calendars import VERSION_KEY, calendar_version, one_version

    with one_version():
        v1 = calendar_version()
        cache.set(VERSION_KEY, v1 + 1000)  # another process bumped it
        assert calendar_version() == v1
        services.add_holiday(date(2026, 11, 23), "Nghỉ đột xuất", org.commune)  # an edit of its own
        v2 = calendar_version()
        assert v2 not in (v1, v1 + 1000)
    cache.set(VERSION_KEY, v2 + 1)
    assert calendar_version() == v2 + 1  # outside the block every call asks the cache again
