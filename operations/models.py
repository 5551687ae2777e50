"""What the operator watches that no business table holds: how the periodic tasks last ran."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRunStat(models.Model):
    """One row per periodic task: its last run (duration, outcome, result) and running totals.

    Written by a Celery signal handler after each run of a watched task (operations/celery_context.py),
    read by the metrics endpoint, so a sweep that slows down or fails shows before citizens notice.
    """

    task_name = models.CharField(_("tác vụ"), max_length=200, unique=True)
    last_started_at = models.DateTimeField(_("lần chạy gần nhất"))
    last_duration_ms = models.PositiveIntegerField(_("thời gian chạy (ms)"))
    last_ok = models.BooleanField(_("thành công"))
    last_result = models.JSONField(_("kết quả"), null=True, blank=True)
    runs = models.PositiveBigIntegerField(_("số lần chạy"), default=0)
    failures = models.PositiveBigIntegerField(_("số lần lỗi"), default=0)

    class Meta:
        verbose_name = _("lần chạy tác vụ định kỳ")
        verbose_name_plural = _("lần chạy tác vụ định kỳ")
        ordering = ["task_name"]

    def __str__(self):
        return self.task_name
