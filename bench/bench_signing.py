"""Signing and verifying PDFs (PAdES, pyHanko, RSA-2048 demo signer): the cost each signed download adds.

Run by hand: `.venv/bin/python bench/bench_signing.py [N]` (no database needed).

Last measured on the 2-core development machine (shared with seven other jobs), a one-page form of 7 kB:
sign ≈ 250 ms, verify ≈ 40 ms per file (N=30). Reserving the signature's bytes (`bytes_reserved`) halved
signing (470 → 250 ms) by sparing pyHanko's dry run; most of the rest is pyHanko's SimpleSigner reloading and
re-validating the RSA key for every signature and asn1crypto encoding the signed attributes.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from weasyprint import HTML  # noqa: E402

from signing import pki, signer  # noqa: E402


def main(n: int = 50) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ca, p12 = pki.write_demo(Path(tmp), "bench")
        settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = str(p12), "bench"
        settings.SIGNING_TRUST_ROOTS = [str(ca)]
        signer.reset_cache()
        pdf = HTML(string="<h1>Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h1>" + "<p>Nội dung.</p>" * 40).write_pdf()
        signed = signer.sign(pdf)  # warm up (imports, key load)
        assert signer.verify(signed).valid
        start = time.perf_counter()
        for _ in range(n):
            signed = signer.sign(pdf)
        sign_ms = (time.perf_counter() - start) * 1000 / n
        start = time.perf_counter()
        for _ in range(n):
            assert signer.verify(signed).valid
        verify_ms = (time.perf_counter() - start) * 1000 / n
    print(f"PDF {len(pdf):,} bytes; sign {sign_ms:.1f} ms, verify {verify_ms:.1f} ms per file (N={n})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
