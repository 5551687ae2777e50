"""A local stand-in for the postal service: a real HTTP server (stdlib) speaking `postal.carrier`'s protocol,
for the demo (`make run` starts it when no postal URL is configured) and the tests (port 0).

It checks the bearer token, keeps the orders, and moves one along with `advance(order_id, status)`, which
records the event and pushes it to the order's callback URL signed with the callback secret. With
`auto_advance` seconds set (the demo), a background thread moves every open order one step at that pace.
`down` answers 503 to everything.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

STEPS = ("created", "collecting", "collected", "delivering", "delivered")


class StandInPost:
    def __init__(self, token: str, callback_secret: str, host: str = "127.0.0.1", port: int = 0,
                 auto_advance: float = 0):
        self.token, self.secret = token, callback_secret
        self.orders: dict[str, dict] = {}
        self.callbacks: list[dict] = []
        self.down = False
        self.send_callbacks = True
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.auto_advance = auto_advance
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandInPost:
        threading.Thread(target=self.server.serve_forever, name="postal-standin", daemon=True).start()
        if self.auto_advance:
            threading.Thread(target=self._auto, name="postal-standin-auto", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def _auto(self):
        while not self._stop.wait(self.auto_advance):
            for order_id, order in list(self.orders.items()):
                if order["status"] in STEPS[:-1]:
                    self.advance(order_id, STEPS[STEPS.index(order["status"]) + 1])

    def advance(self, order_id: str, status: str, note: str = "") -> dict:
        with self._lock:
            order = self.orders[order_id]
            event = {"id": f"EV{next(self._seq):08d}", "at": datetime.now(UTC).isoformat(),
                     "status": status, "note": note}
            order["status"] = status
            order["events"].append(event)
        if self.send_callbacks and order.get("callback_url"):
            self.push(order_id, event)
        return event

    def callback_body(self, order_id: str, event: dict) -> bytes:
        return json.dumps({"order_id": order_id, "order_number": self.orders[order_id]["order_number"],
                           "event": event}).encode()

    def push(self, order_id: str, event: dict) -> None:
        body = self.callback_body(order_id, event)
        signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.orders[order_id]["callback_url"], data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Postal-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            status = str(exc)
        self.callbacks.append({"order_id": order_id, "event": event, "status": status})

    def _handler(self):
        post = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                given = self.headers.get("Authorization", "")
                return hmac.compare_digest(given, f"Bearer {post.token}")

            def do_GET(self):
                if post.down:
                    return self._send(503, {"error": "unavailable"})
                if not self._authorised():
                    return self._send(401, {"error": "unauthorised"})
                path = urlsplit(self.path).path
                order_id = path.removeprefix("/api/v1/orders/")
                order = post.orders.get(order_id)
                if not path.startswith("/api/v1/orders/") or order is None:
                    return self._send(404, {"error": "not found"})
                self._send(200, {"order_id": order_id, "order_number": order["order_number"],
                                 "status": order["status"], "events": order["events"]})

            def do_POST(self):
                if post.down:
                    return self._send(503, {"error": "unavailable"})
                if not self._authorised():
                    return self._send(401, {"error": "unauthorised"})
                if urlsplit(self.path).path != "/api/v1/orders":
                    return self._send(404, {"error": "not found"})
                try:
                    body = json.loads(self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1_000_000)))
                except ValueError:
                    return self._send(400, {"error": "bad JSON"})
                missing = [k for k in ("order_number", "service", "sender", "receiver", "contents") if not body.get(k)]
                if missing or body.get("service") not in ("collect", "deliver"):
                    return self._send(400, {"error": f"missing {missing}"})
                with post._lock:
                    order_id = f"VN{next(post._seq):09d}"
                    post.orders[order_id] = {**body, "status": "created", "events": []}
                self._send(200, {"order_id": order_id, "status": "created"})

        return Handler
