"""Signed documents: the electronic result of a dossier, signed (PAdES) when it is decided."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedDocument(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="signed_documents")
    kind = models.CharField(max_length=20, default="result")
    file = models.FileField(_("tệp đã ký số"), upload_to="signed/%Y/%m/")
    source_name = models.CharField(max_length=255, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=255)
    signed_at = models.DateTimeField(_("ký lúc"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản ký số")
        verbose_name_plural = _("văn bản ký số")
        constraints = [models.UniqueConstraint(fields=["dossier", "kind"], name="one_signed_document_per_kind")]

    def __str__(self):
        return f"{self.dossier_id} {self.kind}"
