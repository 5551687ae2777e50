"""The dossier list rows and the detail as plain dicts, built without DRF's field machinery.

The list and the detail are the API's busiest answers: a page of 100 rows through `DossierListSerializer`
costs more than the queries behind it (every field object is deep-copied per serializer, every value
goes through `get_attribute` and `to_representation`). These functions produce the same JSON, value for
value (`tests/dossiers/test_api_representation.py` compares them with the serializers, which remain the
schema of the OpenAPI document): datetimes in the current time zone as ISO 8601 (`Z` for UTC, as DRF
writes it), labels in the request's language.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from dossiers.models import DVCQG_STATUS, ONLINE_REFERENCE_PREFIX, Status
from dossiers.selectors import dossier_is_late
from national.selectors import sync_state_json
from organisation.names import display_name

_LABELS = {s.value: s.label for s in Status}


def iso(value: datetime | None, tz=None) -> str | None:
    """DRF's DateTimeField output: the moment in the current time zone, ISO 8601, `Z` for UTC."""
    if not value:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _str(value) -> str | None:
    return None if value is None else str(value)


def _int(value) -> int | None:
    return None if value is None else int(value)


def person(user) -> str | None:
    if user is None:
        return None
    return display_name(user)


def list_item(d, tz=None, now: datetime | None = None, labels: dict | None = None) -> dict:
    """One row of `GET /api/v1/dossiers/` (DossierListSerializer)."""
    tz = tz or timezone.get_current_timezone()
    procedure, agency, current = d.procedure, d.agency, d.current_agency
    return {
        "code": d.code,
        "reference": d.code or f"{ONLINE_REFERENCE_PREFIX}{d.pk}",
        "status": d.status,
        "status_label": labels[d.status] if labels is not None else str(_LABELS[d.status]),
        "procedure": procedure.code,
        "procedure_name": procedure.name,
        "agency": agency.code,
        "agency_name": agency.name,
        "current_agency": current.code if current is not None else None,
        "channel": d.channel,
        "applicant_name": d.applicant_name,
        "received_at": iso(d.received_at, tz),
        "appointment_at": iso(d.appointment_at, tz),
        "finished_at": iso(d.finished_at, tz),
        "returned_at": iso(d.returned_at, tz),
        "is_late": dossier_is_late(d, now),
        "verdict": d.verdict,
        "version": d.version,
    }


def list_items(dossiers) -> list[dict]:
    tz, now = timezone.get_current_timezone(), timezone.now()
    labels = {status: str(label) for status, label in _LABELS.items()}  # translated once per page
    return [list_item(d, tz, now, labels) for d in dossiers]


def _step(s, tz, staff: bool = True) -> dict:
    # Citizens see where and when their dossier is handled, not which officer holds it.
    assignee = s.assignee if staff else None
    return {
        "order": s.order,
        "name": s.name,
        "agency": s.agency.code,
        "agency_name": s.agency.name,
        "department": s.department.name if s.department_id is not None and s.department else None,
        "assignee": assignee.get_username() if assignee else None,
        "assignee_name": person(assignee),
        "handed_by": person(s.handed_by) if staff else None,
        "finished_by": person(s.finished_by) if staff else None,
        "started_at": iso(s.started_at, tz),
        "due_at": iso(s.due_at, tz),
        "finished_at": iso(s.finished_at, tz),
        "verdict": s.verdict,
        "is_late": bool(s.is_late),
    }


def _event(e, tz) -> dict:
    return {
        "at": iso(e.at, tz),
        "action": e.action,
        "actor": e.actor_name or person(e.actor),
        "from_status": _int(e.from_status),
        "to_status": _int(e.to_status),
        "note": e.note,
    }


def _component(c, tz) -> dict:
    return {
        "name": c.name,
        "kind": c.kind,
        "count": c.count,
        "supplement_round": c.supplement_round,
        "digitised": bool(c.file),
        "content_type": c.content_type,
        "original_filename": c.original_filename,
        "added_at": iso(c.added_at, tz),
    }


def _supplement(r, tz) -> dict:
    return {
        "round": r.round,
        "requested_at": iso(r.requested_at, tz),
        "items": r.items,
        "reason": r.reason,
        "replied_at": iso(r.replied_at, tz),
    }


def _apology(d, tz) -> dict | None:
    try:
        a = d.apology
    except type(d).apology.RelatedObjectDoesNotExist:
        return None
    return {
        "issued_at": iso(a.issued_at, tz),
        "reason": a.reason,
        "old_appointment_at": iso(a.old_appointment_at, tz),
        "new_appointment_at": iso(a.new_appointment_at, tz),
    }


def detail(d, *, staff: bool, available_actions: list[str]) -> dict:
    """`GET /api/v1/dossiers/{code}/` (DossierDetailSerializer), from a dossier loaded with
    `dossier_detail_queryset` (its related rows prefetched)."""
    tz, now = timezone.get_current_timezone(), timezone.now()
    out = list_item(d, tz, now)
    events = d.events.all()
    out.update({
        "dvcqg_status": DVCQG_STATUS[d.status],
        "return_method": d.return_method,
        "return_address": d.return_address,
        "applicant": {
            "kind": d.applicant_kind, "full_name": d.applicant_name, "id_type": d.applicant_id_type,
            "id_number": d.applicant_id_number, "phone": d.applicant_phone, "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "summary": d.summary,
        "submitted_at": iso(d.submitted_at, tz),
        "original_appointment_at": iso(d.original_appointment_at, tz),
        "due_soon_at": iso(d.due_soon_at, tz),
        "received_by": person(d.received_by),
        "supplement_count": d.supplement_count,
        "fee_amount": _int(d.fee_amount),
        "paid_at": iso(d.paid_at, tz),
        "result": d.result_text,
        "reason": d.reason,
        "timeline": [_event(e, tz) for e in events if staff or e.public],
        "steps": [_step(s, tz, staff) for s in d.steps.all()],
        "components": [_component(c, tz) for c in d.components.all()],
        "supplements": [_supplement(r, tz) for r in d.supplements.all()],
        "apology": _apology(d, tz),
        "available_actions": list(available_actions),
        "national_sync": sync_state_json(d) if staff else None,
        "form": _form(d),
    })
    return out


def _form(d) -> dict | None:
    """The electronic form (tờ khai) as filed with the version it was checked against; None without one.
    Loads the version only for a dossier that has one."""
    if d.form_definition_id is None:
        return None
    version = d.form_definition
    return {"version": version.version, "effective_from": version.effective_from.isoformat(), "data": d.form_data}
