from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "worktime"
    verbose_name = _("Lịch làm việc")

    def ready(self):
        from . import signals  # noqa: F401
