"""Desk appointments: a slot never takes more bookings than its capacity, even under concurrency;
cancelling frees the place; a reminder goes out the day before, once; the desk sees its day."""

import threading
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from citizens import services
from citizens.models import Booking, Slot
from citizens.reminders import send_booking_reminders
from notices.models import Notice
from organisation.errors import ActionNotAllowed, NotAllowed
from organisation.models import Desk

from .conftest import login

NOW = "2026-11-23 08:00 +0700"


def at(text):
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def desk(org):
    return Desk.objects.create(agency=org.commune, name="Bộ phận Một cửa xã An Bình", address="Số 1 Lê Lợi")


@pytest.fixture
def slot(desk):
    return Slot.objects.create(desk=desk, start=at("2026-11-24 08:00"), end=at("2026-11-24 08:30"), capacity=2)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_booking_page_books_and_a_full_slot_says_so(citizen, make_citizen, org, slot):
    browser = login(citizen)
    page = browser.get(f"/cong-dan/lich-hen/?co-quan={org.commune.code}&ngay=2026-11-24").content.decode()
    assert "08:00–08:30" in page and "còn 2 chỗ" in page
    booked = browser.post("/cong-dan/lich-hen/", {"slot": slot.pk, "name": "", "phone": "", "agency": org.commune.code})
    assert booked.status_code == 302
    b = Booking.objects.get(citizen=citizen)
    assert (b.name, b.phone) == ("Nguyễn Văn An", "0912345678")  # from the profile
    # The same citizen twice in one slot: refused.
    twice = browser.post("/cong-dan/lich-hen/", {"slot": slot.pk, "agency": org.commune.code})
    assert twice.status_code == 409 and "đã đặt lịch" in twice.content.decode()
    anonymous = Client().post("/cong-dan/lich-hen/", {"slot": slot.pk, "name": "Võ Văn Em", "phone": "0905123456",
                                                      "agency": org.commune.code})
    assert anonymous.status_code == 302
    full = Client().post("/cong-dan/lich-hen/", {"slot": slot.pk, "name": "Đinh Thị Gấm", "phone": "0905999888",
                                                 "agency": org.commune.code})
    assert full.status_code == 409 and "đã đủ chỗ" in full.content.decode()
    slot.refresh_from_db()
    assert slot.booked == 2 and Booking.objects.filter(slot=slot).count() == 2
    assert "Đã đủ chỗ" in Client().get(f"/cong-dan/lich-hen/?co-quan={org.commune.code}&ngay=2026-11-24").content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_cancelling_frees_the_place_once(api, citizen, slot):
    b = services.book_slot(slot, citizen=citizen)
    assert login(citizen).post(f"/cong-dan/lich-hen/{b.pk}/huy/").status_code == 302
    assert login(citizen).post(f"/cong-dan/lich-hen/{b.pk}/huy/").status_code == 302
    slot.refresh_from_db()
    assert slot.booked == 0
    assert Booking.objects.get(pk=b.pk).status == "cancelled"
    # Anonymous booking: cancelled with the phone it was made with, not with another.
    anon = services.book_slot(slot, name="Võ Văn Em", phone="0905123456")
    assert api.post(f"/api/v1/bookings/{anon.pk}/cancel/", {"phone": "0905000000"}, format="json").status_code == 404
    ok = api.post(f"/api/v1/bookings/{anon.pk}/cancel/", {"phone": "0905 123 456"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    slot.refresh_from_db()
    assert slot.booked == 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_another_citizen_cannot_cancel(citizen, other_citizen, slot):
    b = services.book_slot(slot, citizen=citizen)
    assert login(other_citizen).post(f"/cong-dan/lich-hen/{b.pk}/huy/").status_code == 404
    assert Booking.objects.get(pk=b.pk).status == "booked"
    assert "chưa có lịch hẹn" in login(other_citizen).get("/cong-dan/lich-hen/cua-toi/").content.decode()
    assert "Hủy lịch" in login(citizen).get("/cong-dan/lich-hen/cua-toi/").content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_api_slots_and_full_slot_409(api, org, slot):
    listed = api.get("/api/v1/slots/", {"agency": org.commune.code, "date": "2026-11-24"}).json()
    assert [s["free"] for s in listed["results"]] == [2]
    assert api.get("/api/v1/slots/", {"date": "24/11/2026"}).status_code == 400
    for phone in ("0905000001", "0905000002"):
        assert api.post("/api/v1/bookings/", {"slot": slot.pk, "name": "Khách", "phone": phone},
                        format="json").status_code == 201
    full = api.post("/api/v1/bookings/", {"slot": slot.pk, "name": "Khách", "phone": "0905000003"}, format="json")
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    bad = api.post("/api/v1/bookings/", {"slot": slot.pk, "name": "", "phone": "12"}, format="json")
    assert bad.status_code == 400 and {"name", "phone"} <= set(bad.json()["fields"])
    assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_past_slot_cannot_be_booked(slot):
    with time_machine.travel("2026-11-24 09:00 +0700", tick=False):
        with pytest.raises(ActionNotAllowed):
            services.book_slot(slot, name="A", phone="0905000001")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_for_five_places_give_exactly_five(org):
    assert connection.vendor == "postgresql"
    desk = Desk.objects.create(agency=org.commune, name="Quầy 1")
    start = timezone.now() + timezone.timedelta(days=1)
    slot = Slot.objects.create(desk=desk, start=start, end=start + timezone.timedelta(minutes=30), capacity=5)
    barrier = threading.Barrier(20)
    results = [None] * 20

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = services.book_slot(Slot.objects.get(pk=slot.pk), name=f"Người {i}", phone=f"09050000{i:02d}")
        except Exception as exc:  # noqa: BLE001 - counted below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, ActionNotAllowed)]
    assert len(booked) == 5 and len(refused) == 15, results
    assert all(r.code == "slot_full" for r in refused)
    slot.refresh_from_db()
    assert slot.booked == 5 and Booking.objects.filter(slot=slot, status="booked").count() == 5


@pytest.mark.django_db
def test_reminder_the_day_before_once(citizen, desk):
    tomorrow = Slot.objects.create(desk=desk, start=at("2026-11-24 14:00"), end=at("2026-11-24 14:30"), capacity=3)
    later = Slot.objects.create(desk=desk, start=at("2026-11-26 08:00"), end=at("2026-11-26 08:30"), capacity=3)
    with time_machine.travel(NOW, tick=False):
        mine = services.book_slot(tomorrow, citizen=citizen)
        anon = services.book_slot(tomorrow, name="Võ Văn Em", phone="0905123456", email="em@example.vn")
        cancelled = services.book_slot(tomorrow, name="Hủy", phone="0905000009")
        services.cancel_booking(cancelled, phone="0905000009")
        services.book_slot(later, name="Sau", phone="0905000010")
    with time_machine.travel("2026-11-23 18:00 +0700", tick=False):
        assert send_booking_reminders() == 2
        assert send_booking_reminders() == 0
    reminders = Notice.objects.filter(event="booking_reminder")
    assert sorted(reminders.values_list("recipient", "channel")) == sorted([
        ("0912345678", "sms"), (citizen.username, "in_app"), (f"{citizen.username}@example.vn", "email"),
        ("0905123456", "sms"), ("em@example.vn", "email"),
    ])
    assert "14:00 ngày 24/11/2026" in reminders.first().body
    mine.refresh_from_db(), anon.refresh_from_db()
    assert mine.reminder_sent_at and anon.reminder_sent_at


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_desk_sees_its_day_and_others_do_not(staff, citizen, org, slot):
    services.book_slot(slot, citizen=citizen)
    page = login(staff.desk).get("/cong-dan/lich-hen/quay/?ngay=2026-11-24")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nguyễn Văn An" in html and "0912345678" in html
    other = login(staff.desk2).get(f"/cong-dan/lich-hen/quay/?co-quan={org.commune.code}&ngay=2026-11-24")
    assert other.status_code == 200 and "Nguyễn Văn An" not in other.content.decode()
    assert login(citizen).get("/cong-dan/lich-hen/quay/").status_code == 404
    assert Client().get("/cong-dan/lich-hen/quay/").status_code == 302


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_desk_opens_slots_for_a_day(staff, org, desk):
    response = login(staff.desk).post("/cong-dan/lich-hen/quay/", {
        "agency": org.commune.code, "desk": desk.pk, "day": "2026-11-25", "start": "07:30", "end": "09:30",
        "minutes": 30, "capacity": 4})
    assert response.status_code == 302
    slots = Slot.objects.filter(desk=desk).order_by("start")
    assert [timezone.localtime(s.start).strftime("%H:%M") for s in slots] == ["07:30", "08:00", "08:30", "09:00"]
    assert {s.capacity for s in slots} == {4}
    assert services.create_slots(desk=desk, day=date(2026, 11, 25), start="07:30", end="09:30", minutes=30,
                                 capacity=4) == list(slots)
    assert Slot.objects.filter(desk=desk).count() == 4


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_desk_cancels_and_the_citizen_is_told_a_manager_cannot(staff, citizen, slot):
    mine = services.book_slot(slot, citizen=citizen)
    with pytest.raises(NotAllowed):
        services.cancel_booking(mine, actor=staff.manager)
    with pytest.raises(NotAllowed):
        services.cancel_booking(mine, actor=staff.desk2)
    services.cancel_booking(mine, actor=staff.desk)
    mine.refresh_from_db(), slot.refresh_from_db()
    assert mine.status == "cancelled" and slot.booked == 0
    told = Notice.objects.filter(event="booking_cancelled")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "in_app", "sms"]
    assert "08:00 ngày 24/11/2026" in told.first().body
    # A second cancellation changes nothing and tells nobody again.
    services.cancel_booking(mine, actor=staff.desk)
    assert Notice.objects.filter(event="booking_cancelled").count() == 3
    slot.refresh_from_db()
    assert slot.booked == 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_owner_cancelling_is_not_told(citizen, slot):
    mine = services.book_slot(slot, citizen=citizen)
    services.cancel_booking(mine, actor=citizen)
    assert not Notice.objects.filter(event="booking_cancelled").exists()
