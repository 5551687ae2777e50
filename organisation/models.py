"""Administrative units, agencies, their departments and desks, and who works where in which role."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh / thành phố")
    DISTRICT = "district", _("Huyện (trước 1/7/2025)")
    COMMUNE = "commune", _("Xã / phường / đặc khu")


class AdminUnit(models.Model):
    """An administrative unit (đơn vị hành chính) of any depth; historic districts are kept as data."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code"]

    def __str__(self):
        return self.name


class AgencyLevel(models.TextChoices):
    MINISTRY = "ministry", _("Bộ, ngành")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 1/7/2025)")
    COMMUNE = "commune", _("Cấp xã")


class Agency(models.Model):
    """An agency (cơ quan) with its national code such as `000.00.06.H56`."""

    code = models.CharField(_("mã định danh"), max_length=40, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=255)
    level = models.CharField(_("cấp"), max_length=20, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("cơ quan cấp trên")
    )
    admin_unit = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("địa bàn")
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def ancestors(self):
        """The chain of parents, nearest first."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Department(models.Model):
    """A department (phòng, ban, bộ phận) of an agency that processes dossiers."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="departments", verbose_name=_("cơ quan"))
    code = models.CharField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=255)

    class Meta:
        verbose_name = _("phòng ban")
        verbose_name_plural = _("phòng ban")
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="department_code_per_agency")]
        ordering = ["agency", "code"]

    def __str__(self):
        return f"{self.name} – {self.agency.name}"


class Desk(models.Model):
    """A one-stop desk (Bộ phận Một cửa) or a Public Administration Service Centre counter."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="desks", verbose_name=_("cơ quan"))
    name = models.CharField(_("tên"), max_length=255)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    counters = models.PositiveSmallIntegerField(_("số quầy"), default=1)

    class Meta:
        verbose_name = _("bộ phận một cửa")
        verbose_name_plural = _("bộ phận một cửa")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", _("Cán bộ một cửa")
    PROCESSING_OFFICER = "processing_officer", _("Chuyên viên xử lý")
    HEAD = "head", _("Lãnh đạo phê duyệt")
    MANAGER = "manager", _("Quản lý")
    ADMINISTRATOR = "administrator", _("Quản trị")


class StaffMembership(models.Model):
    """A staff account's role at one agency; a person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cơ quan"))
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships", verbose_name=_("phòng ban")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="one_role_per_agency")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.agency.code}"
