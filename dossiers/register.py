"""Form 07 of Circular 03/2025/TT-VPCP, the dossier register (sổ theo dõi hồ sơ, A4 landscape): the dossiers
an agency received in a period, one row each, printed with the forms' helpers (`dossiers.documents`).

Only reads; the register screen and its PDF download call `register_prefetch` and `render_register`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .documents import (
    _apology,
    _form_template,
    _write_pdf,
    _zone,
    form_set_for,
    format_date,
    format_short,
    header_lines,
    person_name,
    place_and_date,
)
from .models import Dossier, Status, Step, TimelineEvent, Verdict

REGISTER_FORM_NUMBER = "07"
REGISTER_TITLE = gettext_lazy("SỔ THEO DÕI HỒ SƠ")


def _register_queryset(agency, date_from: dt.date, date_to: dt.date, dossiers) -> list[Dossier]:
    related = ("procedure", "received_by", "agency")
    if dossiers is None:
        zone = _zone()
        start = dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        dossiers = Dossier.objects.filter(agency=agency, received_at__gte=start, received_at__lt=end)
    if isinstance(dossiers, QuerySet):
        dossiers = register_prefetch(
            dossiers.select_related(*related).select_related("apology").order_by("received_at", "code", "id")
        )
    return list(dossiers)


def register_prefetch(qs: QuerySet) -> QuerySet:
    """What the register prints of each dossier's steps and transfers, in one query each (once)."""
    if any(getattr(lookup, "to_attr", None) == "register_steps" for lookup in qs._prefetch_related_lookups):
        return qs
    return qs.prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("agency").order_by("order"), to_attr="register_steps"),
        Prefetch("events", queryset=TimelineEvent.objects.filter(action="transfer").order_by("at", "id"),
                 to_attr="register_transfers"),
    )


def _register_note(dossier) -> str:
    parts = []
    if dossier.status == Status.REFUSED and dossier.received_at is None:
        parts.append(_("Từ chối tiếp nhận tại quầy"))
    elif dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.received_at is None:
        parts.append(_("Hướng dẫn bổ sung, chưa tiếp nhận"))
    elif dossier.status not in (Status.RETURNED,):
        parts.append(Status(dossier.status).label)
    # Only a result has a verdict against its appointment: a refused or stopped dossier is not "early".
    if dossier.verdict and dossier.status in (Status.DECIDED, Status.RETURNED):
        parts.append(Verdict(dossier.verdict).label)
    elif dossier.is_late and dossier.status not in (Status.REFUSED, Status.STOPPED, Status.WITHDRAWAL_REQUESTED):
        parts.append(_("Đang quá hạn"))
    if dossier.supplement_count:
        parts.append(_("Bổ sung %(count)s lần") % {"count": dossier.supplement_count})
    if _apology(dossier) is not None:
        parts.append(_("Đã xin lỗi, hẹn lại"))
    return "; ".join(str(p) for p in parts)


def _lead_agency(dossier) -> str:
    """The agency leading the settlement: the one of the first processing step, else the receiving one."""
    steps = getattr(dossier, "register_steps", None)
    if steps is None:
        steps = list(dossier.steps.select_related("agency").order_by("order"))
    for step in steps:
        if step.role != "desk_officer":
            return step.agency.name
    return dossier.agency.name


def _transferred_at(dossier):
    transfers = getattr(dossier, "register_transfers", None)
    if transfers is None:
        transfers = list(dossier.events.filter(action="transfer").order_by("at", "id")[:1])
    return transfers[0].at if transfers else None


def register_rows(dossiers) -> list[dict]:
    return [
        {
            # The sequence of the year's book, continuous through the year (the list's place without one).
            "no": d.register_no or index,
            "code": d.code or "",
            "procedure": d.procedure.name,
            "sets": "01",
            "lead_agency": _lead_agency(d),
            "transferred": format_short(_transferred_at(d)),
            "summary": d.summary or d.procedure.name,
            "owner": d.owner_name or d.applicant_name,
            "address": d.applicant_address,
            "phone": d.applicant_phone,
            "received": format_short(d.received_at),
            "due": format_short(d.appointment_at),
            "returned": format_short(d.returned_at),
            "officer": person_name(d.received_by),
            "note": _register_note(d),
        }
        for index, d in enumerate(dossiers, start=1)
    ]


def render_register(
    agency, date_from: dt.date, date_to: dt.date, dossiers=None, *, language: str = "vi"
) -> bytes:
    """Form 07, the register of the dossiers an agency received in [date_from, date_to] (A4 landscape).

    `dossiers` lets a caller pass its own (already scoped or filtered) queryset or list instead of the
    default selection; a queryset is ordered chronologically and joined here.
    """
    with translation.override(language):
        listed = _register_queryset(agency, date_from, date_to, dossiers)
        rows = register_rows(listed)
        top, issuer = header_lines(agency)
        years = sorted({d.register_year for d in listed if d.register_year} or {date_from.year})
        context = {
            "form": "register",
            "form_number": REGISTER_FORM_NUMBER,
            "title": REGISTER_TITLE,
            "book": ", ".join(f"01/{year}" for year in years),
            "form_set": form_set_for(date_to),
            "page_size": "A4 landscape",
            "parent_name": top,
            "agency_name": issuer,
            "place_date": place_and_date(agency, dt.datetime.now(tz=_zone())),
            "period": _("Từ ngày %(start)s đến ngày %(end)s")
            % {"start": format_date(date_from), "end": format_date(date_to)},
            "rows": rows,
            "total": len(rows),
            "code": "",
            "signatures": [],
        }
        return _write_pdf(_form_template(context["form_set"], "register"), context)
