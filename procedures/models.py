"""The catalogue of administrative procedures (thủ tục hành chính)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import formdefs
from .text import fold


class Field(models.Model):
    """A field or sector (lĩnh vực), e.g. Hộ tịch with code `G09-TP02`."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    DAYS = "days", _("ngày")
    SAME_DAY = "same_day", _("trong ngày")


class OnlineMode(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã công bố")


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(editable=False, default="", db_index=False)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực"))
    # Comma-separated agency levels that perform it (organisation.AgencyLevel values), e.g. "commune".
    agency_levels = models.CharField(_("cấp thực hiện"), max_length=100, default="commune")
    agencies = models.ManyToManyField(
        "organisation.Agency", blank=True, related_name="procedures", verbose_name=_("cơ quan thực hiện")
    )
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result = models.CharField(_("kết quả"), max_length=500, blank=True)
    time_limit_amount = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2, default=0)
    time_limit_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices)
    committed_amount = models.DecimalField(
        _("thời hạn cam kết rút ngắn"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    online_mode = models.CharField(_("dịch vụ công trực tuyến"), max_length=10, choices=OnlineMode.choices, default=OnlineMode.NONE)
    online_only = models.BooleanField(_("chỉ tiếp nhận trực tuyến"), default=False)
    # Decision 766: indicator 3 counts fully-online dossiers among those of eligible procedures; 4.1 counts
    # electronic results among the dossiers of procedures whose result is a paper document.
    full_online_eligible = models.BooleanField(_("đủ điều kiện cung cấp trực tuyến toàn trình"), default=False)
    paper_result = models.BooleanField(_("kết quả là giấy tờ"), default=True)
    on_the_spot = models.BooleanField(_("4 tại chỗ"), default=False)
    # Decree 309/2026: accepted at any desk of the province whatever the applicant's address (phi địa giới);
    # the receiving desk forwards the dossier to the competent agency, whose receipt starts the clock.
    boundary_free = models.BooleanField(_("tiếp nhận không phụ thuộc địa giới hành chính"), default=False)
    fee_text = models.CharField(_("phí, lệ phí"), max_length=500, blank=True)
    fee_amount = models.PositiveIntegerField(_("lệ phí (đồng)"), default=0)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ProcedureStatus.choices, default=ProcedureStatus.DRAFT)
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "online_mode"]), models.Index(fields=["field", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit_amount__gte=0), name="time_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # A derived column, not a business rule: the folded text the search matches against.
        self.search_text = self.folded_text()
        super().save(*args, **kwargs)

    def folded_text(self) -> str:
        """What `search_text` must hold; bulk writes, which skip save(), set it from here too."""
        return fold(f"{self.code} {self.name}")

    @property
    def level_list(self) -> list[str]:
        return [level for level in (part.strip() for part in self.agency_levels.split(",")) if level]

    @property
    def effective_amount(self):
        """The time the agency commits to: the shorter committed time when there is one."""
        return self.committed_amount if self.committed_amount is not None else self.time_limit_amount


class ComponentKind(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    COPY = "copy", _("Bản sao")


class DataHolder(models.TextChoices):
    """Which national database already holds a component (Decree 309/2026: not asked for again). The values
    are those of the dossier component's `data_source` (Decision 766 indicators 4.3, 4.4, 4.5b)."""

    NONE = "", _("Người nộp cung cấp")
    POPULATION = "population", _("Cơ sở dữ liệu quốc gia về dân cư")
    REUSED = "reused", _("Dữ liệu đã số hóa (hộ tịch, giấy tờ đã nộp)")
    CITIZEN_STORE = "citizen_store", _("Kho quản lý dữ liệu điện tử của công dân")


class Component(models.Model):
    """A document the applicant brings (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(_("loại bản"), max_length=20, choices=ComponentKind.choices, default=ComponentKind.ORIGINAL)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    blank_form = models.FileField(_("mẫu đơn, tờ khai"), upload_to="forms/", blank=True)
    # Taken from this database instead of uploaded when the citizen consents (population.reuse).
    held_in = models.CharField(_("dữ liệu có sẵn tại"), max_length=20, choices=DataHolder.choices, blank=True,
                               default=DataHolder.NONE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]

    def __str__(self):
        return self.name


class Performer(models.TextChoices):
    """Who performs a step: the receiving agency, the agency one level up, or a named agency."""

    RECEIVING = "receiving", _("Cơ quan tiếp nhận")
    PARENT = "parent", _("Cơ quan cấp trên")
    AGENCY = "agency", _("Cơ quan được chỉ định")


class StepRole(models.TextChoices):
    DESK = "desk_officer", _("Bộ phận một cửa")
    PROCESSING = "processing_officer", _("Chuyên viên")
    HEAD = "head", _("Lãnh đạo")


class ProcedureStep(models.Model):
    """An internal processing step with its time allowance; steps at other agencies make it liên thông."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("bước"), max_length=255)
    performer = models.CharField(_("nơi thực hiện"), max_length=20, choices=Performer.choices, default=Performer.RECEIVING)
    agency = models.ForeignKey(
        "organisation.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("cơ quan (nếu chỉ định)"),
    )
    department_name = models.CharField(_("phòng ban"), max_length=255, blank=True)
    role = models.CharField(_("vai trò"), max_length=30, choices=StepRole.choices, default=StepRole.PROCESSING)
    allowance_hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=7, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="step_order_per_procedure"),
            models.CheckConstraint(condition=Q(allowance_hours__gte=0), name="allowance_not_negative"),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class FormDefinition(models.Model):
    """One version of a procedure's electronic form (tờ khai điện tử), as data (procedures/formdefs.py).

    A procedure's form changes when the ministry re-issues it; each version keeps its effective dates and a
    dossier keeps the version it was filed with, so an old dossier still shows and prints as it was filed.
    The version in force on a day is the latest one effective by then (`selectors.form_for`).
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_definitions",
                                  verbose_name=_("thủ tục"))
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    effective_from = models.DateField(_("hiệu lực từ"))
    definition = models.JSONField(_("định nghĩa tờ khai"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tờ khai điện tử")
        verbose_name_plural = _("tờ khai điện tử")
        ordering = ["procedure", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="form_version_per_procedure"),
        ]

    def __str__(self):
        return f"{self.procedure.code} v{self.version}"

    def parsed(self):
        """The definition as `formdefs.Definition` (it was checked when written)."""
        return formdefs.parse(self.definition)
