"""Closing: the draft and the decision on the result (`draft_result`, `decide`), its return
(`return_result`), and the other ends of a dossier (`refuse`, `withdraw`, `stop`).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from notices.services import notify_citizen
from organisation.models import Role
from signing.services import sign_result_after_decide

from ..models import (
    Dossier,
)
from ..signals import result_ready_for_post
from ..uploads import delete_stored, store_upload, validate_upload
from .base import (
    _check,
    _check_verified,
    _close_open_steps,
    _event,
    _finish_dossier,
    _lock,
    _required_text,
    _save,
    _start_step,
    _steps,
    _when,
)


def _end(dossier, *, actor, action: str, reason: str, step_note: str, by, notice: str, expected_version,
         at: datetime | None) -> Dossier:
    """The ends that close a dossier without a result (refuse, withdraw, stop): the transition, the reason,
    the open steps closed with `step_note`, the dossier finished, the event and the citizen's notice."""
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check(d, actor, action)
        when, before = _when(at), d.status
        d.status, d.reason = t.to_status, reason
        fields = {"status", "reason"}
        _close_open_steps(_steps(d), when, step_note, by=by)
        _finish_dossier(d, when, fields)
        _save(d, fields)
        _event(d, action, actor, before, d.status, reason, at=when)
        notify_citizen(d, notice)
    return d


def refuse(dossier, *, actor, reason: str, expected_version=None, at: datetime | None = None) -> Dossier:
    """Refusal with reasons (form 03), at the desk (1 → 3) or after appraisal (4 → 3)."""
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do từ chối."))
    return _end(dossier, actor=actor, action="refuse", reason=reason,
                step_note=_("Từ chối: %(reason)s") % {"reason": reason}, by=actor, notice="refused",
                expected_version=expected_version, at=at)


def draft_result(dossier, *, actor, result: str = "", result_file=None, expected_version=None,
                 at: datetime | None = None) -> Dossier:
    """The processing officer attaches a draft result (dự thảo kết quả) for the head: its text and, through
    the upload checks, its file. The status does not change; `decide` takes the draft as the result."""
    result = _required_text(result, "result", _("Vui lòng nhập nội dung dự thảo kết quả."))
    content_type = safe_name = ""
    if result_file is not None:
        content_type, safe_name = validate_upload(result_file, field="result_file")
    stored: list[str] = []
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            _check(d, actor, "draft-result")
            when = _when(at)
            d.draft_result_text, d.draft_result_by, d.draft_result_at = result, actor, when
            fields = {"draft_result_text", "draft_result_by", "draft_result_at"}
            if result_file is not None:
                upload = store_upload(result_file, folder="drafts", content_type=content_type, safe_name=safe_name)
                stored.append(upload.name)
                d.draft_result_file.name = upload.name
                fields.add("draft_result_file")
            _save(d, fields)
            _event(d, "draft-result", actor, d.status, d.status, result, at=when, public=False)
    except BaseException:
        delete_stored(stored)
        raise
    return d


def decide(dossier, *, actor, result: str, result_file=None, expected_version=None,
           at: datetime | None = None) -> Dossier:
    """The head approves the result (4 → 9): open steps finish, the dossier gets its verdict (§6). Without
    a text or file of their own, the processing officer's draft (`draft_result`) becomes the result."""
    result = (result or "").strip() if isinstance(result, str) else result
    content_type = safe_name = ""
    if result_file is not None:
        content_type, safe_name = validate_upload(result_file, field="result_file")
    stored: list[str] = []
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            t = _check(d, actor, "decide")
            result = _required_text(result or d.draft_result_text, "result", _("Vui lòng nhập kết quả giải quyết."))
            when, before = _when(at), d.status
            steps = _steps(d)
            _close_open_steps(steps, when, by=actor)
            # The result goes back to the receiving desk; its "return the result" step, if the procedure
            # ends with one, starts now (and finishes when the result is handed over).
            last = steps[-1] if steps else None
            if (last is not None and last.started_at is None and last.role == Role.DESK_OFFICER
                    and last.agency_id == d.agency_id):
                _start_step(last, when, handed_by=actor)
            d.status, d.result_text = t.to_status, result
            d.current_agency = d.agency
            fields = {"status", "result_text", "current_agency"}
            if result_file is not None:
                upload = store_upload(result_file, folder="results", content_type=content_type, safe_name=safe_name)
                stored.append(upload.name)
                d.result_file.name = upload.name
                fields.add("result_file")
            elif d.draft_result_file:
                d.result_file.name = d.draft_result_file.name
                fields.add("result_file")
            _finish_dossier(d, when, fields)
            _save(d, fields)
            _event(d, "decide", actor, before, d.status, result, at=when)
            notify_citizen(d, "result_ready")
            transaction.on_commit(partial(_sign_result, d.pk), robust=True)
            transaction.on_commit(partial(_post_result, d.pk), robust=True)
    except BaseException:
        delete_stored(stored)
        raise
    return d


def _sign_result(dossier_id: int) -> None:
    """The electronic result is signed (PAdES) once the decision is committed; see `signing.services`."""
    sign_result_after_decide(dossier_id)


def _post_result(dossier_id: int) -> None:
    """A result to be returned by post: the postal app orders the delivery (`dossiers.signals`; postal imports
    dossiers, never the other way round)."""
    result_ready_for_post.send(sender=Dossier, dossier_id=dossier_id)


def return_result(dossier, *, actor, expected_version=None, at: datetime | None = None, note: str = "",
                  verified: bool = False) -> Dossier:
    """The receiving desk hands the result over (trả kết quả): 9 → 10. `verified`: the postal service
    confirmed delivery of the result (no person acts; `note` names the order)."""
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        t = _check_verified(d, actor, "return", verified)
        when, before = _when(at), d.status
        _close_open_steps(_steps(d), when, by=actor)
        d.status, d.returned_at = t.to_status, when
        d.current_agency = d.agency
        _save(d, {"status", "returned_at", "current_agency"})
        _event(d, "return", actor, before, d.status, note, at=when)
        notify_citizen(d, "returned")
    return d


def withdraw(dossier, *, actor, reason: str = "", expected_version=None, at: datetime | None = None) -> Dossier:
    """The applicant withdraws (rút hồ sơ): any open status → 7; the desk then stops it (7 → 8)."""
    return _end(dossier, actor=actor, action="withdraw", reason=(reason or "").strip(),
                step_note=_("Công dân rút hồ sơ."), by=None, notice="withdrawn", expected_version=expected_version,
                at=at)


def stop(dossier, *, actor, reason: str, expected_version=None, at: datetime | None = None) -> Dossier:
    """Stop processing with a reason (dừng xử lý, 4 → 8), or close a withdrawal (7 → 8)."""
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do dừng xử lý."))
    return _end(dossier, actor=actor, action="stop", reason=reason, step_note=reason, by=actor, notice="stopped",
                expected_version=expected_version, at=at)
