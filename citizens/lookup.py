"""The public look-up (tra cứu hồ sơ) by dossier code and the last four digits of the applicant's phone.

A wrong pair gets the same 404 whichever part is wrong, so the answer never says whether a code exists.
Guessing is made slow: misses are counted per client address and per dossier code in the shared cache,
and past the limit every look-up from that client (or for that code) gets 429 until the window is over.
The count lives in the cache, not the database, because a miss must cost nothing to record.
"""

from __future__ import annotations

import hmac
import re

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from organisation.errors import NotFound

from .errors import TooManyAttempts

MISS_WINDOW_SECONDS = 15 * 60
MAX_MISSES_PER_CLIENT = 10
MAX_MISSES_PER_CODE = 20

_SECRET = re.compile(r"^\d{4}$")


def client_address(request) -> str:
    """The address misses are counted against: the connection's peer (REMOTE_ADDR). Behind a reverse
    proxy the proxy must pass the real address there; X-Forwarded-For is not trusted here."""
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _client_key(client: str) -> str:
    return f"lookup-miss:client:{client}"


def _code_key(code: str) -> str:
    return f"lookup-miss:code:{code.lower()}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _add_miss(key: str) -> None:
    cache.add(key, 0, MISS_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, MISS_WINDOW_SECONDS)


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại đã nhập."), code="not_found")


def check_not_blocked(client: str, code: str = "") -> None:
    if _count(_client_key(client)) >= MAX_MISSES_PER_CLIENT or (
        code and _count(_code_key(code)) >= MAX_MISSES_PER_CODE
    ):
        raise TooManyAttempts(
            _("Tra cứu sai quá nhiều lần. Vui lòng thử lại sau %(m)d phút.") % {"m": MISS_WINDOW_SECONDS // 60}
        )


def find_dossier(code: str, secret: str, client: str, queryset=None) -> Dossier:
    """The dossier with this code whose applicant's phone ends in `secret`, or 404 (429 when blocked).

    Only received dossiers have a code, so an online submission not received yet cannot be looked up
    here (its owner follows it under "Hồ sơ của tôi").
    """
    code = (code or "").strip()[:60]
    secret = re.sub(r"\s", "", secret or "")
    check_not_blocked(client, code)
    dossier = None
    if code and _SECRET.match(secret):
        qs = Dossier.objects.all() if queryset is None else queryset
        dossier = qs.filter(Q(code=code.upper()) | Q(national_code=code)).exclude(code__isnull=True).first()
    expected = dossier.lookup_secret if dossier is not None else "0000"
    matches = hmac.compare_digest(expected.encode(), secret.encode()) and len(expected) == 4
    if dossier is None or not matches:
        _add_miss(_client_key(client))
        if code:
            _add_miss(_code_key(code))
        raise _not_found()
    return dossier
