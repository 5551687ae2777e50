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
    # The commune-level agency that serves where the citizen lives: the home page shows its most used
    # procedures.
    commune = models.ForeignKey("organisation.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("xã, phường nơi cư trú"))
    verified_at = models.DateTimeField(_("xác thực lúc"), null=True, blank=True)
    # The `sub` claim of the national identity service (OpenID Connect), when the account came from there.
    oidc_subject = models.CharField(max_length=255, blank=True, default="", editable=False)
    # The identity service's claims at the last VNeID log-in (they prefill forms: population.records).
    identity_claims = models.JSONField(default=dict, blank=True, editable=False)
    identity_claims_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")
        constraints = [
            models.UniqueConstraint(fields=["oidc_subject"], condition=~models.Q(oidc_subject=""),
                                    name="one_profile_per_oidc_subject"),
        ]

    def __str__(self):
        return self.full_name


class Overall(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    DISSATISFIED = "dissatisfied", _("Chưa hài lòng")


class TimeVsPromise(models.TextChoices):
    EARLY = "early", _("Sớm hơn hẹn")
    ON_TIME = "on_time", _("Đúng hẹn")
    LATE = "late", _("Trễ hẹn")


class Visits(models.TextChoices):
    NONE = "0", _("Không phải đến")
    ONE = "1", _("1 lần")
    TWO_OR_MORE = "2+", _("2 lần trở lên")


class Attitude(models.TextChoices):
    GOOD = "good", _("Nhiệt tình, chu đáo")
    NORMAL = "normal", _("Bình thường")
    POOR = "poor", _("Chưa tốt")


class Rating(models.Model):
    """A citizen's satisfaction rating of a finished dossier: once per dossier (the one-to-one says so)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating")
    overall = models.CharField(_("mức độ hài lòng"), max_length=20, choices=Overall.choices)
    time_vs_promise = models.CharField(_("thời gian so với hẹn"), max_length=10, choices=TimeVsPromise.choices, blank=True)
    visits = models.CharField(_("số lần phải đến"), max_length=3, choices=Visits.choices, blank=True)
    attitude = models.CharField(_("thái độ cán bộ"), max_length=10, choices=Attitude.choices, blank=True)
    comment = models.TextField(_("góp ý"), blank=True)
    source = models.CharField(max_length=10, default="online")  # online, kiosk, lookup
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá hài lòng")
        verbose_name_plural = _("đánh giá hài lòng")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.dossier_id} {self.overall}"


class FeedbackStatus(models.TextChoices):
    """Open while `received` or `needs_info`; `refused` and `answered` close it."""

    RECEIVED = "received", _("Mới tiếp nhận")
    NEEDS_INFO = "needs_info", _("Yêu cầu bổ sung thông tin")
    REFUSED = "refused", _("Không tiếp nhận")
    ANSWERED = "answered", _("Đã trả lời")


class Feedback(models.Model):
    """Feedback or a complaint (phản ánh, kiến nghị), optionally about a dossier, with handling deadlines."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="feedback")
    name = models.CharField(_("họ và tên"), max_length=255)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    is_complaint = models.BooleanField(_("là khiếu nại, phản ánh không hài lòng"), default=True)
    # A complaint about a dossier already complained about before (the 766's repeated complaints, 5.3): known
    # when it is received, so written then by services.feedback.submit_feedback (citizens/0007).
    is_repeat = models.BooleanField(_("phản ánh lặp lại"), default=False)
    status = models.CharField(_("trạng thái"), max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED)
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    # Handling deadlines by the working-time clock: refuse within 2, ask for more within 5, answer within 15 working days.
    refuse_due_at = models.DateTimeField(null=True, blank=True)
    info_due_at = models.DateTimeField(null=True, blank=True)
    answer_due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published = models.BooleanField(_("công khai"), default=False)
    is_late = models.BooleanField(default=False)
    answer_rating = models.CharField(_("đánh giá câu trả lời"), max_length=20, choices=Overall.choices, blank=True)
    # Triage: the reason of a refusal, the question when more information is needed, and the citizen's reply.
    refusal_reason = models.TextField(_("lý do không tiếp nhận"), blank=True)
    info_request = models.TextField(_("thông tin cần bổ sung"), blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    citizen_reply = models.TextField(_("thông tin công dân bổ sung"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    late_notified_at = models.DateTimeField(null=True, blank=True)
    # Lets a submitter without an account follow their feedback through a private link.
    access_token = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["agency", "received_at"]), models.Index(fields=["status", "answer_due_at"])]

    def __str__(self):
        return f"#{self.pk} {self.subject}"


# --- accounts -------------------------------------------------------------------------------------


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("Xác thực tài khoản")
    RESET = "reset", _("Đặt lại mật khẩu")


class VerificationCode(models.Model):
    """A 6-digit code sent through the outbox; only its keyed hash is kept, it expires and allows few tries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_codes")
    purpose = models.CharField(max_length=10, choices=CodePurpose.choices)
    channel = models.CharField(max_length=10)  # email or sms (notices.NoticeChannel)
    destination = models.CharField(max_length=255)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác thực")
        verbose_name_plural = _("mã xác thực")
        indexes = [models.Index(fields=["user", "purpose", "created_at"]), models.Index(fields=["destination", "created_at"])]

    def __str__(self):
        return f"{self.user_id} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


# --- online submission ----------------------------------------------------------------------------


class Draft(models.Model):
    """An online application not sent yet (bản nháp): the form's values and the files already uploaded."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("thủ tục"))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["citizen", "updated_at"])]

    def __str__(self):
        return f"{self.citizen_id} {self.procedure_id}"


class DraftFile(models.Model):
    """One uploaded file of a draft, for one component of the procedure; kept through the storage API."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey("procedures.Component", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="drafts/%Y/%m/")
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draft", "component"], name="one_draft_file_per_component")]

    def __str__(self):
        return self.original_filename


# --- desk appointments ----------------------------------------------------------------------------


class Slot(models.Model):
    """A bookable time at a desk (khung giờ hẹn). `booked` is a counter kept by the services under a
    conditional UPDATE, so concurrent bookings never go past `capacity` (the check constraint agrees)."""

    desk = models.ForeignKey("organisation.Desk", on_delete=models.CASCADE, related_name="slots", verbose_name=_("quầy"))
    start = models.DateTimeField(_("bắt đầu"))
    end = models.DateTimeField(_("kết thúc"))
    capacity = models.PositiveSmallIntegerField(_("số chỗ"), default=1)
    booked = models.PositiveSmallIntegerField(_("đã đặt"), default=0)

    class Meta:
        verbose_name = _("khung giờ hẹn")
        verbose_name_plural = _("khung giờ hẹn")
        ordering = ["start", "desk"]
        indexes = [models.Index(fields=["desk", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="slot_ends_after_start"),
            models.UniqueConstraint(fields=["desk", "start"], name="one_slot_per_desk_start"),
        ]

    def __str__(self):
        return f"{self.desk_id} {self.start:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Đã đặt")
    CANCELLED = "cancelled", _("Đã hủy")


class Booking(models.Model):
    """A place in a slot, for a signed-in citizen or a name and phone."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("khung giờ"))
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="desk_bookings")
    name = models.CharField(_("họ và tên"), max_length=255)
    phone = models.CharField(_("điện thoại"), max_length=20)
    email = models.EmailField(_("thư điện tử"), blank=True)
    procedure = models.ForeignKey("procedures.Procedure", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("thủ tục"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["slot__start", "id"]
        indexes = [models.Index(fields=["status", "reminder_sent_at"])]
        constraints = [
            models.UniqueConstraint(fields=["slot", "citizen"], condition=models.Q(status="booked", citizen__isnull=False),
                                    name="one_booking_per_citizen_slot"),
        ]

    def __str__(self):
        return f"{self.slot_id} {self.name}"
