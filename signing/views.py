"""Serving signed files (each verified on the way out) and the signing status page for administrators."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import user_passes_test
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import services, signer


def _pdf(data: bytes, filename: str, check: signer.Verification | None) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if check is not None and check.valid:
        response["X-Signature-Status"] = "valid"
        response["X-Signed-By"] = quote(check.signer)
        if check.signed_at:
            response["X-Signed-At"] = check.signed_at.isoformat()
    else:
        response["X-Signature-Status"] = "unsigned"
    return response


def result_response(request, dossier) -> HttpResponse | None:
    """The signed electronic result, verified now; None when there is no signed result (the caller serves the
    original file as before); a 409 page when the stored signature does not verify."""
    try:
        found = services.verified_result(dossier)
    except services.SignatureInvalid as exc:
        return render(request, "signing/invalid.html", {"message": exc.detail, "dossier": dossier}, status=409)
    if found is None:
        return None
    data, check = found
    return _pdf(data, f"{dossier.reference}-ket-qua.pdf", check)


def form_response(pdf: bytes, filename: str) -> HttpResponse:
    """A printed form, signed and verified when the portal can sign."""
    data, check = services.sign_issued_form(pdf)
    response = _pdf(data, filename, check)
    return response


@require_GET
@user_passes_test(lambda u: u.is_active and (u.is_superuser or u.is_staff))
def status(request):
    """Whether the portal signs, with which certificate, and if not, why."""
    return render(request, "signing/status.html", {"status": signer.signer_status()})
