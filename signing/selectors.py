"""Reads of the signing app."""

from django.db.models import Exists, OuterRef

from .models import SignedDocument


def has_signed_result_q():
    """A filter on dossiers with a signed electronic result (766 indicator 4.1 reads this fact)."""
    return Exists(SignedDocument.objects.filter(dossier=OuterRef("pk"), kind="result"))
