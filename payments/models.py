"""Fees and their payment: the catalogue's fee lines and exemptions, the bill of a dossier, each payment
(online through a gateway, or cash / bank transfer recorded by the desk) and every gateway confirmation
received, accepted or not (the audit trail an auditor reads).

Every write goes through `payments/services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class FeeItem(models.Model):
    """One line of a procedure's fee schedule (biểu phí, lệ phí), in whole đồng."""

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="fee_items",
                                  verbose_name=_("thủ tục"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("khoản thu"), max_length=255)
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices, default=FeeKind.CHARGE)
    amount = models.PositiveIntegerField(_("số tiền (đồng)"))

    class Meta:
        verbose_name = _("khoản phí, lệ phí")
        verbose_name_plural = _("biểu phí, lệ phí")
        ordering = ["procedure", "order", "id"]

    def __str__(self):
        return f"{self.name}: {self.amount}"


class FeeExemption(models.Model):
    """A group exempted from (or granted a reduction of) a procedure's fees, e.g. poor households."""

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="fee_exemptions",
                                  verbose_name=_("thủ tục"))
    name = models.CharField(_("đối tượng miễn, giảm"), max_length=255)
    percent = models.PositiveSmallIntegerField(_("tỷ lệ miễn, giảm (%)"), default=100)
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("miễn, giảm phí")
        verbose_name_plural = _("miễn, giảm phí")
        ordering = ["procedure", "name"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="exemption_at_most_100")]

    def __str__(self):
        return f"{self.name} ({self.percent}%)"


class Bill(models.Model):
    """What a dossier owes, line by line, as asked of the applicant (one per dossier)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="bill")
    total = models.PositiveIntegerField(_("tổng số tiền"))
    exemption_name = models.CharField(_("miễn, giảm"), max_length=255, blank=True)
    exemption_percent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("phiếu thu")
        verbose_name_plural = _("phiếu thu")

    def __str__(self):
        return f"{self.dossier_id}: {self.total}"


class BillLine(models.Model):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=FeeKind.choices, default=FeeKind.CHARGE)
    amount = models.PositiveIntegerField()
    exempted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["bill", "order", "id"]

    def __str__(self):
        return f"{self.name}: {self.due}"

    @property
    def due(self) -> int:
        return self.amount - self.exempted


class Method(models.TextChoices):
    ONLINE = "online", _("Trực tuyến (Nền tảng thanh toán)")
    CASH = "cash", _("Tiền mặt")
    BANK_TRANSFER = "bank_transfer", _("Chuyển khoản")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Đã hủy")


class Payment(models.Model):
    """One payment of a dossier's bill: an online attempt through a gateway, or money taken by the desk.

    At most one paid payment per dossier counts (`credited`); a second one paid online after the first (two
    tabs, a late confirmation) is recorded as paid and flagged for refund, never billed twice.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("hình thức"), max_length=20, choices=Method.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    amount = models.PositiveIntegerField(_("số tiền"))
    gateway = models.CharField(_("cổng thanh toán"), max_length=40, blank=True)
    # Our id of the attempt, sent to the gateway and signed back.
    transaction_id = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    gateway_transaction_id = models.CharField(_("mã giao dịch của cổng"), max_length=64, blank=True)
    payment_url = models.URLField(max_length=1000, blank=True)
    credited = models.BooleanField(_("được ghi nhận cho hồ sơ"), default=False)
    needs_refund = models.BooleanField(_("cần hoàn trả"), default=False)
    reference = models.CharField(_("số chứng từ"), max_length=100, blank=True)
    receipt_number = models.CharField(_("số biên lai điện tử"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("thanh toán")
        verbose_name_plural = _("thanh toán")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["dossier", "status"])]
        constraints = [
            # A gateway transaction pays one attempt only: a confirmation replayed onto another is refused.
            models.UniqueConstraint(fields=["gateway", "gateway_transaction_id"],
                                    condition=~Q(gateway_transaction_id=""), name="one_payment_per_gateway_txn"),
            models.UniqueConstraint(fields=["dossier"], condition=Q(credited=True), name="one_credited_payment"),
            models.UniqueConstraint(fields=["receipt_number"], condition=~Q(receipt_number=""),
                                    name="unique_receipt_number"),
        ]

    def __str__(self):
        return self.transaction_id


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Chấp nhận")
    DUPLICATE = "duplicate", _("Trùng, bỏ qua")
    LATE = "late", _("Đến muộn, ghi nhận")
    FAILED = "failed", _("Giao dịch không thành công")
    REFUSED = "refused", _("Từ chối")


class Confirmation(models.Model):
    """Every confirmation a gateway sent (callback, browser return or an answer to our query), as received,
    with what we did with it and why: a refused one changes nothing but this log."""

    received_at = models.DateTimeField(auto_now_add=True)
    gateway = models.CharField(max_length=40)
    source = models.CharField(max_length=10)  # callback / return / query
    transaction_id = models.CharField(max_length=100, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="confirmations")
    payload = models.JSONField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=40, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.transaction_id} {self.outcome}"
