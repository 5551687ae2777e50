"""Demo citizen data: the `congdan` account's profile (verified, so every e-form is prefilled) and
bookable desk slots at the first commune for the coming working days. Idempotent: a second run on the
same day changes nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from organisation.models import Desk

from . import services
from .models import CitizenProfile

PROFILE = {
    "full_name": "Nguyễn Văn An",
    "id_number": "056090001234",
    "date_of_birth": datetime.date(1990, 5, 12),
    "phone": "0912345678",
    "email": "congdan@demo.motcua.vn",
    "address": "Thôn Phú Lộc, xã Diên Khánh, tỉnh Khánh Hòa",
}
SLOT_DAYS = 5


def _working_days(start: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], start
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def seed(context: dict | None = None) -> dict:
    context = context or {}
    users = context.get("users") or {}
    citizen = users.get("congdan")
    if citizen is not None:
        profile = CitizenProfile.objects.filter(user=citizen).first()
        if profile is None or profile.full_name != PROFILE["full_name"]:
            services.update_profile(citizen, **PROFILE)
        CitizenProfile.objects.filter(user=citizen, verified_at__isnull=True).update(verified_at=timezone.now())
    slots = []
    commune = context.get("commune")
    if commune is not None:
        desk = Desk.objects.filter(agency=commune).order_by("id").first()
        if desk is not None:
            for day in _working_days(timezone.localdate(), SLOT_DAYS):
                slots += services.create_slots(desk=desk, day=day, start="07:30", end="11:00", minutes=30, capacity=3)
                slots += services.create_slots(desk=desk, day=day, start="13:30", end="16:30", minutes=30, capacity=3)
    return {"citizen_slots": slots}
