"""A safety net for the calendar cache: rows saved outside the services (a shell, a data migration,
another app's test factory) also invalidate the cached calendars. Not a business rule."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendars import bump_calendar_version
from .models import CalendarDay, OfficeSession


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="worktime_calendar_day_changed")
@receiver([post_save, post_delete], sender=OfficeSession, dispatch_uid="worktime_office_session_changed")
def calendar_changed(sender, **kwargs):
    bump_calendar_version()
