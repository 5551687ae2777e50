"""Feedback and complaints (phản ánh, kiến nghị): receipt, triage, questions, answers."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from notices.models import NoticeChannel
from notices.services import queue_notice
from organisation.errors import ActionNotAllowed, NotFound, ValidationFailed

from ..models import (
    Feedback,
    FeedbackStatus,
    Overall,
)
from ..rules import is_mobile, normalize_phone

# Working days from receipt within which each decision is due.
FEEDBACK_REFUSE_DAYS = 2
FEEDBACK_INFO_DAYS = 5
FEEDBACK_ANSWER_DAYS = 15
OPEN_FEEDBACK = (FeedbackStatus.RECEIVED, FeedbackStatus.NEEDS_INFO)


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


def _feedback_notice(feedback: Feedback, event: str, subject: str, body: str) -> None:
    """Tell the submitter by e-mail and SMS, and in the portal when they have an account."""
    subject, body = str(subject), str(body)
    base = f"feedback:{feedback.pk}:{event}"
    if feedback.email:
        queue_notice(event=event, channel=NoticeChannel.EMAIL, recipient=feedback.email, subject=subject, body=body,
                     dedupe_key=f"{base}:email", dossier=feedback.dossier, user=feedback.citizen)
    if feedback.phone:
        queue_notice(event=event, channel=NoticeChannel.SMS, recipient=feedback.phone, subject=subject, body=body,
                     dedupe_key=f"{base}:sms", dossier=feedback.dossier, user=feedback.citizen)
    if feedback.citizen_id:
        queue_notice(event=event, channel=NoticeChannel.IN_APP, recipient=feedback.citizen.get_username(),
                     subject=subject, body=body, dedupe_key=f"{base}:in_app", dossier=feedback.dossier,
                     user=feedback.citizen)


def submit_feedback(*, agency, subject: str, body: str, name: str, phone: str = "", email: str = "",
                    citizen=None, dossier: Dossier | None = None, is_complaint: bool = True,
                    now: datetime | None = None) -> Feedback:
    """Feedback from anyone; about a dossier only when it is the signed-in citizen's own (then the
    dossier's receiving agency handles it)."""
    now = now or timezone.now()
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
        feedback = Feedback.objects.create(
            citizen=citizen if citizen is not None and citizen.is_authenticated else None, dossier=dossier,
            agency=agency, name=name[:255], phone=phone, email=email, subject=subject, body=body,
            is_complaint=bool(is_complaint), received_at=now, access_token=secrets.token_urlsafe(24),
            **feedback_deadlines(now, agency),
        )
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(
                feedback, "feedback_received", _("Đã tiếp nhận phản ánh, kiến nghị số %(n)d") % {"n": feedback.pk},
                _("%(agency)s đã tiếp nhận phản ánh, kiến nghị “%(subject)s” của ông/bà (số %(n)d). Thời hạn trả "
                  "lời: %(due)s.") % {"agency": agency.name, "subject": subject, "n": feedback.pk,
                                      "due": timezone.localtime(feedback.answer_due_at).strftime("%d/%m/%Y")},
            )
            _tell_staff_of_feedback(feedback)
    return feedback


def _tell_staff_of_feedback(feedback: Feedback) -> None:
    """An in-app notice to the agency's desk officers and heads, who triage it."""
    from organisation.models import Role, StaffMembership

    subject = _("Phản ánh, kiến nghị mới số %(n)d") % {"n": feedback.pk}
    body = _("“%(s)s” – hạn trả lời %(due)s.") % {
        "s": feedback.subject, "due": timezone.localtime(feedback.answer_due_at).strftime("%d/%m/%Y")}
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


def _require_open(feedback: Feedback, allowed=OPEN_FEEDBACK) -> None:
    if feedback.status not in allowed:
        raise ActionNotAllowed(
            _("Không thể thực hiện khi phản ánh đang ở trạng thái “%(s)s”.") % {"s": feedback.get_status_display()},
            code="action_not_allowed",
        )


def _text(value, field: str, message: str, limit: int = 10000) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, code="required", fields={field: [message]})
    if len(text) > limit:
        msg = _("Nội dung dài tối đa %(n)d ký tự.") % {"n": limit}
        raise ValidationFailed(msg, fields={field: [msg]})
    return text


def refuse_feedback(feedback: Feedback, *, actor, reason: str, now: datetime | None = None) -> Feedback:
    """Not accepted for handling, with the reason; late if decided after the two working days."""
    reason = _text(reason, "reason", _("Vui lòng nêu lý do không tiếp nhận."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb, (FeedbackStatus.RECEIVED,))
        fb.status, fb.refusal_reason, fb.handled_at, fb.handled_by = FeedbackStatus.REFUSED, reason, now, actor
        fb.is_late = bool(fb.refuse_due_at and now > fb.refuse_due_at)
        fb.save()
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(fb, "feedback_refused", _("Phản ánh, kiến nghị số %(n)d không được tiếp nhận") % {"n": fb.pk},
                             _("Phản ánh “%(s)s” không được tiếp nhận xử lý. Lý do: %(r)s") % {"s": fb.subject, "r": reason})
    return fb


def request_feedback_info(feedback: Feedback, *, actor, question: str, now: datetime | None = None) -> Feedback:
    """Ask the submitter for more information; the answer is due 15 working days after their reply."""
    question = _text(question, "question", _("Vui lòng nêu thông tin cần bổ sung."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb, (FeedbackStatus.RECEIVED,))
        fb.status, fb.info_request, fb.info_requested_at, fb.handled_by = FeedbackStatus.NEEDS_INFO, question, now, actor
        fb.is_late = bool(fb.info_due_at and now > fb.info_due_at)
        fb.save()
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(fb, f"feedback_info_{int(now.timestamp())}",
                             _("Phản ánh, kiến nghị số %(n)d cần bổ sung thông tin") % {"n": fb.pk},
                             _("Để xử lý phản ánh “%(s)s”, đề nghị ông/bà bổ sung: %(q)s") % {"s": fb.subject, "q": question})
    return fb


def reply_feedback_info(feedback: Feedback, *, text: str, now: datetime | None = None) -> Feedback:
    """The submitter's additional information: back to the agency's queue, the answer clock restarts."""
    text = _text(text, "reply", _("Vui lòng nhập thông tin bổ sung."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = Feedback.objects.select_for_update(of=("self",)).select_related("agency").get(pk=feedback.pk)
        _require_open(fb, (FeedbackStatus.NEEDS_INFO,))
        stamp = timezone.localtime(now).strftime("%H:%M %d/%m/%Y")
        fb.citizen_reply = f"{fb.citizen_reply}\n[{stamp}] {text}".strip()
        fb.replied_at = now
        fb.status = FeedbackStatus.RECEIVED
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
        fb = _lock_feedback(feedback, actor)
        _require_open(fb)
        fb.status, fb.answer, fb.answered_at, fb.answered_by = FeedbackStatus.ANSWERED, answer, now, actor
        fb.handled_at, fb.handled_by = now, actor
        fb.is_late = bool(fb.answer_due_at and now > fb.answer_due_at)
        fb.published = bool(publish)
        fb.save()
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(fb, "feedback_answered", _("Trả lời phản ánh, kiến nghị số %(n)d") % {"n": fb.pk},
                             _("%(agency)s trả lời phản ánh “%(s)s”: %(a)s") % {"agency": fb.agency.name, "s": fb.subject,
                                                                                "a": answer})
    return fb


def set_feedback_published(feedback: Feedback, *, actor, published: bool) -> Feedback:
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb, (FeedbackStatus.ANSWERED,))
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
        _require_open(fb, (FeedbackStatus.ANSWERED,))
        if fb.answer_rating:
            raise ActionNotAllowed(_("Câu trả lời này đã được đánh giá."), code="already_rated")
        fb.answer_rating = rating
        fb.save(update_fields=["answer_rating"])
    return fb
