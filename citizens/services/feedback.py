"""Feedback and complaints (phản ánh, kiến nghị): receipt, triage, questions, answers.

Every change asks `citizens.transitions.FEEDBACK` first (which state allows it, who may take it); the
words of every notice are `notices.messages.FEEDBACK_EVENTS`."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from notices.messages import render
from notices.models import NoticeChannel
from notices.services import queue_notice
from organisation.errors import ActionNotAllowed, NotAllowed, NotFound, ValidationFailed
from reporting.rollup import refresh_dossier as refresh_report_months

from .. import transitions as tt
from ..models import (
    Feedback,
    Overall,
)
from ..rules import is_mobile, normalize_phone
from .common import record_complaint

# Working days from receipt within which each decision is due.
FEEDBACK_REFUSE_DAYS = 2
FEEDBACK_INFO_DAYS = 5
FEEDBACK_ANSWER_DAYS = 15
OPEN_FEEDBACK = tuple(sorted(tt.OPEN_FEEDBACK))


def _clock():
    from worktime import services

    return services


def feedback_deadlines(received_at: datetime, agency) -> dict:
    """Refuse within 2, ask for more within 5, answer within 15 working days (8 working hours a day)."""
    add = _clock().add_working_hours
    return {
        "refuse_due_at": add(received_at, FEEDBACK_REFUSE_DAYS * 8, agency),
        "info_due_at": add(received_at, FEEDBACK_INFO_DAYS * 8, agency),
        "answer_due_at": add(received_at, FEEDBACK_ANSWER_DAYS * 8, agency),
    }


def _day(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y") if value else ""


def _context(feedback: Feedback, **extra) -> dict:
    return {"n": feedback.pk, "subject": feedback.subject, "agency": feedback.agency.name,
            "due": _day(feedback.answer_due_at), **extra}


def _feedback_notice(feedback: Feedback, event: str, ctx: dict, *, key: str = "") -> None:
    """Tell the submitter by e-mail and SMS, and in the portal when they have an account."""
    subject, body = render(event, ctx)
    key = key or event
    base = f"feedback:{feedback.pk}:{key}"
    if feedback.email:
        queue_notice(event=key, channel=NoticeChannel.EMAIL, recipient=feedback.email, subject=subject, body=body,
                     dedupe_key=f"{base}:email", dossier=feedback.dossier, user=feedback.citizen)
    if feedback.phone:
        queue_notice(event=key, channel=NoticeChannel.SMS, recipient=feedback.phone, subject=subject, body=body,
                     dedupe_key=f"{base}:sms", dossier=feedback.dossier, user=feedback.citizen)
    if feedback.citizen_id:
        queue_notice(event=key, channel=NoticeChannel.IN_APP, recipient=feedback.citizen.get_username(),
                     subject=subject, body=body, dedupe_key=f"{base}:in_app", dossier=feedback.dossier,
                     user=feedback.citizen)


def _check(action: str, feedback: Feedback, roles) -> None:
    """The table's answer: 409 when the feedback's state forbids the action, 403 when the role does."""
    try:
        tt.FEEDBACK.check(action, feedback.status, roles)
    except tt.TransitionError as exc:
        if exc.kind == "role":
            raise NotAllowed(_("Ông/bà không có quyền thực hiện thao tác này với phản ánh, kiến nghị."),
                             code="permission_denied") from None
        raise ActionNotAllowed(
            _("Không thể thực hiện khi phản ánh đang ở trạng thái “%(s)s”.") % {"s": feedback.get_status_display()},
            code="action_not_allowed",
        ) from None


def handler_roles(feedback: Feedback, user) -> frozenset[str]:
    """The roles `user` holds towards `feedback` as staff: their roles at its agency (every handler role for
    a superuser). A manager of a higher agency sees the feedback but holds no role at it."""
    from .common import agency_roles

    return tt.feedback_roles(is_submitter=False, agency_roles=agency_roles(user, feedback.agency_id))


def submit_feedback(*, agency, subject: str, body: str, name: str, phone: str = "", email: str = "",
                    citizen=None, dossier: Dossier | None = None, is_complaint: bool = True,
                    now: datetime | None = None) -> Feedback:
    """Feedback from anyone; about a dossier only when it is the signed-in citizen's own (then the
    dossier's receiving agency handles it)."""
    now = now or timezone.now()
    tt.FEEDBACK.check("submit", tt.NEW, {tt.SUBMITTER})
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    phone = normalize_phone(phone)
    email = (email or "").strip().lower()
    if not name:
        errors["name"] = [_("Vui lòng nhập họ và tên.")]
    if not subject:
        errors["subject"] = [_("Vui lòng nhập tiêu đề.")]
    elif len(subject) > 255:
        errors["subject"] = [_("Tiêu đề dài tối đa 255 ký tự.")]
    if not body:
        errors["body"] = [_("Vui lòng nhập nội dung phản ánh, kiến nghị.")]
    elif len(body) > 10000:
        errors["body"] = [_("Nội dung dài tối đa 10.000 ký tự.")]
    if phone and not is_mobile(phone):
        errors["phone"] = [_("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0.")]
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if not phone and not email and citizen is None:
        errors["phone"] = [_("Vui lòng để lại số điện thoại hoặc thư điện tử để nhận trả lời.")]
    if dossier is not None:
        if citizen is None or dossier.citizen_id != citizen.pk:
            errors["dossier"] = [_("Chỉ phản ánh được về hồ sơ của chính mình.")]
        else:
            agency = dossier.agency
    if agency is None:
        errors["agency"] = [_("Vui lòng chọn cơ quan nhận phản ánh.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        repeat = False
        if dossier is not None and is_complaint:
            # The dossier's row locked: two complaints about it at once are told apart (the second repeats).
            Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk").first()
            repeat = Feedback.objects.filter(dossier_id=dossier.pk, is_complaint=True, received_at__lt=now).exists()
        feedback = Feedback.objects.create(
            citizen=citizen if citizen is not None and citizen.is_authenticated else None, dossier=dossier,
            agency=agency, name=name[:255], phone=phone, email=email, subject=subject, body=body,
            is_complaint=bool(is_complaint), is_repeat=repeat, received_at=now,
            access_token=secrets.token_urlsafe(24), status=tt.FEEDBACK.next_state("submit", tt.NEW),
            **feedback_deadlines(now, agency),
        )
        if dossier is not None and feedback.is_complaint:
            record_complaint(dossier.pk, now)
            refresh_report_months(dossier)  # a complaint about a dossier counts in the 766 index's rows
        _feedback_notice(feedback, "feedback_received", _context(feedback))
        _tell_staff_of_feedback(feedback)
    return feedback


def _tell_staff_of_feedback(feedback: Feedback) -> None:
    """An in-app notice to the agency's desk officers and heads, who triage it."""
    from organisation.models import Role, StaffMembership

    subject, body = render("feedback_new", _context(feedback))
    members = (StaffMembership.objects.filter(agency=feedback.agency, role__in=[Role.DESK_OFFICER, Role.HEAD],
                                              user__is_active=True)
               .select_related("user").order_by("user_id"))
    for user in {m.user_id: m.user for m in members}.values():
        queue_notice(event="feedback_new", channel=NoticeChannel.IN_APP, recipient=user.get_username(),
                     subject=subject, body=body, dedupe_key=f"feedback:{feedback.pk}:new:user:{user.pk}", user=user)


def _lock_feedback(feedback: Feedback, actor) -> Feedback:
    from organisation.selectors import scoped_agency_ids

    fresh = (Feedback.objects.select_for_update(of=("self",)).select_related("agency", "citizen", "dossier")
             .get(pk=feedback.pk))
    scope = scoped_agency_ids(actor)
    if scope is not None and fresh.agency_id not in scope:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    return fresh


def _text(value, field: str, message: str, limit: int = 10000) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, code="required", fields={field: [message]})
    if len(text) > limit:
        msg = _("Nội dung dài tối đa %(n)d ký tự.") % {"n": limit}
        raise ValidationFailed(msg, fields={field: [msg]})
    return text


def _handle(feedback: Feedback, action: str, actor) -> Feedback:
    """The feedback locked, in the actor's scope, with the table's leave for `action`."""
    fb = _lock_feedback(feedback, actor)
    _check(action, fb, handler_roles(fb, actor))
    fb.status = tt.FEEDBACK.next_state(action, fb.status)
    return fb


def refuse_feedback(feedback: Feedback, *, actor, reason: str, now: datetime | None = None) -> Feedback:
    """Not accepted for handling, with the reason; late if decided after the two working days."""
    reason = _text(reason, "reason", _("Vui lòng nêu lý do không tiếp nhận."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = _handle(feedback, "refuse", actor)
        fb.refusal_reason, fb.handled_at, fb.handled_by = reason, now, actor
        fb.is_late = bool(fb.refuse_due_at and now > fb.refuse_due_at)
        fb.save()
        _feedback_notice(fb, "feedback_refused", _context(fb, reason=reason))
    return fb


def request_feedback_info(feedback: Feedback, *, actor, question: str, now: datetime | None = None) -> Feedback:
    """Ask the submitter for more information; the answer is due 15 working days after their reply."""
    question = _text(question, "question", _("Vui lòng nêu thông tin cần bổ sung."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = _handle(feedback, "request-info", actor)
        fb.info_request, fb.info_requested_at, fb.handled_by = question, now, actor
        fb.is_late = bool(fb.info_due_at and now > fb.info_due_at)
        fb.save()
        _feedback_notice(fb, "feedback_info", _context(fb, question=question),
                         key=f"feedback_info_{int(now.timestamp())}")
    return fb


def reply_feedback_info(feedback: Feedback, *, text: str, now: datetime | None = None) -> Feedback:
    """The submitter's additional information: back to the agency's queue, the answer clock restarts.

    The caller has found the feedback by the submitter's account or token (`get_feedback_for_submitter`);
    the table is asked with the submitter's role."""
    text = _text(text, "reply", _("Vui lòng nhập thông tin bổ sung."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = Feedback.objects.select_for_update(of=("self",)).select_related("agency").get(pk=feedback.pk)
        _check("reply-info", fb, {tt.SUBMITTER})
        stamp = timezone.localtime(now).strftime("%H:%M %d/%m/%Y")
        fb.citizen_reply = f"{fb.citizen_reply}\n[{stamp}] {text}".strip()
        fb.replied_at = now
        fb.status = tt.FEEDBACK.next_state("reply-info", fb.status)
        fb.answer_due_at = _clock().add_working_hours(now, FEEDBACK_ANSWER_DAYS * 8, fb.agency)
        fb.is_late = False
        fb.late_notified_at = None
        fb.save()
    return fb


def answer_feedback(feedback: Feedback, *, actor, answer: str, publish: bool = False,
                    now: datetime | None = None) -> Feedback:
    """The agency's answer, sent to the submitter; published on the portal when chosen."""
    answer = _text(answer, "answer", _("Vui lòng nhập nội dung trả lời."), limit=20000)
    now = now or timezone.now()
    with transaction.atomic():
        fb = _handle(feedback, "answer", actor)
        fb.answer, fb.answered_at, fb.answered_by = answer, now, actor
        fb.handled_at, fb.handled_by = now, actor
        fb.is_late = bool(fb.answer_due_at and now > fb.answer_due_at)
        fb.published = bool(publish)
        fb.save()
        _feedback_notice(fb, "feedback_answered", _context(fb, answer=answer))
    return fb


def set_feedback_published(feedback: Feedback, *, actor, published: bool) -> Feedback:
    with transaction.atomic():
        fb = _handle(feedback, "publish" if published else "unpublish", actor)
        fb.published = bool(published)
        fb.save(update_fields=["published"])
    return fb


def rate_feedback_answer(feedback: Feedback, *, rating: str) -> Feedback:
    """The submitter's satisfaction with the answer (counts in the 766 index), once."""
    if rating not in Overall.values:
        msg = _("Vui lòng chọn mức độ hài lòng.")
        raise ValidationFailed(msg, fields={"rating": [msg]})
    with transaction.atomic():
        fb = Feedback.objects.select_for_update().get(pk=feedback.pk)
        _check("rate-answer", fb, {tt.SUBMITTER})
        if fb.answer_rating:
            raise ActionNotAllowed(_("Câu trả lời này đã được đánh giá."), code="already_rated")
        fb.answer_rating = rating
        fb.save(update_fields=["answer_rating"])
    return fb
