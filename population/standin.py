"""A stand-in for the national population database, for the demo and the tests.

A small real HTTP server (stdlib) speaking `population.service`'s protocol (docs/population.md): it checks
the bearer token, answers `GET /api/v1/citizens/{id_number}` from `population.people` (and what a test adds),
and keeps a log of the calls. Control surface:

- `GET /_standin/log`: the calls answered, in order (`id_number`, `purpose`, `client_id`, `status`);
- `POST /_standin/config` with any of `{"down": true, "slow": seconds, "garbage": true}`: answer 503 to
  everything, hold every answer that long, or answer a page that is not JSON;
- `POST /_standin/people` with a list of people (the protocol's shape) to add or replace;
- `POST /_standin/reset`: back to the demo people and no faults.

Run: `python -m population.standin --port 8767 --token demo-population-token`. Tests use
`StandInPopulation(token).start()` on port 0.
"""

from __future__ import annotations

import argparse
import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from .people import PEOPLE


class StandInPopulation:
    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self._lock = threading.Lock()
        self.reset()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True

    def reset(self) -> None:
        with self._lock:
            self.people = {p["id_number"]: copy.deepcopy(p) for p in PEOPLE}
            self.calls: list[dict] = []
            self.down = False
            self.slow = 0.0
            self.garbage = False

    def configure(self, **options) -> None:
        with self._lock:
            for name in ("down", "slow", "garbage"):
                if name in options:
                    setattr(self, name, type(getattr(self, name))(options[name]))

    def add(self, *people: dict) -> None:
        with self._lock:
            for person in people:
                self.people[person["id_number"]] = copy.deepcopy(person)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandInPopulation:
        threading.Thread(target=self.server.serve_forever, name="population-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, headers) -> tuple[int, object]:
        """(status, JSON body or raw bytes) for a GET of the protocol."""
        if self.down:
            return 503, {"error": "unavailable"}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "unauthorised"}
        prefix = "/api/v1/citizens/"
        if not path.startswith(prefix):
            return 404, {"error": "no_such_endpoint"}
        id_number = unquote(path[len(prefix):])
        with self._lock:
            person = copy.deepcopy(self.people.get(id_number))
            self.calls.append({"id_number": id_number, "purpose": unquote(headers.get("X-Purpose") or ""),
                               "client_id": headers.get("X-Client-Id") or "",
                               "status": 200 if person else 404})
        if self.garbage:
            return 200, b"<html>Bao tri he thong</html>"
        if person is None:
            return 404, {"error": "not_found"}
        return 200, person

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):  # the caller gave up (timed out)
                    pass

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/_standin/log":
                    with standin._lock:
                        return self._send(200, {"calls": list(standin.calls)})
                if standin.slow:
                    time.sleep(standin.slow)
                self._send(*standin.answer(path, self.headers))

            def do_POST(self):
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._send(400, {"error": "not_json"})
                if path == "/_standin/config" and isinstance(body, dict):
                    standin.configure(**body)
                    return self._send(200, {"ok": True})
                if path == "/_standin/people" and isinstance(body, list):
                    standin.add(*body)
                    return self._send(200, {"ok": True, "count": len(body)})
                if path == "/_standin/reset":
                    standin.reset()
                    return self._send(200, {"ok": True})
                self._send(404, {"error": "no_such_endpoint"})

        return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Stand-in national population database")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--token", default="demo-population-token")
    args = parser.parse_args(argv)
    server = StandInPopulation(args.token, host=args.host, port=args.port)
    print(f"population stand-in on {server.url}", flush=True)
    try:
        server.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()


if __name__ == "__main__":
    main()
