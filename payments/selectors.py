"""Reads of the payments app."""

from __future__ import annotations

from .models import Bill, Payment, PaymentStatus


def bill_of(dossier) -> Bill | None:
    return Bill.objects.filter(dossier=dossier).prefetch_related("lines").first()


def payments_of(dossier) -> list[Payment]:
    return list(Payment.objects.filter(dossier=dossier).order_by("-created_at", "-id"))


def credited_payment(dossier) -> Payment | None:
    """The payment that settled the dossier's fee (the fact the 766 payment indicators read)."""
    return Payment.objects.filter(dossier=dossier, credited=True).first()


def pending_payment(dossier) -> Payment | None:
    return Payment.objects.filter(dossier=dossier, status=PaymentStatus.PENDING).order_by("-created_at").first()


def paid_online_q(prefix: str = ""):
    """A filter on dossiers (or, with `prefix` = the path to the dossier id, on other rows) for "paid online": the
    fee settled by a verified online payment (766 indicators 3.5b and 3.6 read this fact)."""
    from django.db.models import Exists, OuterRef

    return Exists(Payment.objects.filter(dossier=OuterRef(prefix or "pk"),
                                         credited=True, method="online"))
