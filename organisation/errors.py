"""Domain errors raised by services; the API and the pages turn them into clear messages.

Each has a stable snake_case `code`, a human `detail` (translatable) and optional per-field messages.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, detail, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(str(detail))
        self.detail = detail
        self.code = code or self.default_code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """Bad input: 400 naming the fields."""


class NotAllowed(DomainError):
    """The action is not allowed for this user or role: 403."""

    status_code = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class ActionNotAllowed(DomainError):
    """The action is not allowed in the dossier's current status: 409, nothing changes."""

    status_code = 409
    default_code = "action_not_allowed"


class ConcurrentChange(DomainError):
    """Someone else changed the object first: 409, nothing changes."""

    status_code = 409
    default_code = "concurrent_change"


class PayloadTooLarge(DomainError):
    status_code = 413
    default_code = "file_too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    default_code = "unsupported_media_type"
