"""Any desk of the province (phi địa giới, Decree 309/2026): a procedure the catalogue marks boundary-free
is accepted at any desk of the province whatever its own agency performs; the receiving desk issues the
receipt and the dossier goes to the competent agency, whose receipt starts the clock.

It is the routing machinery (liên thông) run from the desk: the dossier belongs to the competent agency
(`agency`) and waits there at status 1, like an online submission, with the receiving desk's code and
register entry and `intake_agency` naming the desk; the desk's hand-over is the dossier's step 0, at the
desk (which is what lets the desk keep seeing it, as every agency a dossier has a step at does). The
competent agency's desk receives it with `routing.receive`: the appointment runs from that receipt.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.services import notify_citizen, notify_staff
from organisation.errors import ValidationFailed
from organisation.models import Agency, Role

from .. import transitions as tt
from ..models import Channel, Dossier, ReturnMethod, Status, Step
from .base import _choice, _clock, _event, _now

BOUNDARY_FREE_STEP = "boundary-free"


def competent_agencies(procedure, receiving: Agency) -> list[Agency]:
    """The agencies of `receiving`'s province that perform `procedure` (other than `receiving`): where a
    boundary-free dossier taken at `receiving` may be sent. None when the procedure is not boundary-free."""
    from organisation.selectors import province_agency_ids

    from .intake import performs

    if not procedure.boundary_free:
        return []
    ids = province_agency_ids(receiving)
    named = list(procedure.agencies.filter(pk__in=ids, is_active=True).exclude(pk=receiving.pk).order_by("code"))
    if named:
        return named
    return [a for a in Agency.objects.filter(pk__in=ids, is_active=True).exclude(pk=receiving.pk).order_by("code")
            if performs(procedure, a)]


def choose_competent(procedure, receiving: Agency, competent: Agency | None) -> Agency:
    """The competent agency a boundary-free dossier taken at `receiving` goes to: the one given (it must be
    among `competent_agencies`), else the only candidate; a 400 naming `competent_agency` otherwise."""
    candidates = competent_agencies(procedure, receiving)
    if competent is not None:
        if competent in candidates:
            return competent
        msg = _("Cơ quan %(agency)s không giải quyết thủ tục này trong tỉnh.") % {"agency": competent.name}
        raise ValidationFailed(msg, code="agency_not_performing", fields={"competent_agency": [msg]})
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        msg = _("Không có cơ quan nào trong tỉnh giải quyết thủ tục này.")
        raise ValidationFailed(msg, code="agency_not_performing", fields={"competent_agency": [msg]})
    msg = _("Vui lòng chọn cơ quan có thẩm quyền giải quyết.")
    raise ValidationFailed(msg, code="required", fields={"competent_agency": [msg]})


def receive_across_boundaries(*, actor, procedure, receiving: Agency, competent: Agency | None, applicant: dict,
                              summary: str = "", components=(), channel: str = "counter",
                              return_method: str = "desk", return_address: str = "", idempotency_key: str = "",
                              outcome: str = "receive", form=None) -> Dossier:
    """The desk of `receiving` takes a boundary-free dossier for `competent` (called by `intake`, which has
    checked the officer and the procedure): code and register entry of the desk, step 0 at the desk,
    status 1 at the competent agency, the applicant told where the dossier is and that the time limit runs
    from the competent agency's receipt, that agency's desk officers told it is coming."""
    from procedures.services import check_form

    from ..selectors import remember_new_rows
    from ..uploads import delete_stored
    from .intake import (
        _applicant_fields,
        _check_key,
        _check_procedure,
        _clean_components,
        _create_with_key,
        _fingerprint,
        _idempotent,
        _store_components,
        agency_staff,
        clean_applicant,
    )

    if (outcome or "receive") != "receive":
        msg = _("Hồ sơ phi địa giới chỉ được tiếp nhận để chuyển đến cơ quan có thẩm quyền; việc yêu cầu bổ sung "
                "hoặc từ chối do cơ quan đó quyết định.")
        raise ValidationFailed(msg, code="boundary_free_receive_only", fields={"outcome": [msg]})
    # Recorded at the competent agency as submitted and not yet received there: the table's "submit" by a desk.
    tt.check("submit", tt.NEW, {Role.DESK_OFFICER})
    competent = choose_competent(procedure, receiving, competent)
    _check_procedure(procedure, competent, field="competent_agency")
    channel = _choice(channel, Channel, "channel", Channel.COUNTER)
    return_method = _choice(return_method, ReturnMethod, "return_method", ReturnMethod.DESK)
    clean = clean_applicant(applicant)
    key = _check_key(idempotency_key)
    form_version, form_data = check_form(procedure, form)
    items = _clean_components(procedure, components)
    fingerprint = _fingerprint({
        **({"form": form_data} if form_version is not None else {}),
        "procedure": procedure.code, "agency": receiving.code, "competent": competent.code, "channel": channel,
        "applicant": clean, "summary": summary or "", "return_method": return_method,
        "return_address": return_address or "",
        "components": [[c.name, c.kind, c.count, c.component_id, c.digest] for c in items],
    })
    if key:
        existing = _idempotent(actor, key, fingerprint)
        if existing is not None:
            return existing
    now = _now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            expected = _clock().compute_appointment_for(now, procedure.effective_amount, procedure.time_limit_unit,
                                                        competent)
            values = {
                "procedure": procedure, "agency": competent, "current_agency": competent, "intake_agency": receiving,
                "status": Status.SUBMITTED, "channel": channel, "return_method": return_method,
                "return_address": (return_address or "")[:500], "summary": summary or "", "received_by": actor,
                "created_by": actor, "submitted_at": now, "appointment_at": expected.appointment_at,
                "idempotency_key": key, "idempotency_fingerprint": fingerprint if key else "",
                "form_definition": form_version, "form_data": form_data,
                **_applicant_fields(clean),
            }
            dossier, created = _create_with_key(values, agency=receiving, code_day=timezone.localdate(now),
                                                user=actor, key=key, fingerprint=fingerprint)
            if not created:
                return dossier
            step = Step.objects.create(
                dossier=dossier, order=0, name=_("Tiếp nhận phi địa giới, chuyển cơ quan có thẩm quyền"),
                agency=receiving, role=Role.DESK_OFFICER, assignee=actor, handed_by=actor, finished_by=actor,
                started_at=now, finished_at=now, note=competent.name)
            _grant(dossier, receiving)
            components = _store_components(dossier, items, 0, stored)
            note = _("Tiếp nhận tại %(desk)s (phi địa giới), chuyển đến %(agency)s, cơ quan có thẩm quyền giải "
                     "quyết. Thời hạn giải quyết tính từ khi %(agency)s tiếp nhận.") % {
                "desk": receiving.name, "agency": competent.name}
            event = _event(dossier, "forward", actor, None, Status.SUBMITTED, note, at=now)
            notify_citizen(dossier, "forwarded", desk=receiving.name)
            notify_staff(agency_staff(competent, Role.DESK_OFFICER), dossier, "forwarded_in", desk=receiving.name)
    except BaseException:
        delete_stored(stored)
        raise
    remember_new_rows(dossier, steps=[step], events=[event], components=components, supplements=[])
    return dossier


def _grant(dossier: Dossier, agency: Agency) -> None:
    """The desk keeps seeing the dossier: its step 0 says so; where the visibility fact exists
    (dossiers.visibility, PostgreSQL), the grant is written with the action as well."""
    try:
        from ..visibility import grant_visibility
    except ImportError:
        return
    grant_visibility(dossier, agency)
