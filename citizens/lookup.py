"""The public look-up (tra cứu hồ sơ) by dossier code and the last four digits of the applicant's phone.

A wrong pair gets the same 404 whichever part is wrong, so the answer never says whether a code exists.
Guessing is made slow: misses are counted per client address (`organisation.net.client_ip`) and per
dossier code in the shared cache, and past the limit every look-up from that client (or for that code) gets
429 until the window is over. Valid look-ups are not counted: a commune kiosk or a carrier's shared address
may look up as often as it likes. The count lives in the cache, not the database, because a miss must cost
nothing to record.

A wrong code and a wrong secret on a real code take the same path: one query by code (the dossier with
its steps, read whatever the secret; a dummy phone when the code is unknown), the same constant-time
comparison, the same two miss counters. A right pair costs that one query too.
"""

from __future__ import annotations

import hmac
import re

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from dossiers.models import Channel, Dossier
from organisation.errors import NotFound

from .errors import TooManyAttempts
from .rules import temporary_reference_id

MISS_WINDOW_SECONDS = 15 * 60
MAX_MISSES_PER_CLIENT = 10
MAX_MISSES_PER_CODE = 20

_SECRET = re.compile(r"^\d{4}$")
# Compared against when the code is unknown, so that path does the same work as a wrong secret.
_DUMMY_PHONE = "0000000000"


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


def _plain_read(code: str, temporary: int | None) -> Dossier | None:
    if temporary is not None:
        match = Q(pk=temporary, channel=Channel.ONLINE)
    else:
        match = (Q(code=code.upper()) | Q(national_code=code)) & Q(code__isnull=False)
    found = list(Dossier.objects.filter(match)[:1])  # a code and a national code are each unique
    return found[0] if found else None


def find_dossier(code: str, secret: str, client: str, read=None) -> Dossier:
    """The dossier with this code whose applicant's phone ends in `secret`, or 404 (429 when blocked).

    Received dossiers are found by their code; an online submission also by the temporary reference the
    confirmation gave (`TT-<id>`), before and after the desk receives it, with the same secret and the
    same miss counters, so a reference is no easier to guess than a code. `read(code, temporary)` loads
    the dossier with what the caller shows (`citizens.selectors.lookup_read`: with its steps, one query).
    """
    code = (code or "").strip()[:60]
    secret = re.sub(r"\s", "", secret or "")
    check_not_blocked(client, code)
    # Same query whether or not the code exists (and whatever the secret looks like).
    # A dossier filed on the national portal is also found by its national code (MaHoSo), once received.
    dossier = (read or _plain_read)(code, temporary_reference_id(code))
    pk, phone = (dossier.pk, dossier.applicant_phone) if dossier is not None else (None, _DUMMY_PHONE)
    expected = "".join(ch for ch in (phone or "") if ch.isdigit())[-4:].rjust(4, "x")
    matches = hmac.compare_digest(expected.encode(), secret.encode()[:4].ljust(4, b"-"))
    # Every part is evaluated on every path (`&`, not `and`): no early exit tells which part failed.
    well_formed = bool(code) & (_SECRET.match(secret) is not None)
    if not ((pk is not None) & matches & well_formed):
        _add_miss(_client_key(client))
        if code:
            _add_miss(_code_key(code))
        raise _not_found()
    return dossier
