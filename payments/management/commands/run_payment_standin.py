"""`python manage.py run_payment_standin --port 8765`: serve the local stand-in payment gateway (demo)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from payments.gateway import config
from payments.standin import StandInGateway


class Command(BaseCommand):
    help = "Serve the stand-in national payment platform on 127.0.0.1 (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.PAYMENT_STANDIN_PORT)

    def handle(self, *args, port, **options):
        server = StandInGateway(config(), port=port).start()
        self.stdout.write(f"payment stand-in: {server.url}", ending="\n")
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        server.stop()
