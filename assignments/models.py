"""Directives (văn bản chỉ đạo) and the tasks (nhiệm vụ) they assign to units, with their whole history.

The deadline in force is `due_on`; `original_due_on` keeps the first one when an extension moves it.
`due_at` (the midnight after `due_on`) and `due_soon_at` are stored so the sweep selects by a plain
indexed comparison, as it does for dossiers; `is_due_soon` and `is_late` are the sweep's flags.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules


class TaskStatus(models.TextChoices):
    OPEN = rules.OPEN, _("Đang thực hiện")
    COMPLETION_REPORTED = rules.COMPLETION_REPORTED, _("Chờ xác nhận hoàn thành")
    DONE = rules.DONE, _("Đã hoàn thành")


class Verdict(models.TextChoices):
    EARLY = rules.EARLY, _("Trước hạn")
    ON_TIME = rules.ON_TIME, _("Đúng hạn")
    LATE = rules.LATE, _("Quá hạn")


class DeadlineKind(models.TextChoices):
    DATE = "date", _("Đến ngày")
    WORKING_DAYS = "working_days", _("Số ngày làm việc kể từ ngày giao")
    NONE = "none", _("Không có thời hạn")


class Directive(models.Model):
    """The document that assigns the tasks: number, date, signer, issuing unit, the file itself."""

    number = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày ban hành"))
    signer = models.CharField(_("người ký"), max_length=120)
    title = models.CharField(_("trích yếu"), max_length=500)
    issuing_agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="directives",
                                       verbose_name=_("cơ quan ban hành"))
    file = models.FileField(_("tệp văn bản"), upload_to="directives/%Y/%m", blank=True, max_length=255)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản giao nhiệm vụ")
        verbose_name_plural = _("văn bản giao nhiệm vụ")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuing_agency", "number"], name="directive_number_per_agency")]

    def __str__(self):
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


class Task(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("văn bản"))
    title = models.CharField(_("nội dung nhiệm vụ"), max_length=500)
    description = models.TextField(_("yêu cầu cụ thể"), blank=True)
    assigner = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="tasks_assigned",
                                 verbose_name=_("đơn vị giao"))
    lead_agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="tasks_led",
                                    verbose_name=_("đơn vị chủ trì"))
    supporting_agencies = models.ManyToManyField("organisation.Agency", blank=True, related_name="tasks_supported",
                                                 verbose_name=_("đơn vị phối hợp"))
    assigned_at = models.DateTimeField(_("thời điểm giao"))
    deadline_kind = models.CharField(_("loại thời hạn"), max_length=20, choices=DeadlineKind.choices)
    deadline_working_days = models.PositiveIntegerField(_("số ngày làm việc"), null=True, blank=True)
    original_due_on = models.DateField(_("hạn ban đầu"), null=True, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    due_soon_at = models.DateTimeField(null=True, blank=True)
    is_due_soon = models.BooleanField(default=False)
    is_late = models.BooleanField(default=False)
    status = models.CharField(_("trạng thái"), max_length=30, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    progress_percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    # The date of the completion report waiting for (or accepted by) the assigner; cleared when sent back.
    reported_on = models.DateField(_("ngày báo cáo hoàn thành"), null=True, blank=True)
    completed_at = models.DateTimeField(_("thời điểm hoàn thành"), null=True, blank=True)
    verdict = models.CharField(_("kết quả"), max_length=10, choices=Verdict.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ được giao")
        ordering = ["-assigned_at", "-id"]
        indexes = [
            models.Index(fields=["lead_agency", "assigned_at"]),
            models.Index(fields=["assigner", "assigned_at"]),
            # The sweep's selections: open rows not yet flagged (as dossiers.models does).
            models.Index(fields=["due_soon_at"], name="task_due_soon_sweep",
                         condition=Q(is_due_soon=False) & ~Q(status=rules.DONE)),
            models.Index(fields=["due_at"], name="task_late_sweep", condition=Q(is_late=False) & ~Q(status=rules.DONE)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__isnull=True) | Q(original_due_on__isnull=False),
                                   name="task_original_deadline_kept"),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="task_percent_at_most_100"),
        ]

    def __str__(self):
        return self.title

    @property
    def ref(self) -> str:
        return f"NV-{self.pk}"

    @property
    def extended(self) -> bool:
        return self.due_on is not None and self.original_due_on is not None and self.due_on != self.original_due_on


class TaskEvent(models.Model):
    """One line of the task's history: who did what, when, from which status to which."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=255, blank=True)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"])]

    def __str__(self):
        return f"{self.action} {self.at:%d/%m/%Y %H:%M}"


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Báo cáo tiến độ")
    COMPLETION = "completion", _("Báo cáo hoàn thành")


class ReportOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Đã xác nhận hoàn thành")
    RETURNED = "returned", _("Trả lại, yêu cầu tiếp tục thực hiện")


class TaskReport(models.Model):
    """A progress or completion report of the lead unit; a completion report is accepted or sent back."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    text = models.TextField(_("nội dung"))
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=20, choices=ReportOutcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.submitted_at:%d/%m/%Y}"


class TaskFile(models.Model):
    """A file attached to a report (the evidence of completion, a progress document)."""

    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="tasks/%Y/%m", max_length=255)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.file_name


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ xem xét")
    GRANTED = "granted", _("Đồng ý gia hạn")
    REFUSED = "refused", _("Không đồng ý")
    WITHDRAWN = "withdrawn", _("Hết hiệu lực (đã báo cáo hoàn thành)")


class ExtensionRequest(models.Model):
    """Every request for more time stays on record with its answer."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("lý do"))
    old_due_on = models.DateField(_("hạn đang áp dụng"))
    proposed_due_on = models.DateField(_("hạn đề nghị"))
    state = models.CharField(max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    granted_due_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # At most one request waits for an answer at a time.
            models.UniqueConstraint(fields=["task"], condition=Q(state="pending"), name="one_pending_extension"),
        ]

    def __str__(self):
        return f"{self.old_due_on:%d/%m/%Y} → {self.proposed_due_on:%d/%m/%Y} ({self.get_state_display()})"
