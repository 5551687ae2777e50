"""Pure rules of the citizens' portal (no Django): what a phone number and an ID number look like, and
which dossier statuses a citizen may rate. Shared by the services and the selectors, so neither has to
import the other for them."""

from __future__ import annotations

import re

from organisation.phones import login_identifier, looks_like_phone, normalize_phone  # noqa: F401 - one for the portal

PHONE = re.compile(r"^0\d{9}$")
ID_NUMBER = re.compile(r"^\d{12}$")

# Finished in the citizen's eyes: decided or returned, refused, stopped.
RATABLE_STATUSES = frozenset({3, 8, 9, 10})


def is_mobile(phone: str) -> bool:
    """A normalised Vietnamese mobile number: ten digits starting with 0."""
    return bool(PHONE.match(phone or ""))


def mask_phone(phone: str) -> str:
    """'0912345678' → '091****678': enough for its owner to recognise, not enough to read it out."""
    digits = normalize_phone(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def header_label(full_name: str, username: str) -> str:
    """What the header says about who is signed in: the name; without one, the masked phone number (the
    user name of a citizen who signed up by phone), else the user name."""
    name = " ".join((full_name or "").split())
    if name:
        return name
    if looks_like_phone(username):
        return mask_phone(username)
    return username or ""


# An online submission's reference before the desk receives it and gives it a code: `TT-<id>`
# (dossiers.models.ONLINE_REFERENCE_PREFIX).
TEMPORARY_PREFIX = "TT-"


def temporary_reference_id(value: str) -> int | None:
    """'TT-33' (any case, spaces around) → 33; None for anything else, a dossier code included."""
    value = (value or "").strip().upper()
    digits = value[len(TEMPORARY_PREFIX):]
    if value.startswith(TEMPORARY_PREFIX) and digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None
