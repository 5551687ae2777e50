"""How the catalogue reads aloud: time limits, fees and online modes in the citizen's words."""

from decimal import Decimal

from django import template
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisation.models import AgencyLevel
from procedures.models import OnlineMode, TimeUnit

register = template.Library()


@register.filter
def amount(value) -> str:
    """3.00 → "3", 1.50 → "1,5" (in the active language's number format)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(int(value))
    return number_format(value.normalize())


def describe_time(value, unit: str) -> str:
    if unit == TimeUnit.SAME_DAY:
        return _("Trong ngày")
    shown = amount(value)
    plural = 1 if Decimal(value) == 1 else 2
    if unit == TimeUnit.WORKING_DAYS:
        return ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", plural) % {"n": shown}
    if unit == TimeUnit.WORKING_HOURS:
        return ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", plural) % {"n": shown}
    return ngettext("%(n)s ngày", "%(n)s ngày", plural) % {"n": shown}


@register.filter
def time_limit(procedure) -> str:
    return describe_time(procedure.time_limit_amount, procedure.time_limit_unit)


@register.filter
def committed_time(procedure) -> str:
    if procedure.committed_amount is None:
        return ""
    return describe_time(procedure.committed_amount, procedure.time_limit_unit)


@register.filter
def vnd(value) -> str:
    if value in (None, ""):
        return ""
    # Grouped by three whatever the locale's NUMBER_GROUPING (Django's vi locale has none): 15.000 đồng.
    grouped = f"{int(value):,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return _("%(amount)s đồng") % {"amount": grouped}


@register.filter
def fee(procedure) -> str:
    """The fee as published; the amount only when there is no text."""
    if procedure.fee_text:
        return procedure.fee_text
    if procedure.fee_amount:
        return vnd(procedure.fee_amount)
    return _("Không thu phí")


@register.filter
def online_badge(mode: str):
    css = {OnlineMode.FULL: "ok", OnlineMode.PARTIAL: "soon"}.get(mode, "neutral")
    label = OnlineMode(mode).label if mode in OnlineMode.values else mode
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.filter
def levels(procedure) -> str:
    names = dict(AgencyLevel.choices)
    return ", ".join(str(names.get(level, level)) for level in procedure.level_list)


@register.filter
def hours(value) -> str:
    """A step allowance: "4 giờ", or "16 giờ (2 ngày)" when it is whole working days."""
    value = Decimal(value)
    text = ngettext("%(n)s giờ", "%(n)s giờ", 1 if value == 1 else 2) % {"n": amount(value)}
    if value >= 8 and value % 8 == 0:
        days = int(value // 8)
        text += " (" + ngettext("%(n)d ngày làm việc", "%(n)d ngày làm việc", days) % {"n": days} + ")"
    return text
