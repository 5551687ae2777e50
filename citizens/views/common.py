"""What more than one room of the citizens' pages needs: how a service's refusal shows on a form."""

from __future__ import annotations

from organisation.errors import DomainError

from .. import forms as f

PAGE_SIZE = 20


def error_status(exc: DomainError) -> int:
    return exc.status_code if exc.status_code in (400, 409, 413, 415, 429) else 400


def fail(form, exc: DomainError) -> int:
    """Show a service's refusal on the form; the HTTP status the page answers with."""
    f.add_service_errors(form, exc.fields, fallback=str(exc.detail))
    if exc.fields and not any(form.errors.get(k) for k in form.fields) and not form.non_field_errors():
        form.add_error(None, str(exc.detail))
    return error_status(exc)
