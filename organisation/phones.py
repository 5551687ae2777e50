"""Phone numbers: the one written form the whole portal stores and searches.

'+84 912 345 678', '0912 345 678', '0912.345.678', '+84912345678', '84912345678' and '0084912345678' are the
same Vietnamese number and are all stored as '0912345678' (the national form: 0 and nine digits). A number
that is not Vietnamese keeps its '+' and country code ('+33612345678'); what is not a phone number at all
is returned with only its separators removed, for the caller's validation to refuse.

Pure: standard library only. Every place that takes, stores or searches a phone number calls
`normalize_phone` (intake, the citizen's account and profile, the OIDC claims, feedback, bookings, the
dossier search), and migration dossiers 0020_h15b_normalise_phones rewrote the rows stored before.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[ \t\n\r\f\v.()/-]")
_DIGITS = re.compile(r"[0-9]+")
# The national form: 0 and nine digits.
NATIONAL = re.compile(r"^0\d{9}$")


def normalize_phone(value: str | None) -> str:
    """The stored form of a phone number as typed (see the module's docstring)."""
    text = _SEPARATORS.sub("", str(value or ""))
    if text.startswith("+84") and _DIGITS.fullmatch(text[3:]):
        return "0" + text[3:].removeprefix("0")
    if text.startswith("0084") and _DIGITS.fullmatch(text[4:]):
        return "0" + text[4:].removeprefix("0")
    if text.startswith("84") and len(text) == 11 and _DIGITS.fullmatch(text):
        return "0" + text[2:]
    return text


def is_national(phone: str) -> bool:
    """Whether a normalised number is a Vietnamese one in the national form."""
    return bool(NATIONAL.match(phone))


def search_form(query: str) -> str | None:
    """The digits a phone search looks for in the stored (normalised) numbers, or None when `query` is not
    a phone number or part of one: at least four digits, nothing but digits, separators and a leading '+'.
    A whole number in any written form becomes its stored form; a part of one is searched as typed."""
    text = _SEPARATORS.sub("", (query or "").strip())
    if not _DIGITS.fullmatch(text.removeprefix("+")):
        return None
    normal = normalize_phone(text)
    digits = normal.lstrip("+")
    return digits if len(digits) >= 4 else None


_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-()]+$")


def looks_like_phone(value: str) -> bool:
    """Typed as a phone number: digits with the usual separators, at least nine digits."""
    value = (value or "").strip()
    return bool(_PHONE_LIKE.match(value)) and sum(ch.isdigit() for ch in value) >= 9


def login_identifier(value: str) -> str:
    """What a person types in a log-in box (the page's or the API's token request), as accounts store it: an
    e-mail address lower-cased, a phone number normalised the way sign-up stores it ('+84 912.345.678' →
    '0912345678'), anything else (a staff user name) as typed, trimmed."""
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    if looks_like_phone(value):
        return normalize_phone(value)
    return value
