"""The production adapter of the national portal: the only client code (the stand-in is reached by the
same `DVCQG_URL`, exactly as production is).

JSON over HTTP POST: log in at `{DVCQG_URL}{DVCQG_AUTH_PATH}`, call services at `{DVCQG_URL}{DVCQG_SYNC_PATH}`
with `{"session", "madonvi", "service", ...}`. Every call has a timeout. The session is kept per process
and renewed when the portal rejects it (OpenCPS kept it ten minutes and never renewed a rejected one).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from .rules import Answer, read_answer


class NationalError(Exception):
    """The call did not succeed: retry later. `reason` is what staff see."""


@dataclass
class Config:
    url: str
    auth_path: str
    sync_path: str
    username: str
    password: str
    agency_code: str
    timeout: float

    @classmethod
    def from_settings(cls) -> Config:
        return cls(url=settings.DVCQG_URL.rstrip("/"), auth_path=settings.DVCQG_AUTH_PATH,
                   sync_path=settings.DVCQG_SYNC_PATH, username=settings.DVCQG_USERNAME,
                   password=settings.DVCQG_PASSWORD, agency_code=settings.DVCQG_AGENCY_CODE,
                   timeout=float(settings.DVCQG_TIMEOUT_SECONDS))


_sessions: dict[tuple[str, str], str] = {}
_sessions_lock = threading.Lock()


def _post(url: str, body: dict, timeout: float) -> tuple[int | None, bytes]:
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
            return response.status, response.read(5_000_000)
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, exc.read(100_000)
        except OSError:
            return exc.code, b""
    except (OSError, ValueError) as exc:  # refused, reset, timed out, bad URL
        raise NationalError(f"{type(exc).__name__}: {exc}"[:500]) from None


class NationalClient:
    def __init__(self, config: Config | None = None):
        self.config = config or Config.from_settings()

    @property
    def _key(self) -> tuple[str, str]:
        return self.config.url, self.config.username

    def login(self) -> str:
        c = self.config
        status, body = _post(c.url + c.auth_path, {"username": c.username, "password": c.password}, c.timeout)
        verdict, reason, data = read_answer(status, body)
        if verdict != Answer.OK or not (data or {}).get("session"):
            raise NationalError(f"login: {reason or 'no session in the answer'}")
        with _sessions_lock:
            _sessions[self._key] = str(data["session"])
        return str(data["session"])

    def session(self) -> str:
        with _sessions_lock:
            token = _sessions.get(self._key)
        return token or self.login()

    def forget_session(self) -> None:
        with _sessions_lock:
            _sessions.pop(self._key, None)

    def call(self, service: str, **fields) -> dict:
        """One call; a rejected session is renewed once and the call repeated. Raises NationalError."""
        c = self.config
        for attempt in (1, 2):
            body = {"session": self.session(), "madonvi": c.agency_code, "service": service, **fields}
            status, raw = _post(c.url + c.sync_path, body, c.timeout)
            verdict, reason, data = read_answer(status, raw)
            if verdict == Answer.OK:
                return data or {}
            if verdict == Answer.SESSION and attempt == 1:
                self.forget_session()
                continue
            raise NationalError(f"{service}: {reason}")
        raise NationalError(f"{service}: session rejected twice")  # pragma: no cover - the loop returns

    def sync_dossiers(self, dossiers: list[dict], *, updating: bool) -> dict:
        return self.call("DongBoHoSoMC", isUpdating="True" if updating else "False", data=dossiers)

    def progress(self, entries: list[dict]) -> dict:
        return self.call("CapNhatTienDoHoSoMC", data=entries)

    def procedure(self, national_code: str) -> dict:
        """LayThuTuc: the national record of one procedure (name, fields)."""
        return self.call("LayThuTuc", maTTHC=national_code)
