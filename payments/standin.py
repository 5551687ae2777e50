"""A local stand-in for the national payment platform: a real HTTP server (stdlib) speaking the protocol
of `payments.gateway`, for the demo (`make run` starts it when no gateway URL is configured) and the tests
(which start it on port 0).

It checks the request checksum with the request key, shows a payment page where the citizen pays or
cancels, then calls the portal's callback and sends the browser back to the return URL, both carrying the
confirmation signed with the confirmation key; it answers queries (reconciliation). `down` makes every API
call answer 503 and `delay` seconds slows every answer, to exercise the portal's faults.
"""

from __future__ import annotations

import html
import itertools
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from . import checksum
from .gateway import GatewayConfig


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (the portal's time-out while `delay` holds the answer) is no fault here.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class StandInGateway:
    def __init__(self, cfg: GatewayConfig, host: str = "127.0.0.1", port: int = 0):
        self.cfg = cfg
        self.transactions: dict[str, dict] = {}
        self.callbacks: list[dict] = []
        self.down = False
        self.delay = 0.0
        self.send_callbacks = True
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.server = _Server((host, port), self._handler())
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandInGateway:
        self.thread = threading.Thread(target=self.server.serve_forever, name="payment-standin", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the gateway's side of a payment ------------------------------------------------------------

    def confirmation(self, tid: str) -> dict:
        t = self.transactions[tid]
        values = {
            "client_id": t["client_id"], "transaction_id": tid, "dossier_code": t["dossier_code"],
            "trans_amount": str(t["trans_amount"]), "result_code": t["result_code"],
            "gateway_transaction_id": t.get("gateway_transaction_id", ""), "paid_at": t.get("paid_at", ""),
            "receipt_no": t.get("receipt_no", ""),
        }
        values["checksum"] = checksum.compute(values, self.cfg.confirm_fields, self.cfg.confirm_key,
                                              self.cfg.algorithm)
        return values

    def pay(self, tid: str, *, success: bool = True) -> dict:
        """The citizen pays (or cancels); the callback is sent; the signed confirmation is returned."""
        with self._lock:
            t = self.transactions[tid]
            if t["result_code"] == "01":
                if success:
                    n = next(self._seq)
                    t.update(result_code="00", gateway_transaction_id=f"GW{n:08d}",
                             paid_at=datetime.now().strftime("%Y%m%d%H%M%S"), receipt_no=f"BLDT-{n:08d}")
                else:
                    t.update(result_code="24")
        confirmation = self.confirmation(tid)
        if self.send_callbacks and t.get("callback_url"):
            self._callback(t["callback_url"], confirmation)
        return confirmation

    def _callback(self, url: str, body: dict) -> None:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            status = str(exc)
        self.callbacks.append({"url": url, "body": body, "status": status})

    # --- HTTP ------------------------------------------------------------------------------------------

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, content_type="application/json; charset=utf-8", headers=None):
                data = body if isinstance(body, bytes) else (
                    json.dumps(body).encode() if not isinstance(body, str) else body.encode())
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(min(length, 1_000_000))

            def do_GET(self):
                path = urlsplit(self.path).path
                if path.startswith("/pay/"):
                    return self._page(path.removeprefix("/pay/"))
                self._send(404, {"result_code": "404"})

            def do_POST(self):
                if gateway.delay:
                    time.sleep(gateway.delay)
                path = urlsplit(self.path).path
                if path.startswith("/pay/"):
                    form = parse_qs(self._body().decode())
                    tid = path.removeprefix("/pay/")
                    if tid not in gateway.transactions:
                        return self._send(404, "not found", "text/plain")
                    conf = gateway.pay(tid, success=form.get("action", ["pay"])[0] == "pay")
                    target = gateway.transactions[tid]["return_url"]
                    sep = "&" if "?" in target else "?"
                    return self._send(302, b"", headers={"Location": f"{target}{sep}{urlencode(conf)}"})
                if gateway.down:
                    return self._send(503, {"result_code": "99", "message": "service unavailable"})
                try:
                    body = json.loads(self._body() or b"{}")
                except ValueError:
                    return self._send(400, {"result_code": "02", "message": "bad JSON"})
                if path == "/api/v1/payments":
                    return self._create(body)
                if path == "/api/v1/payments/query":
                    return self._query(body)
                self._send(404, {"result_code": "404"})

            def _create(self, body):
                cfg = gateway.cfg
                if not checksum.verify(body, cfg.request_fields, cfg.request_key, cfg.algorithm,
                                       body.get("checksum")):
                    return self._send(400, {"result_code": "07", "message": "invalid checksum"})
                tid = str(body.get("transaction_id", ""))
                with gateway._lock:
                    if tid in gateway.transactions:
                        return self._send(409, {"result_code": "08", "message": "duplicate transaction"})
                    gateway.transactions[tid] = {
                        "client_id": body.get("client_id"), "dossier_code": body.get("dossier_code", ""),
                        "trans_amount": int(body.get("trans_amount", 0)), "result_code": "01",
                        "return_url": body.get("return_url", ""), "callback_url": body.get("callback_url", ""),
                        "description": body.get("description", ""), "lines": body.get("lines", []),
                        "payer_name": body.get("payer_name", ""),
                    }
                self._send(200, {"result_code": "00", "payment_url": f"{gateway.url}/pay/{tid}"})

            def _query(self, body):
                cfg = gateway.cfg
                if not checksum.verify(body, cfg.query_fields, cfg.request_key, cfg.algorithm, body.get("checksum")):
                    return self._send(400, {"result_code": "07", "message": "invalid checksum"})
                tid = str(body.get("transaction_id", ""))
                if tid not in gateway.transactions:
                    return self._send(404, {"result_code": "04", "message": "unknown transaction"})
                self._send(200, gateway.confirmation(tid))

            def _page(self, tid):
                t = gateway.transactions.get(tid)
                if t is None:
                    return self._send(404, "Không tìm thấy giao dịch", "text/plain; charset=utf-8")
                amount = f"{t['trans_amount']:,}".replace(",", ".")
                rows = "".join(f"<li>{html.escape(str(li.get('name')))}: {li.get('amount')} đ</li>"
                               for li in t["lines"])
                done = t["result_code"] != "01"
                page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Cổng thanh toán (giả lập)</title></head>
<body style="font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem">
<h1>Nền tảng thanh toán (giả lập)</h1>
<p>{html.escape(t['description'])}</p><p>Người nộp: {html.escape(t['payer_name'])}</p><ul>{rows}</ul>
<p>Số tiền: <strong id="amount">{amount} đồng</strong></p>
{'<p>Giao dịch đã kết thúc.</p>' if done else f'''<form method="post" action="/pay/{html.escape(tid)}">
<button name="action" value="pay">Xác nhận thanh toán</button>
<button name="action" value="cancel">Hủy giao dịch</button></form>'''}
</body></html>"""
                self._send(200, page, "text/html; charset=utf-8")

        return Handler
