"""The outbox: every notice is a row written in the same transaction as the change it tells of."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    IN_APP = "in_app", _("Thông báo trong hệ thống")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class Notice(models.Model):
    event = models.CharField(_("sự kiện"), max_length=40)
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    channel = models.CharField(_("kênh"), max_length=10, choices=NoticeChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices",
        help_text="The staff member or citizen an in-app notice is for.",
    )
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # One notice per event and recipient, even if the code that writes it runs twice.
    dedupe_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["dossier", "created_at"]),
        ]

    def __str__(self):
        return f"{self.event} → {self.recipient} ({self.channel})"

