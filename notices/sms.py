"""Sending SMS: a small interface with an HTTP gateway for production and a file for the demo.

The gateway speaks the lowest common denominator of Vietnamese SMS brand-name providers: a JSON POST
of `{"to", "message"}` with the account key in a header. Anything but a 2xx answer is a failure the
outbox retries later, so a slow or broken gateway never loses a notice.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone


class SmsError(Exception):
    """The message was not accepted; the outbox records the text and tries again later."""


class SmsBackend(Protocol):
    def send(self, to: str, message: str) -> None:
        """Hand one message to the carrier or raise SmsError."""


class HttpSmsGateway:
    """POST `{"to", "message"}` as JSON to the gateway, the key in the `X-Api-Key` header."""

    def __init__(self, url: str, key: str = "", timeout: float = 10.0):
        self.url = url
        self.key = key
        self.timeout = timeout

    def send(self, to: str, message: str) -> None:
        payload = json.dumps({"to": to, "message": message}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.key:
            headers["X-Api-Key"] = self.key
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - URL from settings
                status = response.status
                response.read(4096)
        except urllib.error.HTTPError as exc:
            body = exc.read(300).decode("utf-8", "replace") if exc.fp else ""
            raise SmsError(f"gateway answered HTTP {exc.code}: {body}".strip()) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"gateway unreachable: {reason}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered HTTP {status}")


class FileSmsBackend:
    """Append each message as one JSON line to `<SMS_FILE_PATH>/sms.jsonl` (demo and tests)."""

    filename = "sms.jsonl"

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    @property
    def path(self) -> Path:
        return self.directory / self.filename

    def send(self, to: str, message: str) -> None:
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "message": message}, ensure_ascii=False)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # One write of one line in append mode: concurrent workers never interleave a message.
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"cannot write {self.path}: {exc}") from exc

    def messages(self) -> list[dict]:
        """What was sent so far (for tests and the demo)."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]


def get_sms_backend() -> SmsBackend:
    """The gateway when SMS_GATEWAY_URL is set, else the file of the demo."""
    if settings.SMS_GATEWAY_URL:
        return HttpSmsGateway(
            settings.SMS_GATEWAY_URL,
            settings.SMS_GATEWAY_KEY,
            timeout=float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 10)),
        )
    return FileSmsBackend(settings.SMS_FILE_PATH)
