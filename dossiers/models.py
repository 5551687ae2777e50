"""Dossiers (hồ sơ), their components, processing steps, timeline, supplements and apologies.

Due time and verdict are stored on the row so that "late" and "on time" are plain indexed filters.
Every write goes through `dossiers/services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from procedures.text import fold

from .supplements import answer, split_items


class Status(models.IntegerChoices):
    """The ten statuses of the national portal (domain.md §4)."""

    SUBMITTED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung")
    PAYMENT_REQUESTED = 6, _("Yêu cầu nghĩa vụ tài chính")
    WITHDRAWAL_REQUESTED = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DECIDED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


# The statuses in which a dossier's clock runs: the deadline sweep (dossiers.deadlines) flags these only,
# and its partial indexes (below) hold only these.
SWEPT_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_REQUESTED)


# The strings the national portal (DVCQG) uses for each status.
DVCQG_STATUS = {
    1: "receiving", 2: "new", 3: "denied", 4: "processing", 5: "waiting",
    6: "paying", 7: "cancelled", 8: "unresolved", 9: "releasing", 10: "done",
}


# Before it is received an online dossier has no code; it is known as `TT-<id>` (trực tuyến).
ONLINE_REFERENCE_PREFIX = "TT-"


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")


class ReturnMethod(models.TextChoices):
    DESK = "desk", _("Tại bộ phận một cửa")
    POST = "post", _("Qua bưu chính")
    ONLINE = "online", _("Trực tuyến")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức")


class IdType(models.TextChoices):
    CCCD = "cccd", _("Căn cước / CCCD")
    PASSPORT = "passport", _("Hộ chiếu")
    TAX_CODE = "tax_code", _("Mã số thuế / mã số doanh nghiệp")
    OTHER = "other", _("Khác")


class FeePayment(models.TextChoices):
    """How the fee was paid (Decision 766 indicator 3.6 counts the online payments)."""

    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    POSTAL = "postal", _("Qua bưu chính")
    ONLINE = "online", _("Trực tuyến (Nền tảng thanh toán)")


class ComponentSource(models.TextChoices):
    """Where a component came from (Decision 766 indicators 4.3, 4.4 and 4.5b)."""

    APPLICANT = "", _("Người nộp cung cấp")
    REUSED = "reused", _("Tái sử dụng dữ liệu đã số hóa")
    POPULATION = "population", _("Cơ sở dữ liệu quốc gia về dân cư")
    CITIZEN_STORE = "citizen_store", _("Kho quản lý dữ liệu điện tử của công dân")


class Verdict(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    # The code of a dossier filed on the National Public Service Portal (MaHoSo), kept and searchable.
    national_code = models.CharField(_("mã hồ sơ trên Cổng DVC quốc gia"), max_length=60, unique=True, null=True,
                                     blank=True)
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục"))
    agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("cơ quan tiếp nhận")
    )
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, default=Status.SUBMITTED)
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices, default=Channel.COUNTER)
    return_method = models.CharField(_("hình thức nhận kết quả"), max_length=10, choices=ReturnMethod.choices, default=ReturnMethod.DESK)
    return_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)

    # Applicant (người nộp) and owner (chủ hồ sơ); the owner defaults to the applicant.
    applicant_kind = models.CharField(_("loại chủ hồ sơ"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.PERSON)
    applicant_name = models.CharField(_("họ và tên người nộp"), max_length=255)
    applicant_id_type = models.CharField(_("loại giấy tờ"), max_length=20, choices=IdType.choices, default=IdType.CCCD)
    applicant_id_number = models.CharField(_("số giấy tờ"), max_length=30, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    owner_name = models.CharField(_("chủ hồ sơ"), max_length=255, blank=True)
    owner_id_number = models.CharField(_("số giấy tờ chủ hồ sơ"), max_length=30, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    # The applicant's name folded (no diacritics, lower case) so "nguyen van an" finds "Nguyễn Văn An".
    applicant_search = models.CharField(max_length=255, blank=True, editable=False, default="")

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="own_dossiers",
        verbose_name=_("tài khoản công dân"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="received_dossiers",
        verbose_name=_("cán bộ tiếp nhận"),
    )
    # A boundary-free dossier (phi địa giới, Decree 309/2026): the desk that took it and issued the receipt,
    # when that is not `agency` (the competent agency, whose receipt starts the clock).
    intake_agency = models.ForeignKey(
        "organisation.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="boundary_free_dossiers",
        verbose_name=_("nơi nhận hồ sơ (phi địa giới)"),
    )
    # Where the dossier is now: the agency holding its current step (liên thông).
    current_agency = models.ForeignKey(
        "organisation.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="held_dossiers",
    )

    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("hẹn trả lúc"), null=True, blank=True)
    original_appointment_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    due_soon_at = models.DateTimeField(_("sắp đến hạn từ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)

    is_due_soon = models.BooleanField(_("sắp đến hạn"), default=False)
    is_late = models.BooleanField(_("quá hạn"), default=False)
    verdict = models.CharField(_("đánh giá thời hạn"), max_length=10, choices=Verdict.choices, null=True, blank=True)
    # Set by the sweep when the dossier will be late and an apology (form 04) is owed.
    apology_opened_at = models.DateTimeField(_("cần xin lỗi từ"), null=True, blank=True)

    # The facts behind the managers' figures (reporting/rules.py): the receipt's appointment as restarted by a
    # supplement (Decree 61; an apology never moves it) and the national portal's due time (the first
    # appointment plus the working time spent waiting for the applicant).
    receipt_due_at = models.DateTimeField(_("hẹn trả theo phiếu tiếp nhận"), null=True, blank=True)
    portal_due_at = models.DateTimeField(_("hạn tính theo Cổng Dịch vụ công quốc gia"), null=True, blank=True)
    fully_online = models.BooleanField(_("nộp trực tuyến toàn trình"), default=False)
    fee_paid_via = models.CharField(_("hình thức nộp phí"), max_length=10, choices=FeePayment.choices, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    # The apology's own facts (its issue time and the new appointment it promised), copied from the Apology row by
    # `services.apology.apologize` in the same transaction: the reports test them on the dossier's row (and its
    # covering index, reporting/0008) instead of probing the apologies once per open dossier.
    apologised_at = models.DateTimeField(_("xin lỗi lúc"), null=True, blank=True)
    apology_due_at = models.DateTimeField(_("hẹn mới khi xin lỗi"), null=True, blank=True)
    # When the dossier was first complained about (a dissatisfied rating, or a complaint about it): the 766's
    # "complained" count, written by citizens.services (ratings, feedback) in the same transaction (dossiers/0026).
    complained_at = models.DateTimeField(_("bị phản ánh lúc"), null=True, blank=True)
    supplement_wait_seconds = models.PositiveIntegerField(_("thời gian chờ bổ sung (giây làm việc)"), default=0)
    fee_amount = models.PositiveIntegerField(_("số tiền phải nộp"), null=True, blank=True)
    paid_at = models.DateTimeField(_("đã nộp phí lúc"), null=True, blank=True)
    result_text = models.TextField(_("kết quả giải quyết"), blank=True)
    result_file = models.FileField(_("kết quả điện tử"), upload_to="results/%Y/%m/", blank=True)
    reason = models.TextField(_("lý do (từ chối, dừng, rút)"), blank=True)
    # The processing officer's draft result (dự thảo kết quả) for the head to approve; it becomes the
    # result on approval (`services.decide`).
    draft_result_text = models.TextField(_("dự thảo kết quả"), blank=True)
    draft_result_file = models.FileField(_("tệp dự thảo kết quả"), upload_to="drafts/%Y/%m/", blank=True)
    draft_result_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("người lập dự thảo"))
    draft_result_at = models.DateTimeField(_("lập dự thảo lúc"), null=True, blank=True)
    # The entry in the desk's register (Sổ theo dõi hồ sơ, form 07): one book per agency and year, its
    # sequence continuous through the year; taken with the code (receipt, counter refusal, send-home).
    register_year = models.PositiveSmallIntegerField(_("năm sổ theo dõi"), null=True, blank=True)
    register_no = models.PositiveIntegerField(_("số thứ tự trong sổ"), null=True, blank=True)

    # The electronic form (tờ khai điện tử) as filled, checked against the version in force when it was filed.
    form_definition = models.ForeignKey("procedures.FormDefinition", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="dossiers", verbose_name=_("phiên bản tờ khai"))
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)

    idempotency_key = models.CharField(max_length=100, blank=True)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Optimistic concurrency: every action bumps it; a stale write is a 409.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "form_data"])

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["current_agency", "status"]),
            models.Index(fields=["agency", "received_at"]),
            models.Index(fields=["agency", "finished_at"]),
            models.Index(fields=["citizen", "status"]),
            # The deadline sweep's selections (dossiers.deadlines `_SELECTIONS`, whose conditions are exactly
            # these predicates): only swept rows whose flag is not yet set, so a sweep reads the rows crossing
            # a point now, not every row flagged or finished before. No other index has these times as a
            # key (the plain (status, due_soon_at) and (status, appointment_at) went in migration 0022), so
            # a fresh ANALYZE cannot turn the planner to one that reads the flagged rows too.
            models.Index(fields=["due_soon_at"], condition=Q(status__in=SWEPT_STATUSES, finished_at__isnull=True,
                                                             is_due_soon=False),
                         name="dossier_due_soon_to_sweep"),
            models.Index(fields=["appointment_at"], condition=Q(status__in=SWEPT_STATUSES, finished_at__isnull=True,
                                                                is_late=False),
                         name="dossier_late_to_sweep"),
            # "Late now" (open and past the appointment) for the operator's gauge and late worklists.
            models.Index(fields=["agency"], condition=Q(finished_at__isnull=True, is_late=True),
                         name="dossier_late_open"),
            # The staff search (dossiers.lists.search_q) reads PostgreSQL-only indexes made by migration
            # 0021_h15b_search_indexes: trigrams (pg_trgm) of the folded name, the phone and the code, and
            # the ID number by prefix.
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], condition=~Q(idempotency_key=""), name="one_dossier_per_idempotency_key"
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # A derived column, not a business rule: the folded name the search matches against.
        self.applicant_search = fold(self.applicant_name)[:255]
        if kwargs.get("update_fields") is not None and "applicant_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "applicant_search"}
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        """The code once received; before that (an online submission at status 1) `TT-<id>`."""
        return self.code or f"{ONLINE_REFERENCE_PREFIX}{self.pk}"

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def dvcqg_status(self):
        return DVCQG_STATUS[self.status]

    @property
    def lookup_secret(self) -> str:
        """The public look-up secret: the last four digits of the applicant's phone."""
        digits = "".join(ch for ch in self.applicant_phone if ch.isdigit())
        return digits[-4:]


class DossierComponent(models.Model):
    """A document received with the dossier (or in a supplement round), with its scan."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey("procedures.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    kind = models.CharField(_("loại bản"), max_length=20, default="original")
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    file = models.FileField(_("bản số hóa"), upload_to="dossiers/%Y/%m/", blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    supplement_round = models.PositiveSmallIntegerField(default=0)
    data_source = models.CharField(_("nguồn dữ liệu"), max_length=20, choices=ComponentSource.choices, blank=True,
                                   default=ComponentSource.APPLICANT)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["dossier", "id"]

    def __str__(self):
        return self.name

    @property
    def digitised(self) -> bool:
        return bool(self.file)


class Step(models.Model):
    """One processing step of one dossier (one row of the control sheet, form 06)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("bước"), max_length=255)
    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="dossier_steps")
    department = models.ForeignKey("organisation.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=30, default="processing_officer")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="dossier_steps")
    allowance_seconds = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    due_soon_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, null=True, blank=True)
    is_due_soon = models.BooleanField(default=False)
    is_late = models.BooleanField(default=False)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who completed the step (its handler), assigned or not.
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["dossier", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="one_step_per_order")]
        indexes = [
            models.Index(fields=["agency", "finished_at"]),
            # Steps finished in a period (dossiers.lateness). Finished rows only: the open ones are the
            # sweep's, read by the two partial indexes below and by no other.
            models.Index(fields=["finished_at"], condition=Q(finished_at__isnull=False), name="step_finished_at"),
            # The deadline sweep's step selections, like the dossier's.
            models.Index(fields=["due_soon_at"], condition=Q(finished_at__isnull=True, is_due_soon=False),
                         name="step_due_soon_to_sweep"),
            models.Index(fields=["due_at"], condition=Q(finished_at__isnull=True, is_late=False),
                         name="step_late_to_sweep"),
            # The scope rule "a step at one of my agencies" (liên thông) reads this index only.
            models.Index(fields=["agency", "dossier"], name="step_agency_dossier_idx"),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    @property
    def handler(self):
        """The person who handled the step: who completed it, else who it is assigned to (None: nobody yet)."""
        return self.finished_by or self.assignee


class TimelineEvent(models.Model):
    """A readable line of the audit trail: who did what, when, from which status to which."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=255, blank=True)
    from_status = models.PositiveSmallIntegerField(null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class DossierCodeSequence(models.Model):
    """The per-agency, per-day counter behind `<agency code>-<YYMMDD>-<NNNN>`."""

    agency = models.ForeignKey("organisation.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="one_sequence_per_agency_day")]

    def __str__(self):
        return f"{self.agency_id} {self.day} {self.last}"


class RegisterSequence(models.Model):
    """The per-agency, per-year counter of the register's sequence numbers (form 07)."""

    agency = models.ForeignKey("organisation.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="one_register_sequence_per_year")]

    def __str__(self):
        return f"{self.agency_id} {self.year} {self.last}"


class FormSet(models.Model):
    """A set of the printed forms (mẫu 01–07) as issued by a legal text, in force from a date. A form is
    printed with the set in force on the day it was issued (`documents.form_set_for`); a re-issued set
    gets its own templates under `templates/forms/<code>/` (any form it does not re-issue falls back to
    `templates/forms/`)."""

    code = models.SlugField(_("mã bộ mẫu"), max_length=40, unique=True)
    name = models.CharField(_("tên bộ mẫu"), max_length=255)
    legal_basis = models.CharField(_("văn bản ban hành"), max_length=255)
    effective_from = models.DateField(_("áp dụng từ ngày"), unique=True)

    class Meta:
        verbose_name = _("bộ mẫu phiếu in")
        verbose_name_plural = _("bộ mẫu phiếu in")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"


class SupplementRequest(models.Model):
    """A supplement round: the facts both time rules need (Decree 61 restart, national portal subtraction)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    round = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    items = models.TextField(_("giấy tờ cần bổ sung"))
    reason = models.TextField(_("lý do"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    # Where the dossier goes when the documents arrive (`transitions.resume_status`): a dossier asked
    # for them at the counter is received then; one asked during processing resumes it.
    resume_status = models.PositiveSmallIntegerField(_("trạng thái khi nhận đủ"), choices=Status.choices, null=True,
                                                     blank=True)
    # The date by which the applicant is asked to supplement (printed on form 02).
    deadline_at = models.DateTimeField(_("hạn bổ sung"), null=True, blank=True)
    # The requested items answered so far (a reply may answer some of them; the round stays open until
    # every item is answered or an officer accepts the reply as complete, with a note).
    answered_items = models.JSONField(_("giấy tờ đã bổ sung"), default=list, blank=True)
    accepted_note = models.TextField(_("ghi chú chấp nhận hồ sơ bổ sung"), blank=True)

    class Meta:
        ordering = ["dossier", "round"]
        constraints = [models.UniqueConstraint(fields=["dossier", "round"], name="one_supplement_per_round")]

    def __str__(self):
        return f"#{self.round}"

    @property
    def item_list(self) -> list[str]:
        return split_items(self.items)

    @property
    def missing_items(self) -> list[str]:
        return answer(self.item_list, list(self.answered_items or ()), [])[1]


class Apology(models.Model):
    """The apology letter (form 04) with a new appointment date; at most one per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("lý do chậm"))
    old_appointment_at = models.DateTimeField()
    new_appointment_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiếu xin lỗi")
        verbose_name_plural = _("phiếu xin lỗi")

    def __str__(self):
        return f"{self.dossier_id} {self.new_appointment_at:%Y-%m-%d}"


class StepDurationStat(models.Model):
    """How long a step of a procedure took recently (lateness forecast, `dossiers.lateness`): the working
    hours of the steps finished in the last FORECAST_WINDOW_DAYS days, per (procedure, step name, agency),
    and per (procedure, step name) over every agency (`agency` empty). Rebuilt whole by the periodic task."""

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False)
    step_name = models.CharField(max_length=255)
    agency = models.ForeignKey("organisation.Agency", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", db_index=False)
    samples = models.PositiveIntegerField()
    # `dossiers.forecast.ATOMS` quantile points of the durations in working hours, ascending.
    quantiles = models.JSONField()
    median_hours = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["procedure", "step_name", "agency"], name="one_step_stat",
                                    nulls_distinct=False),
        ]

    def __str__(self):
        return f"{self.procedure_id} {self.step_name} @{self.agency_id or '*'}: {self.median_hours:.1f} h"


class DossierRisk(models.Model):
    """The forecast chance that an open dossier finishes after its appointment, with what it rests on
    (`dossiers.forecast.Forecast.as_dict`); refreshed by the periodic task, removed when the dossier is
    no longer open."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="risk")
    probability = models.FloatField()
    flagged = models.BooleanField(default=False)
    explanation = models.JSONField(default=dict)
    appointment_at = models.DateTimeField()  # the appointment it was computed against
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["dossier"], condition=Q(flagged=True), name="dossier_risk_flagged")]

    def __str__(self):
        return f"{self.dossier_id}: {self.probability:.0%}"


class DossierVisibility(models.Model):
    """'Staff of this agency may see this dossier': one row per (agency, dossier), the scope of every staff
    list, worklist, badge, search and `can_see` (dossiers.visibility).

    Granted to the agency that receives the dossier and to every agency it is routed to (a step at it:
    liên thông, a transfer back), with `direct` true; and to every agency above those (`direct` false),
    so that a manager's scope (their agency and everything under it) is one agency's rows too. A row is
    never taken back: an agency that once held a dossier keeps seeing it.

    The other columns copy the dossier's sort and filter keys, so that a page of any scope, filtered or not,
    is an index-ordered top-N on this table alone. PostgreSQL keeps them in step with the dossier in the
    same transaction as every write (triggers of migration 0017_h15b_visibility, which the services'
    `grant_visibility` and the deadline sweep's flag updates go through as well); see
    dossiers/visibility.py for the rules and README "Staff lists at province scale".
    """

    pk = models.CompositePrimaryKey("agency_id", "dossier_id")
    # No database constraints: the rows are written by PostgreSQL itself from rows that exist (the checks
    # would double the cost of a backfill of millions), and Django deletes them with their dossier.
    agency = models.ForeignKey("organisation.Agency", on_delete=models.CASCADE, related_name="+", db_index=False,
                               db_constraint=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="visibility", db_constraint=False)
    direct = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10)
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.DO_NOTHING, related_name="+",
                                  db_constraint=False, db_index=False)
    field = models.ForeignKey("procedures.Field", null=True, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False, db_index=False)
    # When the dossier is, or becomes, late / due soon: 1970-01-01 once flagged (or finished late), its
    # appointment / due-soon point while pending and not yet flagged, null when it never will be. "Late
    # now" is `late_from <= now`: right between two sweeps, and unchanged in truth when the sweep flags.
    late_from = models.DateTimeField(null=True)
    due_soon_from = models.DateTimeField(null=True)
    # The worklists' urgency order ("late first, then due soon, then by appointment"): 1970-01-01 when
    # flagged late, the appointment while pending; null (last) otherwise.
    urgency_at = models.DateTimeField(null=True)
    # Who acts next at this row's agency (migration 0023_visibility_todo), for the worklist tabs: the role
    # (`desk_officer` at the receiving agency while submitted, received or decided; the open step's role
    # while processing; `*`, any staff role, at the receiving and the holding agency while a supplement is
    # asked for), and the open step's assignee (null: anyone of the role). Null on every row without work.
    todo_role = models.CharField(max_length=30, null=True)
    todo_user_id = models.IntegerField(null=True)
    # The applicant's folded name (procedures.text.fold), words in order and reversed, for the name search
    # (dossiers.lists.name_query): a prefix of either, from one agency's rows (PostgreSQL btrees
    # `visibility_name`, `visibility_name_last` of migration 0023).
    name_key = models.CharField(max_length=255)
    name_last = models.CharField(max_length=255)

    class Meta:
        db_table = "dossiers_visibility"
        indexes = [
            # The primary key (agency, dossier) serves "newest first" for a manager's whole scope.
            models.Index(fields=["agency", "dossier"], condition=Q(direct=True), name="visibility_direct"),
            models.Index(fields=["agency", "status", "dossier"], name="visibility_status"),
            models.Index(fields=["agency", "procedure", "dossier"], name="visibility_procedure"),
            models.Index(fields=["agency", "dossier"], condition=Q(late_from__isnull=False),
                         name="visibility_late", include=["late_from", "direct"]),
            models.Index(fields=["agency", "dossier"], condition=Q(due_soon_from__isnull=False),
                         name="visibility_may_be_due_soon", include=["due_soon_from"]),
            models.Index(fields=["agency", "urgency_at", "dossier"], condition=Q(urgency_at__isnull=False),
                         name="visibility_urgent"),
            # A worklist tab: one agency's rows waiting for one role in one of the tab's statuses, in urgency order
            # (migration 0025: the status in the key, so a tab of statuses 2 and 4 does not read the role's
            # status-9 rows waiting to be returned).
            models.Index(fields=["agency", "todo_role", "status", "urgency_at", "dossier"],
                         condition=Q(todo_role__isnull=False), include=["todo_user_id"], name="visibility_tab"),
            models.Index(fields=["agency", "todo_role", "status", "dossier"],
                         condition=Q(todo_role__isnull=False, urgency_at__isnull=True),
                         include=["todo_user_id"], name="visibility_tab_rest"),
        ]

    def __str__(self):
        return f"{self.agency_id}:{self.dossier_id}"
