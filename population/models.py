"""Every use of the national population database, with the citizen's consent (integrations.md: each use is
recorded and needs consent; Decision 766 indicator 4.5b counts the dossiers that used it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LookupOutcome(models.TextChoices):
    FOUND = "found", _("Đã lấy được thông tin")
    NOT_FOUND = "not_found", _("Không tìm thấy số định danh")
    UNAVAILABLE = "unavailable", _("Không kết nối được")


class PopulationLookup(models.Model):
    """One look-up by ID number: who asked and consented when, why, what came back. `data` holds the answer
    (the protocol's shape) so the submission it prefilled can use it without a second call; `dossier` is the
    dossier that used it, set when that dossier is submitted."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="population_lookups", verbose_name=_("tài khoản"))
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12)
    purpose = models.CharField(_("mục đích"), max_length=255)
    consented_at = models.DateTimeField(_("đồng ý lúc"))
    at = models.DateTimeField(_("tra cứu lúc"))
    outcome = models.CharField(_("kết quả"), max_length=20, choices=LookupOutcome.choices)
    data = models.JSONField(_("dữ liệu trả về"), default=dict, blank=True)
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="population_lookups", verbose_name=_("hồ sơ"))

    class Meta:
        verbose_name = _("lượt khai thác CSDL dân cư")
        verbose_name_plural = _("lượt khai thác CSDL dân cư")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["citizen", "at"])]

    def __str__(self):
        return f"{self.id_number} {self.at:%Y-%m-%d %H:%M} {self.outcome}"
