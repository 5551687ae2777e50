from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """What a province's IT team watches and runs: request ids in JSON logs, metrics, operator commands."""

    name = "operations"
    verbose_name = _("Vận hành")

    def ready(self):
        from . import celery_context  # noqa: F401  (connects the Celery signal handlers)
