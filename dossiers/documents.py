"""The printed forms of Circular 03/2025/TT-VPCP (Phụ lục I), rendered to PDF with WeasyPrint.

01 receipt and appointment, 02 supplement request, 03 refusal, 04 apology and new date, 05 stop notice,
06 control sheet (A5 portrait); 07, the dossier register (A4 landscape), is `dossiers.register`, which
prints with the helpers here.

The forms are legal papers handed to citizens, so they are rendered in Vietnamese unless a caller asks
otherwise, with every time in the desks' time zone (settings.TIME_ZONE) whatever the request's zone, and
with fonts shipped in the repository so that the same dossier prints the same on every server.
This module only reads; the API view and the desk screens call `render_dossier_form`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from organisation.errors import NotFound
from organisation.names import display_name

from .barcodes import code128_data_uri, qr_data_uri
from .models import Channel, Dossier, FormSet, Status, Step, SupplementRequest, TimelineEvent, Verdict

# Without the HarfBuzz-Subset library WeasyPrint subsets fonts with fontTools, which logs every glyph table
# at INFO, and WeasyPrint logs each layout step: one print would write dozens of lines to the portal's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FORMS = {
    "receipt": "01",
    "supplement": "02",
    "refusal": "03",
    "apology": "04",
    "stop": "05",
    "control-sheet": "06",
}

# Titles as Circular 03/2025 names the forms.
FORM_TITLES = {
    "receipt": gettext_lazy("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
    "supplement": gettext_lazy("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
    "refusal": gettext_lazy("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
    # A line break where the long title reads best on A5.
    "apology": gettext_lazy("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ\nGIA HẠN THỜI GIAN GIẢI QUYẾT"),
    "stop": gettext_lazy("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
    "control-sheet": gettext_lazy("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
}

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
# DejaVu Serif Condensed: Vietnamese-complete, close to the Times look of official papers, free licence.
FONT_FILES = {
    ("normal", "normal"): "DejaVuSerifCondensed.ttf",
    ("bold", "normal"): "DejaVuSerifCondensed-Bold.ttf",
    ("normal", "italic"): "DejaVuSerifCondensed-Italic.ttf",
    ("bold", "italic"): "DejaVuSerifCondensed-BoldItalic.ttf",
}

# Administrative-unit prefixes dropped from the place name of the date line ("Khánh Hòa, ngày ...").
_PLACE_PREFIXES = (
    "thành phố ",
    "tỉnh ",
    "đặc khu ",
    "phường ",
    "xã ",
    "thị trấn ",
    "thị xã ",
    "quận ",
    "huyện ",
)


# --- formatting ------------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(value: dt.datetime | None) -> dt.datetime | None:
    """The moment in the desks' time zone; naive values are taken as already local."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=_zone())
    return value.astimezone(_zone())


def format_clock(value: dt.datetime | None) -> str:
    """'16 giờ 30 phút, ngày 24/11/2026', the way the forms print a moment."""
    value = local(value)
    if value is None:
        return ""
    return _("%(hour)02d giờ %(minute)02d phút, ngày %(date)s") % {
        "hour": value.hour,
        "minute": value.minute,
        "date": value.strftime("%d/%m/%Y"),
    }


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def format_short(value: dt.datetime | None) -> str:
    """'24/11/2026 16:30' for the register's narrow columns."""
    value = local(value)
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def format_long_date(value: dt.date | dt.datetime) -> str:
    """'ngày 05 tháng 02 năm 2026': Decree 30/2020 pads days below 10 and the months 1 and 2."""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % {
        "day": f"{value.day:02d}",
        "month": month,
        "year": value.year,
    }


def _amount(value) -> str:
    """3 -> "3", 1.50 -> "1,5" in Vietnamese, "1.5" in English (the forms print in Vietnamese)."""
    return number_format(Decimal(value or 0).normalize())


def _amount_with_unit(value, unit) -> str:
    """'3 ngày làm việc', and in English '1 working day' / '3 working days'."""
    from procedures.models import TimeUnit

    shown = _amount(value)
    count = 1 if Decimal(value or 0) == 1 else 2
    if unit == TimeUnit.WORKING_DAYS:
        return ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", count) % {"n": shown}
    if unit == TimeUnit.WORKING_HOURS:
        return ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", count) % {"n": shown}
    if unit == TimeUnit.DAYS:
        return ngettext("%(n)s ngày", "%(n)s ngày", count) % {"n": shown}
    return shown


def time_limit_text(procedure) -> str:
    """The time limit as the desk states it: '3 ngày làm việc', 'Trong ngày'."""
    from procedures.models import TimeUnit

    if procedure.time_limit_unit == TimeUnit.SAME_DAY:
        return _("Trong ngày")
    text = _amount_with_unit(procedure.effective_amount, procedure.time_limit_unit)
    if procedure.committed_amount is not None and procedure.committed_amount != procedure.time_limit_amount:
        text += " " + _("(theo quy định: %(time_limit)s)") % {
            "time_limit": _amount_with_unit(procedure.time_limit_amount, procedure.time_limit_unit),
        }
    return text


def person_name(user) -> str:
    if user is None:
        return ""
    return display_name(user)


def _upper(text: str) -> str:
    return (text or "").upper()


def place_name(agency) -> str:
    """The place of the date line: the unit where the agency sits, without its level word (Decree 30/2020)."""
    node = agency
    while node is not None:
        if node.admin_unit_id:
            name = node.admin_unit.name.strip()
            lowered = name.lower()
            for prefix in _PLACE_PREFIXES:
                if lowered.startswith(prefix):
                    rest = name[len(prefix) :].strip()
                    # "Phường 1" keeps its word: a number alone is no place name.
                    return name if rest.isdigit() else rest
            return name
        node = node.parent
    return ""


def _committee(name: str) -> bool:
    lowered = (name or "").strip().lower()
    return lowered.startswith(("ubnd ", "ủy ban nhân dân", "uỷ ban nhân dân"))


def header_lines(agency) -> tuple[str, str]:
    """The two lines of the issuing body (Decree 30/2020): the governing body, then the issuer.

    A commune's form reads the commune committee first, then its own one-stop desk ("UBND XÃ DIÊN KHÁNH" /
    "BỘ PHẬN MỘT CỬA"); a centre or a department reads the committee of its unit first, then its own
    name. The province's centre is never printed as a commune's parent.
    """
    desk = agency.desks.order_by("id").first()
    if _committee(agency.name):
        issuer = desk.name if desk else _("Bộ phận Một cửa")
        for sep in (" – ", " - "):  # "Bộ phận Một cửa – UBND xã Diên Khánh": the committee is the line above
            if issuer.endswith(f"{sep}{agency.name}"):
                issuer = issuer[: -len(f"{sep}{agency.name}")]
        return _upper(agency.name), _upper(issuer)
    if agency.admin_unit_id:
        return _upper(_("UBND %(unit)s") % {"unit": agency.admin_unit.name}), _upper(agency.name)
    return (_upper(agency.parent.name) if agency.parent_id else ""), _upper(agency.name)


def form_set_for(when) -> FormSet | None:
    """The form set in force on the day a form was issued (the latest one effective by then)."""
    day = local(when).date() if isinstance(when, dt.datetime) else (when or dt.date.today())
    return FormSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def _form_template(form_set: FormSet | None, form: str) -> list[str]:
    names = [f"forms/{form}.html"]
    return [f"forms/{form_set.code}/{form}.html", *names] if form_set is not None else names


def place_and_date(agency, when) -> str:
    place = place_name(agency)
    day = format_long_date(when or dt.datetime.now(tz=_zone()))
    return f"{place}, {day}" if place else day[:1].upper() + day[1:]


def lookup_url(code: str | None) -> str:
    """The public look-up page for a dossier: absolute when settings.PORTAL_URL is set, else a path."""
    try:
        path = reverse("citizens:lookup")
    except NoReverseMatch:
        path = "/cong-dan/tra-cuu/"
    base = getattr(settings, "PORTAL_URL", "").rstrip("/")
    url = f"{base}{path}"
    return f"{url}?code={code}" if code else url


def _qr_payload(code: str) -> str:
    """A scannable look-up link when the portal's public address is known, otherwise the code itself."""
    return lookup_url(code) if getattr(settings, "PORTAL_URL", "") else code


# --- rendering ---------------------------------------------------------------------------------------


@cache
def font_css() -> str:
    rules = []
    for (weight, style), filename in FONT_FILES.items():
        uri = (FONT_DIR / filename).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "MotCua"; src: url("{uri}"); font-weight: {weight}; font-style: {style}; }}'
        )
    return "\n".join(rules)


def _write_pdf(template, context: dict) -> bytes:
    context = {"font_css": font_css(), **context}
    html = render_to_string(template, context)
    base_url = (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"
    # Imported here, after the loggers above are quietened and only in processes that print.
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


# Why a form cannot be printed, in words the desk officer can act on.
_NOT_APPLICABLE = {
    "receipt": gettext_lazy("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận và hẹn trả kết quả."),
    "supplement": gettext_lazy("Hồ sơ không có yêu cầu bổ sung, hoàn thiện."),
    "refusal": gettext_lazy("Hồ sơ không ở trạng thái bị từ chối tiếp nhận."),
    "apology": gettext_lazy("Hồ sơ chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả."),
    "stop": gettext_lazy("Hồ sơ không ở trạng thái dừng giải quyết."),
    "control-sheet": gettext_lazy("Hồ sơ chưa được tiếp nhận nên chưa có phiếu kiểm soát."),
}


def _not_applicable(form: str):
    return NotFound(str(_NOT_APPLICABLE[form]), code="document_not_applicable")


def _event(events, *statuses: int):
    """The latest timeline event that moved the dossier into one of `statuses`."""
    found = [e for e in events if e.to_status in statuses]
    return found[-1] if found else None


def _load(dossier, *, with_steps: bool = False) -> Dossier:
    """The dossier with everything the forms print, in a fixed handful of queries."""
    prefetch = [
        "components",
        Prefetch("events", queryset=TimelineEvent.objects.select_related("actor").order_by("at", "id")),
        Prefetch(
            "supplements", queryset=SupplementRequest.objects.select_related("requested_by").order_by("round")
        ),
    ]
    if with_steps:
        prefetch.append(
            Prefetch(
                "steps",
                queryset=Step.objects.select_related("agency", "department", "assignee", "finished_by")
                .order_by("order"),
            )
        )
    return (
        Dossier.objects.select_related(
            "agency__parent__admin_unit",
            "agency__admin_unit",
            "procedure",
            "received_by",
            "current_agency",
            "apology__issued_by",
        )
        .prefetch_related(*prefetch)
        .get(pk=dossier.pk)
    )


def _apology(dossier):
    try:
        return dossier.apology
    except Dossier.apology.RelatedObjectDoesNotExist:
        return None


def _base_context(dossier, form: str, when) -> dict:
    agency = dossier.agency
    code = dossier.code or ""
    top, issuer = header_lines(agency)
    return {
        "form": form,
        "form_number": FORMS[form],
        "title": FORM_TITLES[form],
        "page_size": "A5 portrait",
        "parent_name": top,
        "agency_name": issuer,
        "place_date": place_and_date(agency, when),
        "dossier": dossier,
        "code": code,
        "qr_uri": qr_data_uri(_qr_payload(code)) if code else "",
        "barcode_uri": code128_data_uri(code) if code else "",
        "applicant": {
            "name": dossier.applicant_name,
            "id_label": dossier.get_applicant_id_type_display(),
            "id_number": dossier.applicant_id_number,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "owner": dossier.owner_name
            if dossier.owner_name and dossier.owner_name != dossier.applicant_name
            else "",
        },
        "procedure_name": dossier.procedure.name,
        "summary": dossier.summary,
        "received_text": format_clock(dossier.received_at),
        "appointment_text": format_clock(dossier.appointment_at),
    }


def _signature(title, hint, name="") -> dict:
    return {"title": title, "hint": hint, "name": name}


def _return_place(dossier) -> str:
    from .models import ReturnMethod

    agency = dossier.agency
    if dossier.return_method == ReturnMethod.POST:
        place = _("Qua dịch vụ bưu chính công ích")
        return f"{place}: {dossier.return_address}" if dossier.return_address else place
    if dossier.return_method == ReturnMethod.ONLINE:
        return _("Trực tuyến trên Cổng Dịch vụ công (kết quả điện tử)")
    desk = agency.desks.order_by("id").first()
    where = desk.name if desk else _("Bộ phận Một cửa – %(agency)s") % {"agency": agency.name}
    address = (desk.address if desk and desk.address else agency.address) or ""
    return f"{where}, {address}" if address else where


def _component_rows(components) -> list[dict]:
    from procedures.models import ComponentKind

    labels = dict(ComponentKind.choices)
    return [{"name": c.name, "kind": labels.get(c.kind, c.kind), "count": c.count} for c in components]


def _lines(text: str) -> list[str]:
    """A text field typed one item per line, without the bullets people type."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip("-•*+").strip()
        if line:
            out.append(line)
    return out


def _receipt(dossier) -> tuple[dict, dict]:
    # A counter dossier sent home for a supplement or refused has a code but was never received.
    if not dossier.code or not dossier.received_at:
        raise _not_applicable("receipt")
    components = [c for c in dossier.components.all() if c.supplement_round == 0]
    receive_event = _event(list(dossier.events.all()), Status.RECEIVED)
    receiver = person_name(dossier.received_by) or (receive_event.actor_name if receive_event else "")
    online = dossier.channel == Channel.ONLINE
    signatures = [_signature(_("NGƯỜI TIẾP NHẬN HỒ SƠ"), _("(Ký và ghi rõ họ tên)"), receiver)]
    if not online:  # an online applicant is not at the desk to sign
        signatures.insert(0, _signature(_("NGƯỜI NỘP HỒ SƠ"), _("(Ký và ghi rõ họ tên)"), dossier.applicant_name))
    context = {
        "online": online,
        "register_book": _register_book(dossier),
        "register_no": f"{dossier.register_no:04d}" if dossier.register_no else "",
        "components": _component_rows(components),
        "component_total": sum(c.count for c in components),
        "time_limit": time_limit_text(dossier.procedure),
        "return_place": _return_place(dossier),
        "lookup_url": lookup_url(None),
        "channel": dossier.get_channel_display(),
        "fee": dossier.fee_amount,
        "signatures": signatures,
    }
    return context, {"when": dossier.received_at}


def _register_book(dossier) -> str:
    """The book of the desk's register the dossier is entered in: one per year ("01/2026")."""
    return f"01/{dossier.register_year}" if dossier.register_year else ""


def _supplement(dossier) -> tuple[dict, dict]:
    requests = list(dossier.supplements.all())
    if not requests:
        raise _not_applicable("supplement")
    request = requests[-1]
    deadline = request.deadline_at
    agency = dossier.agency
    context = {
        # Only a dossier received has a time limit running that starts again when the documents arrive.
        "restarts": dossier.received_at is not None,
        "request": request,
        "round": request.round,
        "items": _lines(request.items),
        "reason": request.reason,
        "requested_text": format_clock(request.requested_at),
        "deadline_text": format_clock(deadline) if deadline else "",
        "contact_phone": agency.phone,
        "signatures": [
            _signature(_("NGƯỜI HƯỚNG DẪN"), _("(Ký và ghi rõ họ tên)"), person_name(request.requested_by)),
        ],
    }
    return context, {"when": request.requested_at}


def _refusal(dossier) -> tuple[dict, dict]:
    if dossier.status != Status.REFUSED:
        raise _not_applicable("refusal")
    event = _event(list(dossier.events.all()), Status.REFUSED)
    reason = dossier.reason or (event.note if event else "")
    signer = (person_name(event.actor) or event.actor_name) if event else person_name(dossier.received_by)
    # Refused after appraisal (4 → 3): the agency that appraised refuses to settle it, and its head signs.
    appraised = event is not None and event.from_status == Status.PROCESSING
    if appraised:
        head = _is_head(event.actor, dossier)
        signature = _signature(_("THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT"), _("(Ký, ghi rõ họ tên và đóng dấu)"),
                               signer if head else "")
    else:
        signature = _signature(_("NGƯỜI TIẾP NHẬN HỒ SƠ"), _("(Ký và ghi rõ họ tên)"), signer)
    context = {
        "appraised": appraised,
        "appraising_agency": (dossier.current_agency or dossier.agency).name,
        "reasons": _lines(reason),
        "signatures": [signature],
    }
    return context, {"when": event.at if event else (dossier.finished_at or dossier.updated_at)}


def _is_head(user, dossier) -> bool:
    from organisation.models import Role, StaffMembership

    if user is None:
        return False
    agencies = {dossier.agency_id, dossier.current_agency_id or dossier.agency_id}
    return StaffMembership.objects.filter(user=user, agency_id__in=agencies, role=Role.HEAD).exists()


def _apology_form(dossier) -> tuple[dict, dict]:
    apology = _apology(dossier)
    if apology is None:
        raise _not_applicable("apology")
    context = {
        "apology": apology,
        "received_text": format_clock(dossier.received_at),
        "old_appointment_text": format_clock(apology.old_appointment_at),
        "new_appointment_text": format_clock(apology.new_appointment_at),
        "reasons": _lines(apology.reason),
        "agency_plain": dossier.agency.name,
        "signatures": [
            _signature(
                _("THỦ TRƯỞNG CƠ QUAN"), _("(Ký, ghi rõ họ tên và đóng dấu)"), person_name(apology.issued_by)
            ),
        ],
    }
    return context, {"when": apology.issued_at}


def _stop(dossier) -> tuple[dict, dict]:
    if dossier.status != Status.STOPPED:
        raise _not_applicable("stop")
    events = list(dossier.events.all())
    event = _event(events, Status.STOPPED)
    withdrawn = _event(events, Status.WITHDRAWAL_REQUESTED)
    reason = dossier.reason or (event.note if event else "")
    signer = (person_name(event.actor) or event.actor_name) if event else ""
    context = {
        "reasons": _lines(reason),
        "withdrawn": withdrawn is not None,
        "withdrawn_text": format_clock(withdrawn.at) if withdrawn else "",
        "stopped_text": format_clock(event.at) if event else "",
        "agency_plain": dossier.agency.name,
        "signatures": [
            _signature(_("THỦ TRƯỞNG CƠ QUAN"), _("(Ký, ghi rõ họ tên và đóng dấu)"), signer),
        ],
    }
    return context, {"when": event.at if event else (dossier.finished_at or dossier.updated_at)}


@dataclass
class Handover:
    """One row of the control sheet: who gave the dossier to whom, when, and how the giver did."""

    giver: str
    giver_person: str
    taker: str
    taker_person: str
    at: str
    note: str
    verdict: str


def _verdict_label(verdict, is_late: bool, finished) -> str:
    if verdict:
        return Verdict(verdict).label
    if finished is None and is_late:
        return _("Đang quá hạn")
    return ""


def control_rows(dossier) -> list[Handover]:
    """The hand-overs of form 06, built from the steps and the timeline.

    Every expected hand-over gets a row, done or not: the sheet travels with the paper dossier and the
    rows still ahead are filled in by hand. The verdict column judges the side that hands over, the
    only side whose step is over at that moment.
    """
    events = list(dossier.events.all())
    steps = list(dossier.steps.all())
    desk = _("Bộ phận Một cửa")
    receive_event = _event(events, Status.RECEIVED)
    desk_person = person_name(dossier.received_by) or (receive_event.actor_name if receive_event else "")

    def holder(step) -> tuple[str, str]:
        # The agency is named only when the step is at another one (liên thông): A5 is narrow.
        where = [step.department.name] if step.department_id else []
        if step.agency_id != dossier.agency_id:
            where.append(step.agency.name)
        place = " – ".join(where)
        if step.name and place:
            return f"{step.name} ({place})", person_name(step.handler)
        return step.name or place or step.agency.name, person_name(step.handler)

    rows: list[Handover] = []
    giver, giver_person, giver_verdict = desk, desk_person, ""
    for step in steps:
        taker, taker_person = holder(step)
        note = _("Hạn: %(due)s") % {"due": format_short(step.due_at)} if step.due_at else ""
        rows.append(
            Handover(
                giver, giver_person, taker, taker_person, format_clock(step.started_at), note, giver_verdict
            )
        )
        giver, giver_person = taker, taker_person
        giver_verdict = _verdict_label(step.verdict, step.is_late, step.finished_at)

    decided = _event(events, Status.DECIDED)
    back_at = decided.at if decided else (steps[-1].finished_at if steps else None)
    if steps:
        rows.append(Handover(giver, giver_person, desk, "", format_clock(back_at), "", giver_verdict))
    applicant = _("Tổ chức, cá nhân: %(name)s") % {"name": dossier.applicant_name}
    note = (
        _("Hẹn trả: %(at)s") % {"at": format_short(dossier.appointment_at)} if dossier.appointment_at else ""
    )
    final_verdict = _verdict_label(dossier.verdict, False, dossier.returned_at) if dossier.returned_at else ""
    rows.append(
        Handover(
            desk,
            "",
            applicant,
            dossier.applicant_name,
            format_clock(dossier.returned_at),
            note,
            final_verdict,
        )
    )
    return rows


def _control_sheet(dossier) -> tuple[dict, dict]:
    if not dossier.code:
        raise _not_applicable("control-sheet")
    steps = list(dossier.steps.all())
    agencies = []
    for step in steps:
        if step.agency.name not in agencies:
            agencies.append(step.agency.name)
    main_agency = agencies[0] if agencies else dossier.agency.name
    supplements = [
        {
            "round": s.round,
            "requested": format_clock(s.requested_at),
            "replied": format_clock(s.replied_at) if s.replied_at else "",
        }
        for s in dossier.supplements.all()
    ]
    apology = _apology(dossier)
    context = {
        "rows": control_rows(dossier),
        "main_agency": main_agency,
        "partner_agencies": agencies[1:],
        "supplements": supplements,
        "apology_text": format_clock(apology.new_appointment_at) if apology else "",
        "signatures": [],
    }
    return context, {"when": dossier.received_at}


_BUILDERS = {
    "receipt": _receipt,
    "supplement": _supplement,
    "refusal": _refusal,
    "apology": _apology_form,
    "stop": _stop,
    "control-sheet": _control_sheet,
}


def render_dossier_form(dossier, form: str, *, language: str = "vi") -> bytes:
    """Form 01–06 of one dossier as PDF (A5 portrait).

    Raises NotFound for an unknown form and for a form that does not apply to the dossier as it stands
    (no supplement request, not refused, no apology, not stopped, no code yet).
    """
    with translation.override(language):
        if form not in FORMS:
            raise NotFound(_("Không có mẫu in “%(form)s”.") % {"form": form}, code="document_not_found")
        if dossier is None or dossier.pk is None:
            raise _not_applicable(form)
        dossier = _load(dossier, with_steps=form == "control-sheet")
        specific, meta = _BUILDERS[form](dossier)
        context = _base_context(dossier, form, meta["when"])
        context.update(specific)
        form_set = form_set_for(meta["when"])
        context["form_set"] = form_set
        return _write_pdf(_form_template(form_set, form), context)
