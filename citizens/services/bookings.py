"""Desk appointments: slots, booking a place, cancelling."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.messages import render
from notices.models import NoticeChannel
from notices.services import queue_notice
from organisation.errors import ActionNotAllowed, NotAllowed, ValidationFailed
from organisation.names import display_name

from .. import transitions as tt
from ..models import (
    Booking,
    CitizenProfile,
    Slot,
)
from ..rules import is_mobile, normalize_phone
from .common import agency_roles


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
    tt.BOOKING.check("book", tt.NEW, {tt.OWNER})  # whoever books is the booking's owner
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
                                          procedure=procedure, status=tt.BOOKING.next_state("book", tt.NEW))
    except IntegrityError:
        raise ActionNotAllowed(_("Ông/bà đã đặt lịch trong khung giờ này."), code="already_booked") from None


def cancel_booking(booking: Booking, *, actor=None, phone: str = "", now: datetime | None = None) -> Booking:
    """Cancel and give the place back. The owner (account, or the phone number it was booked with) or the
    desk staff of the desk's agency may cancel (`citizens.transitions.BOOKING`); when the desk cancels, the
    citizen is told. Cancelling twice gives back one place only: the second finds the booking cancelled
    and changes nothing."""
    now = now or timezone.now()
    roles = booking_roles(booking, actor, phone=phone)
    if not roles & tt.BOOKING.transitions["cancel"].roles_at(tt.BOOKED):
        raise NotAllowed(_("Ông/bà không thể hủy lịch hẹn này."))
    with transaction.atomic():
        fresh = Booking.objects.select_for_update(of=("self",)).select_related("slot__desk").get(pk=booking.pk)
        if fresh.status == tt.CANCELLED:
            return fresh  # the same cancellation again (a double click, a retry)
        tt.BOOKING.check("cancel", fresh.status, roles)
        fresh.status, fresh.cancelled_at = tt.BOOKING.next_state("cancel", fresh.status), now
        fresh.save(update_fields=["status", "cancelled_at"])
        Slot.objects.filter(pk=fresh.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        if tt.OWNER not in roles:
            _tell_owner_of_cancellation(fresh)
    return fresh


def booking_roles(booking: Booking, user, *, phone: str = "") -> frozenset[str]:
    """Who `user` (or whoever knows `phone`) is towards `booking`: its owner (by account, or by the phone
    number an anonymous booking was made with), and their staff roles at the desk's agency."""
    is_owner = False
    if user is not None and user.is_authenticated and booking.citizen_id == user.pk:
        is_owner = True
    elif phone and booking.citizen_id is None:
        is_owner = hmac.compare_digest(normalize_phone(phone), booking.phone)
    return tt.booking_roles(is_owner=is_owner, agency_roles=agency_roles(user, booking.slot.desk.agency_id))


def booking_context(booking: Booking) -> dict:
    """What the booking notices say: when, where, for what, to whom."""
    slot = booking.slot
    with translation.override(settings.LANGUAGE_CODE):
        when = timezone.localtime(slot.start).strftime(_("%H:%M ngày %d/%m/%Y"))
        what = (_(" để làm thủ tục “%(p)s”") % {"p": booking.procedure.name}) if booking.procedure_id else ""
    place = slot.desk.name + (f" ({slot.desk.address})" if slot.desk.address else "")
    return {"when": when, "place": place, "what": what, "name": booking.name}


def booking_notice(booking: Booking, event: str, *, key: str) -> int:
    """The notice `event` to the booking's owner: SMS to the phone, e-mail, and in the portal when they have
    an account; `key` names it in each row's unique key. Returns how many were written."""
    subject, body = render(event, booking_context(booking))
    written = 0
    targets = [(NoticeChannel.SMS, booking.phone), (NoticeChannel.EMAIL, booking.email)]
    if booking.citizen_id:
        targets.append((NoticeChannel.IN_APP, booking.citizen.get_username()))
    for channel, recipient in targets:
        if recipient:
            queue_notice(event=event, channel=channel, recipient=recipient, subject=subject, body=body,
                         dedupe_key=f"booking:{booking.pk}:{key}:{channel}", user=booking.citizen)
            written += 1
    return written


def _tell_owner_of_cancellation(booking: Booking) -> None:
    booking_notice(booking, "booking_cancelled", key="cancelled")


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
