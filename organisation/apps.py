from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Tổ chức")

    def ready(self):
        # Signal receivers: the log-in lock-out, and API tokens revoked on a password change or deactivation.
        from . import auth, tokens  # noqa: F401
