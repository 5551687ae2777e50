"""The postal service behind an interface: `HttpCarrier` is the only client code; the same adapter talks to
the national postal operator and to the stand-in (`postal.standin`), chosen by URL in configuration.

Wire protocol (JSON; credentials from configuration only, never in code):
- ``POST {url}/api/v1/orders`` with ``Authorization: Bearer {POSTAL_API_TOKEN}``: the order (number, service
  collect/deliver, sender, receiver, contents, callback URL) → ``{"order_id", "status"}``;
- ``GET {url}/api/v1/orders/{order_id}``: ``{"order_id", "order_number", "status", "events": [...]}``;
- callbacks to us: ``POST`` of one event ``{"order_id", "order_number", "event": {"id", "at", "status",
  "note"}}`` with ``X-Postal-Signature`` = hex HMAC-SHA256 of the raw body with POSTAL_CALLBACK_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

log = logging.getLogger("postal")


class CarrierUnavailable(Exception):
    """The postal service is down, slow or refused: nothing is marked shipped; the order is retried."""


def body_signature(body: bytes, secret: str | None = None) -> str:
    secret = settings.POSTAL_CALLBACK_SECRET if secret is None else secret
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, given: str | None) -> bool:
    if not settings.POSTAL_CALLBACK_SECRET or not given:
        return False
    return hmac.compare_digest(body_signature(body), given.strip().lower())


class HttpCarrier:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = (settings.POSTAL_SERVICE_URL if url is None else url).rstrip("/")
        self.token = settings.POSTAL_API_TOKEN if token is None else token
        self.timeout = settings.POSTAL_TIMEOUT if timeout is None else timeout

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        if not self.url:
            raise CarrierUnavailable("no postal service URL configured")
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            log.warning("postal service answered HTTP %s on %s %s", exc.code, method, path)
            raise CarrierUnavailable(f"HTTP {exc.code}") from None
        except (OSError, TimeoutError) as exc:
            log.warning("postal service unreachable on %s %s: %s", method, path, exc)
            raise CarrierUnavailable(str(exc)) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise CarrierUnavailable("not JSON") from None
        if not isinstance(answer, dict):
            raise CarrierUnavailable("not a JSON object")
        return answer

    def create_order(self, order: dict) -> dict:
        answer = self._call("POST", "/api/v1/orders", {**order, "customer_code": settings.POSTAL_CUSTOMER_CODE})
        if not isinstance(answer.get("order_id"), str | int) or not answer.get("order_id"):
            raise CarrierUnavailable("no order id in the answer")
        return answer

    def track(self, order_id: str) -> dict:
        return self._call("GET", f"/api/v1/orders/{order_id}")
