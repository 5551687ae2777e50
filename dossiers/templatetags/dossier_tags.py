"""The officers' worklist rows and the urgency and lateness-risk badges, built in Python.

A worklist page of 25 rows rendered cell by cell in the template language (a translated label per cell, two
included templates and three date filters per row) cost 20 ms of a tab's 35 ms of CPU: every label was
translated again for every row. Here the labels are translated once per page and a row is a few string
joins; every value is escaped. The badges are the same tags on the dossier page, so there is one definition
of each.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from dossiers.models import Status
from dossiers.worklists import DUE_SOON, IN_TIME, LATE

register = template.Library()

_REF = "0REF0"  # the dossier reference's place in the detail URL, reversed once per page
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what `reverse` leaves unquoted in a path


def _badge(urgency, verdict) -> str:
    if urgency == LATE:
        return f'<span class="badge late">{escape(gettext("Quá hạn"))}</span>'
    if urgency == DUE_SOON:
        return f'<span class="badge soon">{escape(gettext("Sắp đến hạn"))}</span>'
    if urgency == IN_TIME:
        label = {"early": "Trước hạn", "on_time": "Đúng hạn"}.get(verdict, "Trong hạn")
        return f'<span class="badge ok">{escape(gettext(label))}</span>'
    return '<span class="muted">—</span>'


def _risk(text, probability) -> str:
    percent = round(float(probability or 0) * 100)
    reason = gettext("Khả năng trễ hạn %(percent)s%%.") % {"percent": percent}
    return (f'<span class="badge risk">{escape(gettext("Nguy cơ trễ hạn"))}</span> '
            f'<small class="risk-reason">{escape(reason)} {escape(text)}</small>')


@register.simple_tag
def urgency_badge(urgency, verdict) -> SafeString:
    """Late, due soon, in time (early / on time once decided), or a dash: the dossier's deadline at a glance."""
    return mark_safe(_badge(urgency, verdict))  # noqa: S308 - only escaped labels


@register.simple_tag
def risk_note(text, probability) -> SafeString:
    """The lateness forecast's flag: the chance of missing the appointment and why (`lateness.explain`)."""
    return mark_safe(_risk(text, probability))  # noqa: S308 - every value escaped


def _when(value) -> str:
    """`value|date:"H:i d/m/Y"` in the portal's zone."""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


@register.simple_tag
def worklist_rows(dossiers) -> SafeString:
    """The worklist table's rows: code (link to the dossier page), applicant, procedure, received, appointment,
    status, deadline badge and lateness risk; each cell labelled for the narrow (card) layout."""
    labels = [escape(gettext(label)) for label in (
        "Mã hồ sơ", "Người nộp", "Thủ tục", "Tiếp nhận", "Hẹn trả", "Trạng thái", "Thời hạn")]
    code_at, applicant_at, procedure_at, received_at, appointment_at, status_at, deadline_at = (
        f'<td data-label="{label}">' for label in labels)
    link = escape(reverse("dossiers:detail", args=[_REF]))
    no_code = f'<br><small class="muted">{escape(gettext("chưa cấp mã"))}</small>'
    submitted = escape(gettext("Nộp"))
    # `get_status_display` per row hashed every choice's lazy label (each a translation): 1 ms a page.
    statuses = {value: escape(label) for value, label in Status.choices}
    out = []
    for d in dossiers:
        href = link.replace(_REF, escape(quote(str(d.ref), safe=_URL_SAFE)))
        applicant = escape(d.applicant_name)
        if d.applicant_phone:
            applicant += f'<br><small class="muted">{escape(d.applicant_phone)}</small>'
        if d.received_at:
            received = _when(d.received_at)
        elif d.submitted_at:
            received = f'<span class="muted">{submitted} {_when(d.submitted_at)}</span>'
        else:
            received = "—"
        deadline = _badge(d.urgency, d.verdict)
        if getattr(d, "at_risk", False):
            deadline += "<br>" + _risk(d.risk_text, d.risk_probability)
        out.append(
            f'<tr class="urgency-{escape(d.urgency)}">\n'
            f'{code_at}<a href="{href}">{escape(d.reference)}</a>{"" if d.code else no_code}</td>\n'
            f"{applicant_at}{applicant}</td>\n"
            f"{procedure_at}{escape(d.procedure.name)}</td>\n"
            f"{received_at}{received}</td>\n"
            f'{appointment_at}{_when(d.appointment_at) if d.appointment_at else "—"}</td>\n'
            f"{status_at}{statuses.get(d.status) or escape(d.get_status_display())}</td>\n"
            f"{deadline_at}{deadline}</td>\n</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag
def procedure_options(procedures, selected) -> SafeString:
    """The "all" tab's procedure filter: one `<option>` per procedure (a province's three hundred), "code – name"
    with the name cut at 60 characters as `truncatechars:60` cuts it, the chosen one selected."""
    out = []
    for p in procedures:
        name = p.name if len(p.name) <= 60 else Truncator(p.name).chars(60)
        chosen = " selected" if selected == p.code else ""
        code = escape(p.code)
        out.append(f'<option value="{code}"{chosen}>{code} – {escape(unicodedata.normalize("NFC", name))}</option>')
    return mark_safe("".join(out))  # noqa: S308 - every value escaped
