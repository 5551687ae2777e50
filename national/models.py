"""Synchronisation with the National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG).

`OutboxEntry` is the per-dossier ordered outbox: one row per change the national portal must hear of,
written by `services.record_dossier_event` in the same transaction (and the same INSERT) as the change.
`SyncState` is one row per dossier, made by the worker: the lease that lets one worker at a time send a
dossier's changes, and what staff see (synced at, last error, attempts). `ProcedureMapping` keeps the
local procedure's national code and the national names as data, editable in the admin.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules


class Service(models.TextChoices):
    SYNC_DOSSIER = rules.SYNC_DOSSIER, "DongBoHoSoMC"
    PROGRESS = rules.PROGRESS, "CapNhatTienDoHoSoMC"


class OutboxEntry(models.Model):
    """One change to send, in the order of `id` within its dossier (the dossier row is locked when it is
    written, so a later change of the same dossier always gets a larger id)."""

    id = models.BigAutoField(primary_key=True)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="national_outbox")
    event = models.ForeignKey("dossiers.TimelineEvent", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    service = models.CharField(_("dịch vụ"), max_length=30, choices=Service.choices)
    # The dossier's facts as they were at the change (status, times), so a late delivery tells the past.
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("ghi lúc"))
    sent_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thay đổi chờ đồng bộ")
        verbose_name_plural = _("thay đổi chờ đồng bộ")
        ordering = ["dossier", "id"]
        indexes = [
            # The head of each dossier's queue, and the sweeper's selection: unsent rows only.
            models.Index(fields=["dossier", "id"], condition=Q(sent_at__isnull=True), name="national_outbox_pending"),
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="national_outbox_to_sweep"),
        ]

    def __str__(self):
        return f"{self.dossier_id}#{self.pk} {self.service}"


class SyncState(models.Model):
    """A dossier's synchronisation: lease, last success, last failure. One row per dossier."""

    dossier = models.OneToOneField("dossiers.Dossier", primary_key=True, on_delete=models.CASCADE,
                                   related_name="national_sync")
    # The national portal holds the dossier (a DongBoHoSoMC accepted, or it was filed there).
    held_since = models.DateTimeField(_("Cổng quốc gia đã có hồ sơ từ"), null=True, blank=True)
    synced_at = models.DateTimeField(_("đồng bộ lần cuối lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    attempts = models.PositiveIntegerField(_("số lần thử của thay đổi đang chờ"), default=0)
    # When the failed head of the queue is tried again (the sweeper leaves the dossier alone until then).
    retry_at = models.DateTimeField(null=True, blank=True)
    # The lease: the worker that sends this dossier's changes now, until when.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("trạng thái đồng bộ")
        verbose_name_plural = _("trạng thái đồng bộ")

    def __str__(self):
        return str(self.dossier_id)


class ProcedureMapping(models.Model):
    """The national code and names of a local procedure (mã TTHC trên Cơ sở dữ liệu quốc gia)."""

    procedure = models.OneToOneField("procedures.Procedure", primary_key=True, on_delete=models.CASCADE,
                                     related_name="national_mapping", verbose_name=_("thủ tục"))
    national_code = models.CharField(_("mã TTHC quốc gia"), max_length=40, blank=True)
    national_name = models.CharField(_("tên TTHC quốc gia"), max_length=500, blank=True)
    field_code = models.CharField(_("mã lĩnh vực quốc gia"), max_length=40, blank=True)
    field_name = models.CharField(_("tên lĩnh vực quốc gia"), max_length=255, blank=True)
    refreshed_at = models.DateTimeField(_("cập nhật từ Cổng quốc gia lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã thủ tục quốc gia")
        verbose_name_plural = _("mã thủ tục quốc gia")
        indexes = [models.Index(fields=["national_code"])]

    def __str__(self):
        return f"{self.procedure_id} → {self.national_code or '-'}"
