"""A demo certificate authority and signer (PKCS#12), for `make run` and the tests. Never for production:
there the signer's certificate comes from the government CA (VGCA) and is configured by path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(common_name: str = "MotCua Demo CA", *, days: int = 3650):
    key = _key()
    name = _name(common_name, "MotCua (demo)")
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_signer(ca_key, ca_cert, common_name: str, *, organisation: str = "MotCua (demo)",
                not_before: datetime | None = None, not_after: datetime | None = None):
    key = _key()
    now = datetime.now(UTC)
    not_before = not_before or now - timedelta(days=1)
    not_after = not_after or now + timedelta(days=730)
    cert = (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def write_demo(directory: Path, password: str, *, signer_name: str = "UBND xã Diên Khánh (ký số demo)",
               not_after: datetime | None = None) -> tuple[Path, Path]:
    """Write `demo-ca.pem` and `demo-signer.p12` (with the CA in its chain) under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = make_ca()
    key, cert = make_signer(ca_key, ca_cert, signer_name, not_after=not_after,
                            not_before=(not_after - timedelta(days=30)) if not_after else None)
    ca_path, p12_path = directory / "demo-ca.pem", directory / "demo-signer.p12"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    p12_path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"motcua-demo-signer", key, cert, [ca_cert], serialization.BestAvailableEncryption(password.encode())))
    p12_path.chmod(0o600)
    return ca_path, p12_path
