"""The "signed by … at …" line beside a result's download link."""

from django import template

from ..models import SignedDocument
from ..services import signed_label

register = template.Library()


@register.simple_tag
def result_signature(dossier) -> str:
    doc = SignedDocument.objects.filter(dossier=dossier, kind="result").only("signer_name", "signed_at").first()
    return signed_label(doc.signer_name, doc.signed_at) if doc else ""
