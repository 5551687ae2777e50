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


class FeedbackStatus(models.TextChoices):
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

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["agency", "received_at"]), models.Index(fields=["status", "answer_due_at"])]
