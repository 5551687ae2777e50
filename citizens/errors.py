"""The one error the citizens' portal adds to `organisation.errors`: too many attempts (429)."""

from organisation.errors import DomainError


class TooManyAttempts(DomainError):
    """Repeated wrong look-ups or codes from one client: 429 until the window is over."""

    status_code = 429
    default_code = "throttled"
