"""The reminder the day before a desk appointment, written to the outbox (SMS, e-mail, in-app).

Each booking is reminded once: the rows are taken with SKIP LOCKED, `reminder_sent_at` is set in the
same transaction as the notices, and each notice's unique key names the booking, so two workers or a
re-run never send a second reminder.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.models import NoticeChannel
from notices.services import queue_notice

from .models import Booking, BookingStatus


def _tomorrow_bounds(now: datetime) -> tuple[datetime, datetime]:
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(tomorrow, time.min), zone)
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time.min), zone)
    return start, end


def reminder_text(booking: Booking) -> tuple[str, str]:
    """Subject and body in the portal's language (a reminder is written by a task, not for a browser)."""
    slot = booking.slot
    with translation.override(settings.LANGUAGE_CODE):
        when = timezone.localtime(slot.start).strftime(_("%H:%M ngày %d/%m/%Y"))
        place = slot.desk.name + (f" ({slot.desk.address})" if slot.desk.address else "")
        what = (_(" để làm thủ tục “%(p)s”") % {"p": booking.procedure.name}) if booking.procedure_id else ""
        subject = _("Nhắc lịch hẹn lúc %(when)s") % {"when": when}
        body = _("Ông/bà %(name)s có lịch hẹn tại %(place)s lúc %(when)s%(what)s. Vui lòng mang theo giấy tờ tùy "
                 "thân. Nếu không đến được, xin hủy lịch để nhường chỗ cho người khác.") % {
            "name": booking.name, "place": place, "when": when, "what": what}
    return subject, body


def send_booking_reminders(now: datetime | None = None) -> int:
    """Remind every booking whose slot is tomorrow (local date) and has not been reminded; returns how many."""
    now = now or timezone.now()
    start, end = _tomorrow_bounds(now)
    sent = 0
    with transaction.atomic():
        bookings = list(
            Booking.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=BookingStatus.BOOKED, reminder_sent_at__isnull=True, slot__start__gte=start,
                    slot__start__lt=end)
            .select_related("slot", "slot__desk", "procedure", "citizen")
        )
        for booking in bookings:
            subject, body = reminder_text(booking)
            base = f"booking:{booking.pk}:reminder"
            if booking.phone:
                queue_notice(event="booking_reminder", channel=NoticeChannel.SMS, recipient=booking.phone,
                             subject=subject, body=body, dedupe_key=f"{base}:sms", user=booking.citizen)
            if booking.email:
                queue_notice(event="booking_reminder", channel=NoticeChannel.EMAIL, recipient=booking.email,
                             subject=subject, body=body, dedupe_key=f"{base}:email", user=booking.citizen)
            if booking.citizen_id:
                queue_notice(event="booking_reminder", channel=NoticeChannel.IN_APP,
                             recipient=booking.citizen.get_username(), subject=subject, body=body,
                             dedupe_key=f"{base}:in_app", user=booking.citizen)
            sent += 1
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(reminder_sent_at=now)
    return sent
