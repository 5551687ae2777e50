"""Pure rules of the citizens' portal (no Django): what a phone number and an ID number look like, and
which dossier statuses a citizen may rate. Shared by the services and the selectors, so neither has to
import the other for them."""

from __future__ import annotations

import re

PHONE = re.compile(r"^0\d{9}$")
ID_NUMBER = re.compile(r"^\d{12}$")

# Finished in the citizen's eyes: decided or returned, refused, stopped.
RATABLE_STATUSES = frozenset({3, 8, 9, 10})


def normalize_phone(value: str) -> str:
    """'+84 912 345 678' and '0912.345.678' are the same number: '0912345678'."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def is_mobile(phone: str) -> bool:
    """A normalised Vietnamese mobile number: ten digits starting with 0."""
    return bool(PHONE.match(phone or ""))
