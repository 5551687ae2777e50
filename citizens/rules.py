"""Pure rules of the citizens' portal (no Django): what a phone number and an ID number look like, and
which dossier statuses a citizen may rate. Shared by the services and the selectors, so neither has to
import the other for them."""

from __future__ import annotations

import re

from organisation.phones import normalize_phone  # noqa: F401 - the portal's one phone normalisation

PHONE = re.compile(r"^0\d{9}$")
ID_NUMBER = re.compile(r"^\d{12}$")

# Finished in the citizen's eyes: decided or returned, refused, stopped.
RATABLE_STATUSES = frozenset({3, 8, 9, 10})


def is_mobile(phone: str) -> bool:
    """A normalised Vietnamese mobile number: ten digits starting with 0."""
    return bool(PHONE.match(phone or ""))
