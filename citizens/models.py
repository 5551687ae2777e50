"""Citizens are users too: this app owns their profile, which fills every form so data is given once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CitizenProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile")
    full_name = models.CharField(_("họ và tên"), max_length=255)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    verified_at = models.DateTimeField(_("xác thực lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self):
        return self.full_name
