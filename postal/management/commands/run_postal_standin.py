"""`python manage.py run_postal_standin --port 8766 [--auto-advance 20]`: serve the stand-in postal service
(demo). With --auto-advance, every open order moves one step every that many seconds."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from postal.standin import StandInPost


class Command(BaseCommand):
    help = "Serve the stand-in postal service on 127.0.0.1 (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.POSTAL_STANDIN_PORT)
        parser.add_argument("--auto-advance", type=float, default=20.0)

    def handle(self, *args, port, auto_advance, **options):
        server = StandInPost(settings.POSTAL_API_TOKEN, settings.POSTAL_CALLBACK_SECRET, port=port,
                             auto_advance=auto_advance).start()
        self.stdout.write(f"postal stand-in: {server.url}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        server.stop()
