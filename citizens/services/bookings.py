"""Desk appointments: slots, booking a place, cancelling."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import ActionNotAllowed, NotAllowed, ValidationFailed
from organisation.names import display_name

from ..models import (
    Booking,
    BookingStatus,
    CitizenProfile,
    Slot,
)
from ..rules import is_mobile, normalize_phone


def _booking_contact(citizen, name: str, phone: str, email: str) -> tuple[str, str, str]:
    if citizen is not None and citizen.is_authenticated:
        profile = CitizenProfile.objects.filter(user=citizen).first()
        name = name or (profile.full_name if profile else "") or display_name(citizen)
        phone = phone or (profile.phone if profile else "")
        email = email or (profile.email if profile else "") or citizen.email
        if not phone and is_mobile(citizen.get_username()):
            phone = citizen.get_username()
    return " ".join((name or "").split()), normalize_phone(phone), (email or "").strip().lower()


def book_slot(slot: Slot, *, citizen=None, name: str = "", phone: str = "", email: str = "", procedure=None,
              now: datetime | None = None) -> Booking:
    """Take one place in a slot. The place is taken by one conditional UPDATE (`booked < capacity`), so
    however many people press at once, a slot of five gives exactly five bookings."""
    now = now or timezone.now()
    if citizen is not None and not citizen.is_authenticated:
        citizen = None
    name, phone, email = _booking_contact(citizen, name, phone, email)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Vui lòng nhập họ và tên.")]
    if not is_mobile(phone):
        errors["phone"] = [_("Vui lòng nhập số điện thoại 10 chữ số để nhận nhắc lịch.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    if slot.start <= now:
        raise ActionNotAllowed(_("Khung giờ này đã qua, vui lòng chọn khung giờ khác."), code="slot_past")
    try:
        with transaction.atomic():
            taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
            if not taken:
                raise ActionNotAllowed(_("Khung giờ này đã đủ chỗ, vui lòng chọn khung giờ khác."), code="slot_full")
            return Booking.objects.create(slot=slot, citizen=citizen, name=name[:255], phone=phone, email=email,
                                          procedure=procedure)
    except IntegrityError:
        raise ActionNotAllowed(_("Ông/bà đã đặt lịch trong khung giờ này."), code="already_booked") from None


def cancel_booking(booking: Booking, *, actor=None, phone: str = "", now: datetime | None = None) -> Booking:
    """Cancel and give the place back. The owner (account, or the phone number it was booked with) or a
    desk officer of the desk's agency may cancel; cancelling twice gives back one place only."""
    from organisation.selectors import scoped_agency_ids

    now = now or timezone.now()
    allowed = False
    if actor is not None and actor.is_authenticated:
        if booking.citizen_id == actor.pk:
            allowed = True
        else:
            scope = scoped_agency_ids(actor)
            allowed = scope is None or booking.slot.desk.agency_id in scope
    if not allowed and phone and booking.citizen_id is None:
        allowed = hmac.compare_digest(normalize_phone(phone), booking.phone)
    if not allowed:
        raise NotAllowed(_("Ông/bà không thể hủy lịch hẹn này."))
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED, cancelled_at=now
        )
        if changed:
            Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    booking.refresh_from_db()
    return booking


def create_slots(*, desk, day, start: str, end: str, minutes: int, capacity: int) -> list[Slot]:
    """Slots of `minutes` from `start` to `end` (HH:MM, local time) on `day`; existing ones are kept."""
    from datetime import datetime as dt
    from datetime import time

    errors: dict[str, list[str]] = {}
    try:
        t0, t1 = time.fromisoformat(start), time.fromisoformat(end)
        if t1 <= t0:
            errors["end"] = [_("Giờ kết thúc phải sau giờ bắt đầu.")]
    except (TypeError, ValueError):
        errors["start"] = [_("Giờ phải theo dạng HH:MM.")]
        t0 = t1 = None
    if not isinstance(minutes, int) or not 5 <= minutes <= 240:
        errors["minutes"] = [_("Độ dài khung giờ từ 5 đến 240 phút.")]
    if not isinstance(capacity, int) or not 1 <= capacity <= 100:
        errors["capacity"] = [_("Số chỗ từ 1 đến 100.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    zone = timezone.get_current_timezone()
    cursor = timezone.make_aware(dt.combine(day, t0), zone)
    stop_at = timezone.make_aware(dt.combine(day, t1), zone)
    made = []
    with transaction.atomic():
        while cursor + timedelta(minutes=minutes) <= stop_at:
            slot, _created = Slot.objects.get_or_create(
                desk=desk, start=cursor, defaults={"end": cursor + timedelta(minutes=minutes), "capacity": capacity}
            )
            made.append(slot)
            cursor += timedelta(minutes=minutes)
    return made
