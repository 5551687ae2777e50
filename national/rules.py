"""The pure rules of the national sync (no Django): which changes are sent as which call, how an answer
is read, how long to wait after a failure, how times are written on the wire.

Every status has a code (domain.md §4): nothing is ever "unmapped" and silently left out.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SYNC_DOSSIER = "DongBoHoSoMC"
PROGRESS = "CapNhatTienDoHoSoMC"

# The error recorded when a dossier's procedure has no national code (shown as "cannot sync").
NO_NATIONAL_CODE = "no_national_code"

# The national portal's status codes (TrangThaiHoSo / TrangThai) for the ten statuses; the same numbers.
STATUS_CODES: dict[int, str] = {n: str(n) for n in range(1, 11)}

# Actions that change what the dossier object carries (appointment, result, files): the dossier is sent
# again (isUpdating "True") after the progress entry.
DATA_ACTIONS = frozenset({"supplement", "decide", "apologize"})
# Hand-overs are progress even though the status stays 4 (another officer, another department).
PROGRESS_ACTIONS = frozenset({"transfer"})

WIRE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def services_for(action: str, from_status: int | None, to_status: int | None, *, known: bool) -> tuple[str, ...]:
    """The calls one timeline event becomes, in order.

    `known`: the dossier has a code the national portal can hold (a received dossier's code, or the code
    of a dossier filed on the national portal). An online submission not received yet has none: it is
    sent whole when the desk receives it. The first event with a code (intake, or receipt 1 → 2) sends
    the whole dossier; later status changes send a progress entry.
    """
    if not known:
        return ()
    if from_status is None or action == "receive":
        return (SYNC_DOSSIER,)
    out: list[str] = []
    if (to_status is not None and to_status != from_status) or action in PROGRESS_ACTIONS:
        out.append(PROGRESS)
    if action in DATA_ACTIONS:
        out.append(SYNC_DOSSIER)
    return tuple(out)


def status_code(status: int) -> str:
    return STATUS_CODES[int(status)]


def wire_time(value: datetime | None) -> str:
    """`yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; empty when there is no time."""
    if value is None:
        return ""
    return value.astimezone(WIRE_TZ).strftime("%Y%m%d%H%M%S")


def parse_wire_time(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=WIRE_TZ)


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """The wait after the `attempts`-th failure in a row: base, 2×base, 4×base … capped."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), max_seconds))


class Answer:
    """What one answer of the national portal means."""

    OK = "ok"
    SESSION = "session"  # log in again, then retry
    FAILED = "failed"  # retry later


# error_code values the adapter answers when the session is unknown or expired. Any other non-zero code
# is a plain failure; a 401 is a session error too.
SESSION_ERROR_CODES = frozenset({"-2", "401", "403", "SESSION_EXPIRED", "INVALID_SESSION"})
SESSION_WORDS = ("session", "phiên", "token", "đăng nhập")


def read_answer(http_status: int | None, body: bytes | str | None) -> tuple[str, str, dict | None]:
    """(Answer.*, a short reason, the parsed body). Not JSON, no `error_code`, a 5xx: FAILED, never OK."""
    if http_status is None:
        return Answer.FAILED, "no answer", None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else (body or "")
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if http_status == 401:
        return Answer.SESSION, "HTTP 401", data if isinstance(data, dict) else None
    if http_status >= 500:
        return Answer.FAILED, f"HTTP {http_status}", data if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return Answer.FAILED, f"HTTP {http_status}: not a JSON object: {text[:200]!r}", None
    if "error_code" not in data:
        return Answer.FAILED, f"HTTP {http_status}: no error_code: {text[:200]!r}", data
    code = str(data["error_code"]).strip()
    if code in ("0", "00") and http_status < 400:
        return Answer.OK, "", data
    message = str(data.get("message") or data.get("error_message") or data.get("error") or "")
    if code.upper() in SESSION_ERROR_CODES or any(word in message.lower() for word in SESSION_WORDS):
        return Answer.SESSION, f"error_code {code}: {message}"[:500], data
    return Answer.FAILED, f"HTTP {http_status}, error_code {code}: {message}"[:500], data
