"""Fixtures of the notices tests: the dossier fixtures of tests/dossiers (real services), a file SMS
backend per test, a broker that can be pointed elsewhere, and a tiny local SMS gateway."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.celery import app as celery_app
from tests.dossiers.conftest import field_hotich, make_dossier, make_procedure, procedure  # noqa: F401

CLOSED_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


@contextmanager
def broker_at(url: str):
    """Point this process's Celery producer at another broker, and back afterwards.

    The connection and producer pools are keyed by URL inside kombu, so dropping the app's references
    is enough: the next publish builds pools for the new URL, and the old ones are found again on restore.
    """
    old = celery_app.conf.broker_url

    def switch(to):
        celery_app.conf.broker_url = to
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(old)


@pytest.fixture
def broker_down():
    with broker_at(CLOSED_BROKER):
        yield CLOSED_BROKER


@pytest.fixture
def sms_file(settings, tmp_path):
    """SMS written to a file of this test's own."""
    from notices.sms import FileSmsBackend

    settings.SMS_GATEWAY_URL = ""
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return FileSmsBackend(settings.SMS_FILE_PATH)


class Gateway:
    """A local HTTP SMS gateway: records each request, answers with `status` (or never, if `hang`)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.release = threading.Event()
        self.hang = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(raw)})
                if gateway.hang:
                    gateway.release.wait(10)
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if gateway.status < 400 else b'{"error": "quota exceeded"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    gw = Gateway()
    settings.SMS_GATEWAY_URL = gw.url
    settings.SMS_GATEWAY_KEY = "khoa-bi-mat"
    yield gw
    gw.close()
