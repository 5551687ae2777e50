"""`python manage.py create_demo_signer [--dir var/signing] [--force]`: a demo CA and a signer's PKCS#12.

`make run` runs it at first start when no certificate is configured; it leaves existing files alone
unless `--force`. The password is SIGNING_PKCS12_PASSWORD (default `demo-signing`).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from signing.pki import write_demo


class Command(BaseCommand):
    help = "Create a demo certificate authority and signer (PKCS#12) for signing PDFs (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.SIGNING_DEMO_DIR))
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, dir, force, **options):
        directory = Path(dir)
        p12 = directory / "demo-signer.p12"
        if p12.exists() and not force:
            self.stdout.write(f"create_demo_signer: {p12} exists")
            return
        ca, p12 = write_demo(directory, settings.SIGNING_PKCS12_PASSWORD or "demo-signing")
        self.stdout.write(self.style.SUCCESS(f"create_demo_signer: {ca} and {p12} written"))
