"""Payment: the fee asked for once (`request_payment`) and confirmed (`confirm_payment`), by an officer or
verified by the payments app.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from notices.services import notify_citizen
from organisation.errors import ActionNotAllowed, ValidationFailed

from ..models import (
    Dossier,
    FeePayment,
)
from .base import _check, _check_verified, _choice, _event, _lock, _save, _when


def request_payment(dossier, *, actor, amount, expected_version=None, at: datetime | None = None) -> Dossier:
    """Ask the applicant to pay the fee (nghĩa vụ tài chính): 4 → 6, once per dossier: the amount asked
    for is the whole obligation, and a second request would bill the applicant twice."""
    try:
        amount = int(amount)
        if amount <= 0 or amount > 2_000_000_000:
            raise ValueError
    except (TypeError, ValueError):
        msg = _("Số tiền phải là số nguyên dương (đồng).")
        raise ValidationFailed(msg, fields={"amount": [msg]}) from None
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, "request-payment")
        if d.fee_amount is not None:
            raise ActionNotAllowed(
                _("Hồ sơ đã được yêu cầu nộp phí, lệ phí (%(amount)s đồng); không yêu cầu lần thứ hai.")
                % {"amount": f"{d.fee_amount:,}".replace(",", ".")},
                code="payment_already_requested",
            )
        when, before = _when(at), d.status
        d.status, d.fee_amount, d.paid_at = t.to_status, amount, None
        _save(d, {"status", "fee_amount", "paid_at"})
        shown = f"{amount:,}".replace(",", ".")
        _event(d, "request-payment", actor, before, d.status, _("%(amount)s đồng") % {"amount": shown}, at=when)
        notify_citizen(d, "payment_requested", key=str(d.version), amount=shown)
    return d


def confirm_payment(dossier, *, actor, expected_version=None, at: datetime | None = None, note: str = "",
                    verified: bool = False, method: str = "") -> Dossier:
    """The fee is paid: 6 → 4. `verified`: the payments app verified a gateway's signed confirmation (no
    person acts; the payment is recorded with the desk's authority and `note` names the receipt). `method`
    records how it was paid (cash by default; Decision 766 counts the online payments)."""
    method = _choice(method, FeePayment, "method", FeePayment.CASH)
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check_verified(d, actor, "confirm-payment", verified)
        when, before = _when(at), d.status
        d.status, d.paid_at, d.fee_paid_via = t.to_status, when, method
        _save(d, {"status", "paid_at", "fee_paid_via"})
        _event(d, "confirm-payment", actor, before, d.status, note, at=when)
    return d
