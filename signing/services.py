"""Signing the electronic result and the issued forms, and serving them only with a verified signature.

The electronic result (kết quả điện tử) is the uploaded result file (a PDF, or a scan turned into one), or,
when only a text was recorded, a result notice rendered from it; it is signed once, when decided (and on
first download for a dossier decided before signing was configured). Every download verifies it again.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier, Status
from organisation.errors import DomainError

from . import signer
from .models import SignedDocument

log = logging.getLogger("signing")

RESULT = "result"


class SignatureInvalid(DomainError):
    """A stored signed file no longer verifies: it is not served."""

    status_code = 409
    default_code = "signature_invalid"


def _to_pdf(data: bytes) -> bytes | None:
    if data.startswith(b"%PDF"):
        return data
    try:
        from PIL import Image

        image = Image.open(io.BytesIO(data))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PDF", resolution=150.0)
        return out.getvalue()
    except Exception:  # not an image either
        return None


def result_pdf(dossier: Dossier) -> bytes:
    """The electronic result as PDF: the uploaded file, or a notice of the result rendered from its text."""
    if dossier.result_file:
        with dossier.result_file.open("rb") as handle:
            pdf = _to_pdf(handle.read())
        if pdf is not None:
            return pdf
    from weasyprint import HTML

    html = render_to_string("signing/result_notice.html", {"dossier": dossier, "now": timezone.now()})
    return HTML(string=html).write_pdf()


def sign_result(dossier_id: int) -> SignedDocument | None:
    """Sign the decided dossier's electronic result once; None when the portal cannot sign (or not decided)."""
    existing = SignedDocument.objects.filter(dossier_id=dossier_id, kind=RESULT).first()
    if existing is not None:
        return existing
    dossier = Dossier.objects.select_related("procedure", "agency").get(pk=dossier_id)
    if dossier.status not in (Status.DECIDED, Status.RETURNED) or not signer.signer_status().ok:
        return None
    signed = signer.sign(result_pdf(dossier), reason=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.reference})
    if signed is None:
        return None
    check = signer.verify(signed)
    if not check.valid:
        log.error("a result just signed for dossier %s does not verify: %s", dossier_id, check.problem)
        return None
    doc = SignedDocument(dossier=dossier, kind=RESULT, signer_name=check.signer[:255],
                         signed_at=check.signed_at or timezone.now(),
                         source_name=dossier.result_file.name.rsplit("/", 1)[-1] if dossier.result_file else "")
    doc.file.save(f"{dossier.reference}-ket-qua.pdf", ContentFile(signed), save=False)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:
        doc.file.delete(save=False)
        return SignedDocument.objects.get(dossier_id=dossier_id, kind=RESULT)
    return doc


def sign_result_after_decide(dossier_id: int) -> None:
    """Called on commit of the head's decision: a failure to sign never undoes the decision."""
    try:
        sign_result(dossier_id)
    except Exception:
        log.exception("signing the result of dossier %s failed", dossier_id)


def verified_result(dossier: Dossier) -> tuple[bytes, signer.Verification] | None:
    """The signed electronic result and its verification; None when there is none (the portal cannot
    sign); SignatureInvalid when the stored file does not verify (it is then never served)."""
    doc = sign_result(dossier.pk)
    if doc is None:
        return None
    with doc.file.open("rb") as handle:
        data = handle.read()
    check = signer.verify(data)
    if not check.valid:
        log.error("signed result of dossier %s does not verify (%s): not served", dossier.pk, check.problem)
        raise SignatureInvalid(_("Chữ ký số của tệp kết quả không hợp lệ; tệp không được cung cấp. Vui lòng liên hệ "
                                 "cơ quan giải quyết."))
    return data, check


def sign_issued_form(pdf: bytes, *, reason: str = "") -> tuple[bytes, signer.Verification | None]:
    """A printed form signed and verified; the unsigned form (and no verification) when the portal cannot sign
    or the signature does not verify, so nothing unverified is ever presented as signed."""
    signed = signer.sign(pdf, reason=reason)
    if signed is None:
        return pdf, None
    check = signer.verify(signed)
    if not check.valid:
        log.error("a form just signed does not verify: %s", check.problem)
        return pdf, None
    return signed, check


def signed_label(signer_name: str, signed_at: datetime | None) -> str:
    return _("Đã ký số bởi %(signer)s lúc %(at)s") % {
        "signer": signer_name, "at": timezone.localtime(signed_at).strftime("%H:%M %d/%m/%Y") if signed_at else "–"}
