"""The postal panel of the citizen's and the desk's dossier pages."""

from django import template
from django.db.models import Prefetch

from dossiers.models import Channel

from ..models import PostalOrder, TrackingEvent
from ..services import COLLECTABLE

register = template.Library()


def _orders(dossier):
    return list(PostalOrder.objects.filter(dossier=dossier).prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("at", "id"))))


@register.inclusion_tag("postal/_panel.html", takes_context=True)
def postal_panel(context, dossier, audience="citizen"):
    orders = _orders(dossier)
    can_collect = (audience == "citizen" and dossier.status in COLLECTABLE and dossier.channel == Channel.ONLINE
                   and not any(o.direction == "collect" for o in orders))
    return {"dossier": dossier, "orders": orders, "audience": audience, "can_collect": can_collect,
            "csrf_token": context.get("csrf_token"), "request": context.get("request")}
