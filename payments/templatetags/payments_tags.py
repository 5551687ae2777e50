"""The payment panels shown on the citizen's and the desk's dossier pages (one include each)."""

from django import template

from dossiers.models import Status

from .. import selectors
from ..models import FeeExemption, Method

register = template.Library()


@register.inclusion_tag("payments/_citizen_panel.html")
def citizen_payment_panel(dossier):
    credited = selectors.credited_payment(dossier)
    return {
        "dossier": dossier, "credited": credited,
        "awaiting": dossier.status == Status.PAYMENT_REQUESTED and credited is None,
        "show": bool(dossier.fee_amount) or credited is not None,
    }


@register.inclusion_tag("payments/_desk_panel.html", takes_context=True)
def desk_payment_panel(context, dossier):
    awaiting = dossier.status == Status.PAYMENT_REQUESTED
    return {
        "request": context.get("request"), "csrf_token": context.get("csrf_token"), "dossier": dossier,
        "awaiting": awaiting, "processing": dossier.status == Status.PROCESSING and dossier.fee_amount is None,
        "exemptions": list(FeeExemption.objects.filter(procedure_id=dossier.procedure_id)),
        "fee_items": list(dossier.procedure.fee_items.all()),
        "payments": selectors.payments_of(dossier), "bill": selectors.bill_of(dossier),
        "methods": [(Method.CASH, Method.CASH.label), (Method.BANK_TRANSFER, Method.BANK_TRANSFER.label)],
    }


@register.filter
def dong(value) -> str:
    """A whole-đồng amount with dots between thousands (15.000), as on the printed forms."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""
