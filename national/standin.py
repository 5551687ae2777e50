"""A stand-in for the national portal's adapter (DVCQG), for the demo and the tests.

A small real HTTP server speaking the protocol of api.md: log-in at `/auth`, the calls at `/service`
(`DongBoHoSoMC`, `CapNhatTienDoHoSoMC`, `LayThuTuc`, `TraCuuHoSo`), and a control surface under `/_standin/`:

- `GET /_standin/log`: the calls accepted (in order), the calls refused or abandoned, and what the portal
  holds per `MaHoSo` (the last dossier object and its progress entries);
- `POST /_standin/config` with any of `{"fail": n, "fail_mode": "error|http500|down|garbage|no_error_code",
  "fail_rate": 0.1, "slow": seconds, "slow_calls": n, "session_ttl": seconds, "expire_sessions": true,
  "seed": 1}`: fail the next n calls (or a random share of them), hold the next n calls (0: all) before
  answering, expire sessions now or after a time to live;
- `POST /_standin/procedures` with `{"<maTTHC>": {"TENTTHC": ..., "LINHVUCTHUCHIEN": [...]}}` for `LayThuTuc`;
- `POST /_standin/push` with `{"dossier": {...}}` (and optional `"portal"`, `"token"`): the national portal
  pushes a dossier filed on it to the one-stop portal's inbound endpoint; the answer is returned;
- `POST /_standin/reset`: forget everything.

A slow call is held before it is processed; if the caller has given up (timed out, or its process was
killed) by then, the call is dropped and recorded as abandoned: the portal never accepted it.

Run: `python -m national.standin --port 8090 --portal http://127.0.0.1:8000 --token <DVCQG_INBOUND_TOKEN>`.
Tests use `StandIn(...).start()` on port 0.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import select
import socket
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandIn:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, username: str = "motcua",
                 password: str = "motcua", portal: str = "http://127.0.0.1:8000", token: str = ""):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.portal, self.token = portal.rstrip("/"), token
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.reset()

    # --- state ----------------------------------------------------------------------------------

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.sessions: dict[str, float] = {}
            self.accepted: list[dict] = []
            self.refused: list[dict] = []
            self.held: dict[str, dict] = {}
            self.procedures: dict[str, dict] = {}
            self.config = {"fail": 0, "fail_mode": "error", "fail_rate": 0.0, "slow": 0.0, "slow_calls": 0,
                           "session_ttl": 0.0}
            self.inflight = 0
            self.random = random.Random(1)
            self.logins = 0

    def configure(self, **options) -> None:
        with self.lock:
            if options.pop("expire_sessions", False):
                self.sessions.clear()
            if "seed" in options:
                self.random = random.Random(options.pop("seed"))
            self.config.update(options)

    def snapshot(self) -> dict:
        with self.lock:
            return json.loads(json.dumps({"accepted": self.accepted, "refused": self.refused, "held": self.held,
                                          "logins": self.logins, "config": self.config, "inflight": self.inflight}))

    # --- the protocol -----------------------------------------------------------------------------

    def login(self, body: dict) -> tuple[int, dict]:
        if body.get("username") != self.username or body.get("password") != self.password:
            return 200, {"error_code": 1, "message": "Sai tên đăng nhập hoặc mật khẩu"}
        token = secrets.token_hex(16)
        with self.lock:
            self.sessions[token] = time.monotonic()
            self.logins += 1
        return 200, {"error_code": 0, "session": token}

    def _session_ok(self, token) -> bool:
        with self.lock:
            started = self.sessions.get(token)
            ttl = float(self.config.get("session_ttl") or 0)
            if started is None:
                return False
            if ttl and time.monotonic() - started > ttl:
                del self.sessions[token]
                return False
            return True

    def take_delay(self) -> float:
        """How long to hold this call: `slow` seconds, for the next `slow_calls` calls (0: every call)."""
        with self.lock:
            delay = float(self.config.get("slow") or 0)
            if not delay:
                return 0.0
            left = int(self.config.get("slow_calls") or 0)
            if left == 1:
                self.config["slow"], self.config["slow_calls"] = 0.0, 0
            elif left > 1:
                self.config["slow_calls"] = left - 1
            self.inflight += 1
            return delay

    def _failure(self) -> str | None:
        """The failure mode to answer this call with, or None."""
        with self.lock:
            if self.config.get("fail", 0) > 0:
                self.config["fail"] -= 1
                return self.config.get("fail_mode") or "error"
            rate = float(self.config.get("fail_rate") or 0)
            if rate and self.random.random() < rate:
                return self.config.get("fail_mode") or "error"
        return None

    def service(self, body: dict) -> tuple[int, dict | bytes | None]:
        name = body.get("service")
        if not self._session_ok(body.get("session")):
            self._refuse(body, "session")
            return 200, {"error_code": -2, "message": "Phiên làm việc hết hạn (session expired)"}
        failure = self._failure()
        if failure is not None:
            self._refuse(body, failure)
            if failure == "http500":
                return 500, b"<html>Internal Server Error</html>"
            if failure == "down":
                return 0, None  # close the connection without an answer
            if failure == "garbage":
                return 200, b"<html>Bao tri he thong</html>"
            if failure == "no_error_code":
                return 200, {"message": "ok?"}
            return 200, {"error_code": 500, "message": "Lỗi hệ thống, vui lòng thử lại"}
        if name == "DongBoHoSoMC":
            return self._sync(body)
        if name == "CapNhatTienDoHoSoMC":
            return self._progress(body)
        if name == "LayThuTuc":
            record = self.procedures.get(str(body.get("maTTHC")))
            if record is None:
                return 200, {"error_code": 1, "message": "Không tìm thấy thủ tục"}
            return 200, {"error_code": 0, "result": record}
        if name == "TraCuuHoSo":
            held = self.held.get(str(body.get("mahoso")))
            return 200, {"error_code": 0 if held else 1, "result": held}
        return 200, {"error_code": -1, "message": f"Dịch vụ không hỗ trợ: {name}"}

    def _refuse(self, body: dict, why: str) -> None:
        with self.lock:
            self.refused.append({"at": datetime.now().isoformat(), "why": why, "service": body.get("service"),
                                 "data": body.get("data")})

    def _accept(self, body: dict) -> None:
        entry = {"seq": len(self.accepted) + 1, "at": datetime.now().isoformat(), "service": body.get("service"),
                 "isUpdating": body.get("isUpdating"), "madonvi": body.get("madonvi"), "data": body.get("data")}
        self.accepted.append(entry)

    def _sync(self, body: dict):
        data = body.get("data")
        if not isinstance(data, list) or not data or not all(
                isinstance(d, dict) and d.get("MaHoSo") and d.get("MaTTHC") for d in data):
            return 200, {"error_code": -1, "message": "Thiếu MaHoSo hoặc MaTTHC"}
        with self.lock:
            self._accept(body)
            for d in data:
                held = self.held.setdefault(d["MaHoSo"], {"dossier": None, "progress": [], "versions": 0})
                held["dossier"], held["versions"] = d, held["versions"] + 1
        return 200, {"error_code": 0, "message": "Thành công"}

    def _progress(self, body: dict):
        data = body.get("data")
        if not isinstance(data, list) or not data or not all(isinstance(d, dict) and d.get("MaHoSo") for d in data):
            return 200, {"error_code": -1, "message": "Thiếu MaHoSo"}
        with self.lock:
            unknown = [d["MaHoSo"] for d in data if d["MaHoSo"] not in self.held]
            if unknown:
                return 200, {"error_code": -1, "message": f"Hồ sơ chưa được đồng bộ: {unknown[0]}"}
            self._accept(body)
            for d in data:
                self.held[d["MaHoSo"]]["progress"].append(d)
        return 200, {"error_code": 0, "message": "Thành công"}

    def push(self, dossier: dict, portal: str | None = None, token: str | None = None) -> tuple[int, dict]:
        """Push a dossier filed here to the one-stop portal (as the national portal does)."""
        url = (portal or self.portal).rstrip("/") + "/api/v1/national/dossiers/"
        request = urllib.request.Request(url, data=json.dumps(dossier, ensure_ascii=False).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token if token is not None else self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - configured URL
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError as exc:  # the one-stop portal is not there
            return 0, {"error": f"{type(exc).__name__}: {exc}"}
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {"raw": raw.decode("utf-8", "replace")[:500]}
        if status in (200, 201) and dossier.get("MaHoSo"):
            with self.lock:
                held = self.held.setdefault(dossier["MaHoSo"], {"dossier": dossier, "progress": [], "versions": 0})
                held["pushed"] = True
        return status, answer

    # --- serving --------------------------------------------------------------------------------

    def start(self) -> StandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _read(self) -> dict | None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    return None
                return body if isinstance(body, dict) else None

            def _answer(self, status: int, payload) -> None:
                raw = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _caller_gone(self) -> bool:
                try:
                    readable, _w, _x = select.select([self.connection], [], [], 0)
                    if readable:
                        return self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True
                return False

            def do_GET(self):  # noqa: N802 - the http.server API
                if self.path.startswith("/_standin/log"):
                    return self._answer(200, standin.snapshot())
                return self._answer(404, {"error_code": -1, "message": "not found"})

            def do_POST(self):  # noqa: N802 - the http.server API
                body = self._read()
                if body is None:
                    return self._answer(400, {"error_code": -1, "message": "not a JSON object"})
                path = self.path.split("?")[0]
                if path == "/_standin/config":
                    standin.configure(**body)
                    return self._answer(200, {"ok": True, "config": standin.snapshot()["config"]})
                if path == "/_standin/reset":
                    standin.reset()
                    return self._answer(200, {"ok": True})
                if path == "/_standin/procedures":
                    with standin.lock:
                        standin.procedures.update(body)
                    return self._answer(200, {"ok": True})
                if path == "/_standin/push":
                    status, answer = standin.push(body.get("dossier") or {}, body.get("portal"), body.get("token"))
                    return self._answer(200, {"status": status, "answer": answer})
                if path == "/auth":
                    return self._answer(*standin.login(body))
                if path == "/service":
                    delay = standin.take_delay()
                    if delay:
                        time.sleep(delay)
                        with standin.lock:
                            standin.inflight -= 1
                        if self._caller_gone():
                            standin._refuse(body, "abandoned by the caller")
                            self.close_connection = True
                            return None
                    status, payload = standin.service(body)
                    if status == 0:
                        self.close_connection = True
                        return None
                    return self._answer(status, payload)
                return self._answer(404, {"error_code": -1, "message": "not found"})

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="dvcqg-standin", daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="A stand-in national portal (DVCQG) for the demo and the tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--username", default="motcua")
    parser.add_argument("--password", default="motcua")
    parser.add_argument("--portal", default="http://127.0.0.1:8000", help="the one-stop portal to push dossiers to")
    parser.add_argument("--token", default="", help="the DVCQG_INBOUND_TOKEN the one-stop portal expects")
    args = parser.parse_args(argv)
    standin = StandIn(host=args.host, port=args.port, username=args.username, password=args.password,
                      portal=args.portal, token=args.token).start()
    print(f"DVCQG stand-in: {standin.url} (log: {standin.url}/_standin/log)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
