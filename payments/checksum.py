"""The checksum a payment gateway puts on a request and on its confirmation.

Pure: no Django. The field list, their order and the algorithm come from configuration per gateway
(integrations.md): the national payment platform and Keypay disagree, and a new gateway must not need code.

- ``hmac-sha256``: HMAC-SHA256 (hex) with the key over the values joined by ``|`` in the configured order
  (Keypay-for-DVCQG's `addition_fee|client_id|command|trans_amount|transaction_id|version`);
- ``sha256-key-appended``: SHA-256 (hex) over the same ``|``-joined values with ``|key`` appended (the
  platform variant).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

ALGORITHMS = ("hmac-sha256", "sha256-key-appended")


class ChecksumConfigError(ValueError):
    """An unknown algorithm or an empty key: a configuration fault, never a reason to accept a message."""


def message(values: Mapping[str, object], fields: Sequence[str]) -> str:
    """The signed text: each configured field's value (missing: empty) joined by `|`."""
    return "|".join("" if values.get(name) is None else str(values.get(name)) for name in fields)


def compute(values: Mapping[str, object], fields: Sequence[str], key: str, algorithm: str) -> str:
    if not key:
        raise ChecksumConfigError("empty checksum key")
    text = message(values, fields)
    if algorithm == "hmac-sha256":
        return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    if algorithm == "sha256-key-appended":
        return hashlib.sha256(f"{text}|{key}".encode()).hexdigest()
    raise ChecksumConfigError(f"unknown checksum algorithm {algorithm!r}")


def verify(values: Mapping[str, object], fields: Sequence[str], key: str, algorithm: str,
           given: object) -> bool:
    """True only when `given` is the checksum of `values`; compared in constant time."""
    if not isinstance(given, str) or not given:
        return False
    expected = compute(values, fields, key, algorithm)
    return hmac.compare_digest(expected, given.strip().lower())
