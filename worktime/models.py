"""The working calendar stored in the database and editable by administrators.

The rules that use it live in `worktime/clock.py`, which imports nothing from Django.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A day that is not what its weekday says: a holiday, a day off in lieu, or a swapped working Saturday.

    With no agency the day is national; with an agency it is that agency's exception (a desk open on
    Saturday mornings, a local day off). `sessions` optionally overrides the office sessions that day,
    written as `07:00-11:30,13:30-17:00`.
    """

    date = models.DateField(_("ngày"))
    agency = models.ForeignKey(
        "organisation.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_days",
        verbose_name=_("cơ quan (để trống: toàn quốc)"),
    )
    working = models.BooleanField(_("là ngày làm việc"))
    label = models.CharField(_("lý do"), max_length=200)
    sessions = models.CharField(_("giờ làm việc riêng"), max_length=100, blank=True)
    source = models.CharField(_("nguồn"), max_length=20, default="admin")  # "holidays" package or "admin"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngày đặc biệt")
        verbose_name_plural = _("lịch nghỉ lễ và ngày làm bù")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=Q(agency__isnull=True), name="one_national_day"),
            models.UniqueConstraint(fields=["date", "agency"], condition=Q(agency__isnull=False), name="one_agency_day"),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.label}"


class OfficeSession(models.Model):
    """An office session (buổi làm việc). With no agency: the default sessions for every agency."""

    agency = models.ForeignKey(
        "organisation.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="office_sessions",
        verbose_name=_("cơ quan"),
    )
    start = models.TimeField(_("bắt đầu"))
    end = models.TimeField(_("kết thúc"))

    class Meta:
        verbose_name = _("buổi làm việc")
        verbose_name_plural = _("buổi làm việc")
        ordering = ["agency_id", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="session_ends_after_start")]

    def __str__(self):
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class CalendarVersion(models.Model):
    """The calendar's version of record: one row, changed by every calendar edit in the edit's transaction.

    The shared cache keeps a copy for a minute; the database's value is what counts when Redis is away
    or was away during an edit (`worktime.services.calendar_version`).
    """

    value = models.BigIntegerField(_("phiên bản"))

    class Meta:
        verbose_name = _("phiên bản lịch làm việc")
        verbose_name_plural = _("phiên bản lịch làm việc")

    def __str__(self):
        return str(self.value)
