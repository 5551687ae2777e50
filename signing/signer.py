"""PDF signatures (PAdES) with pyHanko: load the configured PKCS#12 once, sign, verify.

`signer_status()` says whether the portal can sign and, when it cannot, why (missing file, wrong password,
expired or not yet valid certificate, no private key): the portal then starts and serves unsigned forms,
signs nothing, and the admin page shows the reason. `verify()` is the only judge of "signed": a file whose
signature is not intact, not valid, not trusted or does not cover the whole file is not signed.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.utils.translation import gettext as _

log = logging.getLogger("signing")


@dataclass(frozen=True)
class SignerStatus:
    ok: bool
    reason: str = ""
    subject: str = ""
    issuer: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    path: str = ""


@dataclass(frozen=True)
class Verification:
    signed: bool
    valid: bool
    signer: str = ""
    signed_at: datetime | None = None
    problem: str = ""


_cache: dict = {}
_lock = threading.Lock()


def _common_name(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return attrs[0].value if attrs else name.rfc4514_string()


def _load():
    """(status, pyHanko signer or None, trust roots) for the configured file, cached by path, mtime, password."""
    path = str(settings.SIGNING_PKCS12_PATH or "")
    password = settings.SIGNING_PKCS12_PASSWORD or ""
    if not path:
        return SignerStatus(False, _("Chưa cấu hình chứng thư số (SIGNING_PKCS12_PATH).")), None, []
    file = Path(path)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        return SignerStatus(False, _("Không tìm thấy tệp chứng thư số %(path)s.") % {"path": path}, path=path), None, []
    key = (path, mtime, password, tuple(settings.SIGNING_TRUST_ROOTS))
    with _lock:
        if _cache.get("key") == key:
            return _cache["value"]
        value = _read(file, password)
        _cache.update(key=key, value=value)
        if not value[0].ok:
            log.error("digital signing disabled: %s", value[0].reason)
        return value


def _read(file: Path, password: str):
    path = str(file)
    try:
        data = file.read_bytes()
    except OSError:
        return SignerStatus(False, _("Không đọc được tệp chứng thư số %(path)s.") % {"path": path}, path=path), None, []
    try:
        private_key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError:
        return SignerStatus(False, _("Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp hỏng."), path=path), None, []
    if private_key is None or cert is None:
        return SignerStatus(False, _("Tệp chứng thư số không có khóa bí mật hoặc chứng thư."), path=path), None, []
    now = datetime.now(UTC)
    info = dict(subject=_common_name(cert.subject), issuer=_common_name(cert.issuer),
                not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, path=path)
    if now > cert.not_valid_after_utc:
        return SignerStatus(False, _("Chứng thư số đã hết hạn."), **info), None, []
    if now < cert.not_valid_before_utc:
        return SignerStatus(False, _("Chứng thư số chưa có hiệu lực."), **info), None, []
    from pyhanko.sign import signers

    roots = [_asn1(c) for c in _trust_roots()] or [_asn1(c) for c in chain or []]
    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[_asn1(c) for c in chain or []],
                                                  passphrase=password.encode() or None)
    if signer is None:
        return SignerStatus(False, _("Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp hỏng."), path=path), None, []
    return SignerStatus(True, **info), signer, roots


def _asn1(cert):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _trust_roots() -> list:
    roots = []
    for path in settings.SIGNING_TRUST_ROOTS:
        try:
            data = Path(path).read_bytes()
        except OSError:
            log.error("signing trust root %s not readable", path)
            continue
        roots.append(x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else
                     x509.load_der_x509_certificate(data))
    return roots


def signer_status() -> SignerStatus:
    return _load()[0]


def sign(pdf: bytes, *, field_name: str = "MotCuaSignature", reason: str = "") -> bytes | None:
    """The PDF signed (PAdES baseline B, SHA-256, an incremental update), or None when the portal cannot sign."""
    status, signer, _roots = _load()
    if not status.ok:
        return None
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or settings.SIGNING_REASON, location=settings.SIGNING_LOCATION or None,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        # Reserving the signature's room up front spares pyHanko a dry run to measure it (half the time).
        out = signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=16384)
    except Exception:  # a damaged or encrypted PDF: not signed, and said so in the log
        log.exception("could not sign a PDF of %d bytes", len(pdf))
        return None
    return out.getvalue()


def verify(pdf: bytes) -> Verification:
    """Whether `pdf` carries a signature that is intact, valid, trusted and covers the whole file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a broken PDF is simply not a signed one
        return Verification(False, False, problem=f"unreadable: {exc}"[:200])
    if not signatures:
        return Verification(False, False, problem="no signature")
    _status, _signer, roots = _load()
    if not roots:
        roots = [_asn1(c) for c in _trust_roots()]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    sig = signatures[-1]
    try:
        result = validate_pdf_signature(sig, context)
    except (SignatureValidationError, ValueError) as exc:
        return Verification(True, False, problem=str(exc)[:200])
    cert = result.signing_cert
    signer_name = cert.subject.native.get("common_name", "") if cert is not None else ""
    ok = bool(result.intact and result.valid and result.trusted
              and result.coverage == SignatureCoverageLevel.ENTIRE_FILE)
    problem = "" if ok else (
        "not intact" if not result.intact else "invalid" if not result.valid else
        "untrusted" if not result.trusted else "modified after signing")
    return Verification(True, ok, signer=signer_name, signed_at=result.signer_reported_dt, problem=problem)


def reset_cache() -> None:
    with _lock:
        _cache.clear()
