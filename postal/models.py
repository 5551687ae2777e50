"""Orders to the public postal service (bưu chính công ích): to collect a dossier from the applicant and to
deliver the result to them, with every tracking update received. Writes go through `postal/services.py`."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import states


class Direction(models.TextChoices):
    COLLECT = "collect", _("Thu gom hồ sơ từ người nộp")
    DELIVER = "deliver", _("Chuyển phát kết quả đến người nộp")


class OrderStatus(models.TextChoices):
    REQUESTED = states.REQUESTED, _("Chờ bưu điện nhận đơn")
    CREATED = states.CREATED, _("Bưu điện đã nhận đơn")
    COLLECTING = states.COLLECTING, _("Bưu tá đang đến lấy")
    COLLECTED = states.COLLECTED, _("Bưu điện đã lấy")
    DELIVERING = states.DELIVERING, _("Đang phát")
    DELIVERED = states.DELIVERED, _("Đã phát thành công")
    FAILED = states.FAILED, _("Phát không thành công")
    CANCELLED = states.CANCELLED, _("Đã hủy")


class PostalOrder(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="postal_orders")
    direction = models.CharField(_("loại đơn"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.REQUESTED)
    # The order number the post knows it by: the dossier's code (integrations.md).
    order_number = models.CharField(_("số đơn"), max_length=80)
    carrier_order_id = models.CharField(_("mã vận đơn"), max_length=64, blank=True)
    sender_name = models.CharField(max_length=255)
    sender_address = models.CharField(max_length=500)
    sender_phone = models.CharField(max_length=30, blank=True)
    receiver_name = models.CharField(max_length=255)
    receiver_address = models.CharField(max_length=500)
    receiver_phone = models.CharField(max_length=30, blank=True)
    contents = models.TextField(_("nội dung bưu gửi"))
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đơn bưu chính")
        verbose_name_plural = _("đơn bưu chính")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "direction"], name="one_postal_order_per_direction"),
            models.UniqueConstraint(fields=["carrier_order_id"], condition=~Q(carrier_order_id=""),
                                    name="unique_carrier_order_id"),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.order_number} {self.direction}"

    @property
    def is_open(self) -> bool:
        return self.status not in states.FINAL


class TrackingEvent(models.Model):
    order = models.ForeignKey(PostalOrder, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=64)
    at = models.DateTimeField()
    status = models.CharField(max_length=12)
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10)  # callback / poll
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "event_id"], name="one_tracking_event_per_id")]

    def __str__(self):
        return f"{self.order_id} {self.status}"

    @property
    def status_label(self):
        try:
            return OrderStatus(self.status).label
        except ValueError:
            return self.status
