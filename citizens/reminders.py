"""The reminder the day before a desk appointment, written to the outbox (SMS, e-mail, in-app).

Each booking is reminded once: the rows are taken with SKIP LOCKED, `reminder_sent_at` is set in the
same transaction as the notices, and each notice's unique key names the booking, so two workers or a
re-run never send a second reminder. The words are `notices.messages.BOOKING_EVENTS["booking_reminder"]`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from . import transitions as tt
from .models import Booking, BookingStatus
from .services.bookings import booking_notice


def _tomorrow_bounds(now: datetime) -> tuple[datetime, datetime]:
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(tomorrow, time.min), zone)
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time.min), zone)
    return start, end


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
            tt.BOOKING.check("remind", booking.status, {tt.SYSTEM})
            booking_notice(booking, "booking_reminder", key="reminder")
            sent += 1
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(reminder_sent_at=now)
    return sent
