"""The apology letter (phiếu xin lỗi, form 04): once per dossier, by a head, with a new appointment."""

import threading
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from dossiers.deadlines import sweep
from dossiers.models import Apology, Dossier, Status, TimelineEvent
from dossiers.services.apology import apologize
from notices.models import Notice, NoticeChannel
from organisation.errors import ActionNotAllowed, NotAllowed, ValidationFailed
from organisation.models import Role
from worktime.services import subtract_working_hours

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)  # a plain working Monday


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def late_dossier(clock, make_dossier):
    """A dossier in processing whose appointment has passed, swept late."""
    d = make_dossier(status=Status.PROCESSING)
    clock.move_to(d.appointment_at + timedelta(minutes=10))
    sweep()
    d.refresh_from_db()
    assert d.is_late
    return d


def next_working_afternoon(after: datetime) -> datetime:
    day = after.astimezone(TZ) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=16, minute=0, second=0, microsecond=0)


def citizen_notices(d, event="apology"):
    return list(Notice.objects.filter(dossier=d, event=event).order_by("channel").values_list("channel", flat=True))


def test_the_head_issues_the_apology_with_a_new_appointment(late_dossier, staff):
    d = late_dossier
    old = d.appointment_at
    new = next_working_afternoon(old)

    result = apologize(d, actor=staff.head, reason="Phải xác minh thêm tại địa phương cũ", new_appointment_at=new)

    d.refresh_from_db()
    assert result.pk == d.pk and d.appointment_at == new
    assert d.original_appointment_at == old
    assert d.due_soon_at == subtract_working_hours(new, 8, d.agency)
    assert not d.is_late and not d.is_due_soon and d.apology_opened_at is not None
    apology = Apology.objects.get(dossier=d)
    assert (apology.old_appointment_at, apology.new_appointment_at, apology.issued_by) == (old, new, staff.head)
    # The reports' copy of the apology's facts, on the dossier (dossiers/0024), and in its history.
    assert (d.apologised_at, d.apology_due_at) == (apology.issued_at, new)
    assert (d.history.first().apologised_at, d.history.first().apology_due_at) == (apology.issued_at, new)
    event = TimelineEvent.objects.get(dossier=d, action="apologize")
    assert event.actor == staff.head and "Phải xác minh" in event.note and event.from_status == event.to_status
    assert citizen_notices(d) == [NoticeChannel.EMAIL, NoticeChannel.SMS]
    body = Notice.objects.get(dossier=d, event="apology", channel=NoticeChannel.SMS).body
    assert "xin lỗi" in body and new.strftime("%d/%m/%Y") in body and old.astimezone(TZ).strftime("%d/%m/%Y") in body


def test_only_once_per_dossier(late_dossier, staff):
    d = late_dossier
    first = next_working_afternoon(d.appointment_at)
    apologize(d, actor=staff.head, reason="Chờ xác minh", new_appointment_at=first)
    version = Dossier.objects.get(pk=d.pk).version

    with pytest.raises(ActionNotAllowed) as err:
        apologize(d, actor=staff.head, reason="Lần hai", new_appointment_at=first + timedelta(days=7))

    assert err.value.code == "apology_already_issued" and err.value.status_code == 409
    d.refresh_from_db()
    assert d.appointment_at == first and d.version == version
    assert Apology.objects.filter(dossier=d).count() == 1
    assert len(citizen_notices(d)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_heads_at_once_make_one_apology(late_dossier, staff, make_user, org):
    other_head = make_user(roles=[(org.commune, Role.HEAD)])
    new = next_working_afternoon(late_dossier.appointment_at)
    outcomes, barrier = [], threading.Barrier(2)

    def issue(head):
        try:
            barrier.wait(5)
            apologize(late_dossier, actor=head, reason="Chậm do xác minh", new_appointment_at=new)
            outcomes.append("ok")
        except ActionNotAllowed as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(h,)) for h in (staff.head, other_head)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes) == ["apology_already_issued", "ok"]
    assert Apology.objects.filter(dossier=late_dossier).count() == 1
    assert len(citizen_notices(late_dossier)) == 2


@pytest.mark.parametrize("who", ["officer", "desk", "desk2", "manager"])
def test_only_a_head_may_apologise(late_dossier, staff, who):
    with pytest.raises(NotAllowed):
        apologize(late_dossier, actor=getattr(staff, who), reason="x",
                  new_appointment_at=next_working_afternoon(late_dossier.appointment_at))
    assert not Apology.objects.filter(dossier=late_dossier).exists()


def test_a_head_of_another_commune_may_not(late_dossier, make_user, org):
    stranger = make_user(roles=[(org.commune2, Role.HEAD)])
    with pytest.raises(NotAllowed):
        apologize(late_dossier, actor=stranger, reason="x",
                  new_appointment_at=next_working_afternoon(late_dossier.appointment_at))


def test_heads_of_the_receiving_and_of_the_holding_agency_may(late_dossier, staff, make_user, org):
    Dossier.objects.filter(pk=late_dossier.pk).update(current_agency=org.province)
    province_head = make_user(roles=[(org.province, Role.HEAD)])
    apologize(late_dossier, actor=province_head, reason="Chờ tỉnh",
              new_appointment_at=next_working_afternoon(late_dossier.appointment_at))
    assert Apology.objects.get(dossier=late_dossier).issued_by == province_head


def test_the_receiving_head_may_while_the_province_holds_it(late_dossier, staff, org):
    Dossier.objects.filter(pk=late_dossier.pk).update(current_agency=org.province)
    apologize(late_dossier, actor=staff.head, reason="Chờ tỉnh",
              new_appointment_at=next_working_afternoon(late_dossier.appointment_at))
    assert Apology.objects.filter(dossier=late_dossier).exists()


def test_not_before_the_due_soon_point(clock, make_dossier, staff):
    d = make_dossier(status=Status.PROCESSING)
    clock.move_to(d.due_soon_at - timedelta(minutes=5))
    with pytest.raises(ActionNotAllowed) as err:
        apologize(d, actor=staff.head, reason="Dự kiến chậm", new_appointment_at=next_working_afternoon(d.appointment_at))
    assert err.value.code == "apology_not_due"


def test_from_the_due_soon_point_before_the_due_time(clock, make_dossier, staff):
    """domain.md §3: at the latest one working day before the due time; no need to wait for a sweep."""
    d = make_dossier(status=Status.PROCESSING)
    clock.move_to(d.due_soon_at + timedelta(minutes=5))
    apologize(d, actor=staff.head, reason="Dự kiến chậm", new_appointment_at=next_working_afternoon(d.appointment_at))
    assert Apology.objects.filter(dossier=d).exists()


@pytest.mark.parametrize("status", [Status.DECIDED, Status.RETURNED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED])
def test_not_for_a_finished_dossier(clock, make_dossier, staff, status):
    d = make_dossier(status=status)
    clock.move_to(d.appointment_at + timedelta(hours=1))
    with pytest.raises(ActionNotAllowed) as err:
        apologize(d, actor=staff.head, reason="x", new_appointment_at=next_working_afternoon(d.appointment_at))
    assert err.value.code == "action_not_allowed"


def test_a_dossier_waiting_for_the_supplement_may_be_apologised_for(clock, make_dossier, staff):
    d = make_dossier(status=Status.SUPPLEMENT_REQUESTED)
    clock.move_to(d.appointment_at + timedelta(hours=1))
    apologize(d, actor=staff.head, reason="Chờ bổ sung", new_appointment_at=next_working_afternoon(d.appointment_at))
    assert Apology.objects.filter(dossier=d).exists()


@pytest.mark.parametrize(
    "new, field, code",
    [
        (lambda old: old - timedelta(hours=1), "new_appointment_at", "invalid"),
        (lambda old: old, "new_appointment_at", "invalid"),
        (lambda old: "ngày mai", "new_appointment_at", "invalid"),
        (lambda old: None, "new_appointment_at", "required"),
        (lambda old: "", "new_appointment_at", "required"),
    ],
)
def test_the_new_appointment_is_checked(late_dossier, staff, new, field, code):
    with pytest.raises(ValidationFailed) as err:
        apologize(late_dossier, actor=staff.head, reason="Chậm", new_appointment_at=new(late_dossier.appointment_at))
    assert err.value.code == code and field in err.value.fields
    assert not Apology.objects.filter(dossier=late_dossier).exists()


def test_a_new_appointment_after_the_old_one_but_already_past_is_refused(clock, make_dossier, staff):
    d = make_dossier(status=Status.PROCESSING)
    clock.move_to(d.appointment_at + timedelta(days=3))
    with pytest.raises(ValidationFailed) as err:
        apologize(d, actor=staff.head, reason="Chậm", new_appointment_at=d.appointment_at + timedelta(hours=2))
    assert "new_appointment_at" in err.value.fields


def test_not_on_a_day_off(late_dossier, staff):
    saturday = late_dossier.appointment_at.astimezone(TZ)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    with pytest.raises(ValidationFailed) as err:
        apologize(late_dossier, actor=staff.head, reason="Chậm", new_appointment_at=saturday.replace(hour=9))
    assert err.value.code == "not_working_day" and "new_appointment_at" in err.value.fields


def test_a_holiday_is_a_day_off(late_dossier, staff):
    from worktime.services import add_holiday

    target = next_working_afternoon(late_dossier.appointment_at)
    add_holiday(target.date(), "Nghỉ bù")
    with pytest.raises(ValidationFailed) as err:
        apologize(late_dossier, actor=staff.head, reason="Chậm", new_appointment_at=target)
    assert err.value.code == "not_working_day"


def test_a_reason_is_required(late_dossier, staff):
    with pytest.raises(ValidationFailed) as err:
        apologize(late_dossier, actor=staff.head, reason="  ",
                  new_appointment_at=next_working_afternoon(late_dossier.appointment_at))
    assert "reason" in err.value.fields


def test_an_iso_text_is_accepted(late_dossier, staff):
    new = next_working_afternoon(late_dossier.appointment_at)
    apologize(late_dossier, actor=staff.head, reason="Chậm", new_appointment_at=new.isoformat())
    late_dossier.refresh_from_db()
    assert late_dossier.appointment_at == new


def test_the_sweep_watches_the_new_date_and_a_second_lateness_is_told_differently(clock, late_dossier, staff):
    d = late_dossier
    new = next_working_afternoon(d.appointment_at)
    apologize(d, actor=staff.head, reason="Chậm", new_appointment_at=new)
    d.refresh_from_db()

    assert sweep().notices == 0
    clock.move_to(d.due_soon_at + timedelta(minutes=1))
    sweep()
    warned = Notice.objects.get(dossier=d, event="due_soon", user=staff.officer)  # the old date jumped to late
    assert new.strftime("%H:%M %d/%m/%Y") in warned.body
    clock.move_to(new + timedelta(minutes=1))
    sweep()
    d.refresh_from_db()
    assert d.is_late
    second = Notice.objects.filter(dossier=d, event="late", user=staff.officer).order_by("id").last()
    assert "một lần" in second.body
    with pytest.raises(ActionNotAllowed) as err:
        apologize(d, actor=staff.head, reason="Lần hai", new_appointment_at=next_working_afternoon(new))
    assert err.value.code == "apology_already_issued"


def test_a_stale_screen_gets_a_concurrent_change(late_dossier, staff):
    from organisation.errors import ConcurrentChange

    with pytest.raises(ConcurrentChange):
        apologize(late_dossier, actor=staff.head, reason="Chậm", expected_version=late_dossier.version - 1,
                  new_appointment_at=next_working_afternoon(late_dossier.appointment_at))


@pytest.mark.parametrize("vendor_sql", [True, False], ids=["one-update", "orm"])
def test_the_migration_copies_every_apology_onto_its_dossier(late_dossier, staff, make_dossier, vendor_sql):
    """dossiers/0024 copies each existing apology's issue time and new date onto its dossier, and nothing onto a
    dossier without one: PostgreSQL's one UPDATE and the ORM's form (SQLite) alike."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("dossiers.migrations.0024_apology_facts_on_dossier")
    apologize(late_dossier, actor=staff.head, reason="Chờ xác minh",
              new_appointment_at=next_working_afternoon(late_dossier.appointment_at))
    other = make_dossier(4)
    want = sorted(Dossier.objects.values_list("pk", "apologised_at", "apology_due_at"))
    assert [row for row in want if row[1]] == [(late_dossier.pk, *Apology.objects.values_list(
        "issued_at", "new_appointment_at").get())]
    Dossier.objects.update(apologised_at=None, apology_due_at=None)
    if vendor_sql and connection.vendor == "postgresql":
        with connection.schema_editor() as editor:
            migration.copy_apologies(apps, editor)
    else:  # the ORM's form, whatever the database under the test
        migration.copy_apologies(apps, SimpleNamespace(connection=SimpleNamespace(vendor="sqlite", alias="default")))
    assert sorted(Dossier.objects.values_list("pk", "apologised_at", "apology_due_at")) == want
    assert Dossier.objects.get(pk=other.pk).apologised_at is None

