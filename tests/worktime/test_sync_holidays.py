"""sync_holidays seeds the editable national calendar from the `holidays` package, idempotently,
without ever undoing an administrator's edit; the management command and the demo seed call it."""

from datetime import date

import pytest
from django.core.management import call_command

from worktime import services
from worktime.models import CalendarDay, OfficeSession

pytestmark = pytest.mark.django_db


def national(d):
    return CalendarDay.objects.get(date=d, agency__isnull=True)


def test_sync_writes_vietnamese_holidays_and_swapped_saturdays():
    counts = services.sync_holidays([2025, 2026])
    assert counts.created == CalendarDay.objects.count() > 20
    tet = national(date(2026, 2, 17))
    assert (tet.working, tet.label, tet.source) == (False, "Tết Nguyên Đán", "holidays")
    assert national(date(2025, 5, 2)).label == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    swapped = national(date(2025, 4, 26))
    assert swapped.working is True
    assert swapped.label == "Ngày làm việc bù (cho ngày nghỉ 02/05/2025)"
    assert national(date(2026, 8, 22)).working is True
    assert not national(date(2026, 11, 24)).working
    # Swapped days of other years the package knows (2019) are not written.
    assert not CalendarDay.objects.filter(date__year=2019).exists()
    cal = services.calendar_for()
    assert cal.day_status(date(2025, 4, 26)).reason == "swapped_working_day"
    assert cal.day_status(date(2026, 9, 2)).reason == "holiday"


def test_sync_is_idempotent():
    services.sync_holidays([2026])
    rows = list(CalendarDay.objects.values_list("date", "working", "label", "source").order_by("date"))
    history = CalendarDay.history.count()
    counts = services.sync_holidays([2026])
    assert (counts.created, counts.updated, counts.deleted) == (0, 0, 0)
    assert counts.unchanged == len(rows)
    assert list(CalendarDay.objects.values_list("date", "working", "label", "source").order_by("date")) == rows
    assert CalendarDay.history.count() == history


def test_sync_keeps_admin_edits_and_removals_but_repairs_its_own_rows():
    services.sync_holidays([2026])
    services.add_holiday(date(2026, 9, 2), "Quốc khánh (sửa tay)")
    services.remove_day(date(2026, 11, 24))
    services.mark_working_day(date(2026, 12, 26), "Làm bù cuối năm")
    stale = national(date(2026, 2, 17))
    stale.label = "sai"
    stale.save()
    CalendarDay.objects.create(date=date(2026, 6, 15), working=False, label="không còn", source="holidays")

    counts = services.sync_holidays([2026])
    assert counts.kept == 2  # 2/9 edited, 24/11 removed; 26/12 is not a package date
    assert (counts.updated, counts.deleted, counts.created) == (1, 1, 0)
    assert national(date(2026, 9, 2)).label == "Quốc khánh (sửa tay)"
    assert national(date(2026, 11, 24)).source == "removed"
    assert national(date(2026, 12, 26)).working
    assert national(date(2026, 2, 17)).label == "Tết Nguyên Đán"
    assert not CalendarDay.objects.filter(date=date(2026, 6, 15)).exists()
    cal = services.calendar_for()
    assert cal.is_working_day(date(2026, 11, 24))  # removed stays removed
    assert cal.day_status(date(2026, 11, 24)).reason == "working_day"


def test_removing_a_swapped_saturday_makes_it_a_weekend_again():
    services.sync_holidays([2026])
    assert services.calendar_for().is_working_day(date(2026, 8, 22))
    services.remove_day(date(2026, 8, 22))
    assert services.calendar_for().day_status(date(2026, 8, 22)).reason == "weekend"
    services.sync_holidays([2026])
    assert not services.calendar_for().is_working_day(date(2026, 8, 22))
    # adding it back by hand replaces the removal marker
    services.mark_working_day(date(2026, 8, 22), "Làm bù")
    assert services.calendar_for().day_status(date(2026, 8, 22)).reason == "swapped_working_day"


def test_sync_rejects_absurd_years():
    from organisation.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.sync_holidays([20260])


def test_command(capsys):
    call_command("sync_holidays", "--years", "2025", "2026", "2027")
    assert CalendarDay.objects.filter(date__year=2027).exists()
    assert "2025, 2026, 2027" in capsys.readouterr().out
    call_command("sync_holidays", "--years", "2025")
    assert "0 created" in capsys.readouterr().out


def test_demo_seed_is_idempotent():
    from organisation import demo as organisation_demo
    from worktime import demo

    context = organisation_demo.seed({})
    first = demo.seed(context)
    rows = CalendarDay.objects.count()
    sessions = list(OfficeSession.objects.values_list("agency_id", "start", "end"))
    demo.seed(context)
    assert CalendarDay.objects.count() == rows
    assert list(OfficeSession.objects.values_list("agency_id", "start", "end")) == sessions
    assert set(first) >= {"calendar"}
    assert CalendarDay.objects.filter(date__year=2028).exists()
    province = services.calendar_for(context["province"])
    saturdays = CalendarDay.objects.filter(agency=context["province"], working=True)
    assert saturdays.exists()
    for row in saturdays:
        assert province.is_working_day(row.date)
        assert province.sessions_on(row.date)[0].start.hour == 7
