"""Feedback and complaints (phản ánh, kiến nghị): the public list, sending, the submitter's page, the
agency's inbox and handling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organisation.errors import DomainError, NotFound
from organisation.selectors import scoped_agency_ids

from .. import forms as f
from .. import selectors, services
from ..models import FeedbackStatus
from .common import PAGE_SIZE, error_status, fail


@require_GET
def feedback_list(request):
    """Published answers to feedback, for everyone."""
    page = Paginator(selectors.published_feedback(), PAGE_SIZE).get_page(request.GET.get("page"))
    mine = list(selectors.my_feedback(request.user)[:20]) if request.user.is_authenticated else []
    return render(request, "citizens/feedback_list.html", {"page": page, "mine": mine})


@require_http_methods(["GET", "POST"])
def feedback_new(request):
    user = request.user if request.user.is_authenticated else None
    own = list(selectors.my_dossier_list(user)[:50]) if user else []
    initial = {}
    if user is not None:
        p = selectors.profile_for(user)
        initial = {"name": p.full_name, "phone": p.phone, "email": p.email}
    ref = request.GET.get("ho-so", "")
    if ref:
        initial["dossier"] = ref
    form = f.FeedbackForm(request.POST or None, agencies=selectors.feedback_agencies(), dossiers=own, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            linked = None
            if d.get("dossier"):
                linked = next((x for x in own if x.reference == d["dossier"]), None)
            try:
                feedback = services.submit_feedback(
                    agency=d.get("agency"), dossier=linked, citizen=user, name=d.get("name", ""),
                    phone=d.get("phone", ""), email=d.get("email", ""), subject=d.get("subject", ""),
                    body=d.get("body", ""), is_complaint=d.get("is_complaint", False),
                )
            except DomainError as exc:
                status = fail(form, exc)
            else:
                messages.success(request, _("Đã gửi phản ánh, kiến nghị số %(n)d. Thời hạn trả lời: %(due)s.") % {
                    "n": feedback.pk, "due": timezone.localtime(feedback.answer_due_at).strftime("%d/%m/%Y")})
                url = reverse("citizens:feedback_detail", args=[feedback.pk])
                if user is None:
                    url += f"?token={feedback.access_token}"
                return redirect(url)
    return render(request, "citizens/feedback_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def feedback_detail(request, pk):
    """The submitter's view (by account or private link): status, the answer, a reply when more
    information is asked for, and the rating of the answer."""
    token = request.GET.get("token") or request.POST.get("token") or ""
    try:
        feedback = selectors.get_feedback_for_submitter(request.user, pk, token)
    except NotFound:
        raise Http404 from None
    reply_form = f.FeedbackReplyForm(request.POST if "reply" in request.POST else None)
    rate_form = f.FeedbackRateForm(request.POST if "rating" in request.POST else None)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "reply" in request.POST and reply_form.is_valid():
                services.reply_feedback_info(feedback, text=reply_form.cleaned_data["reply"])
                messages.success(request, _("Đã gửi thông tin bổ sung."))
                return redirect(request.get_full_path())
            if "rating" in request.POST and rate_form.is_valid():
                services.rate_feedback_answer(feedback, rating=rate_form.cleaned_data["rating"])
                messages.success(request, _("Cảm ơn ông/bà đã đánh giá câu trả lời."))
                return redirect(request.get_full_path())
        except DomainError as exc:
            target = reply_form if "reply" in request.POST else rate_form
            status = fail(target, exc)
    context = {"feedback": feedback, "token": token, "reply_form": reply_form, "rate_form": rate_form}
    return render(request, "citizens/feedback_detail.html", context, status=status)


def _staff(request):
    if not (request.user.is_superuser or scoped_agency_ids(request.user)):
        raise Http404


@login_required
@require_GET
def feedback_inbox(request):
    """Staff: the feedback of their agencies, open first, by answer due time."""
    _staff(request)
    from django.db.models import Case, IntegerField, Value, When

    qs = selectors.staff_feedback(request.user).annotate(
        open_rank=Case(When(status__in=services.OPEN_FEEDBACK, then=Value(0)), default=Value(1),
                       output_field=IntegerField())
    ).order_by("open_rank", "answer_due_at", "-id")
    status_filter = request.GET.get("trang-thai", "")
    if status_filter in FeedbackStatus.values:
        qs = qs.filter(status=status_filter)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "citizens/feedback_inbox.html", {
        "page": page, "statuses": FeedbackStatus.choices, "status_filter": status_filter, "now": timezone.now(),
        "query": f"trang-thai={status_filter}" if status_filter else "",
    })


FEEDBACK_FORMS = {"refuse": f.FeedbackRefuseForm, "request-info": f.FeedbackInfoForm, "answer": f.FeedbackAnswerForm}


@login_required
@require_http_methods(["GET", "POST"])
def feedback_handle(request, pk):
    _staff(request)
    try:
        feedback = selectors.get_staff_feedback(request.user, pk)
    except NotFound:
        raise Http404 from None
    action = request.POST.get("action", "")
    forms_by_name = {name: cls(request.POST if action == name else None) for name, cls in FEEDBACK_FORMS.items()}
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if action in ("publish", "unpublish"):
                services.set_feedback_published(feedback, actor=request.user, published=action == "publish")
                messages.success(request, _("Đã cập nhật việc công khai."))
                return redirect("citizens:feedback_handle", feedback.pk)
            form = forms_by_name.get(action)
            if form is None:
                raise Http404
            if form.is_valid():
                d = form.cleaned_data
                if action == "refuse":
                    services.refuse_feedback(feedback, actor=request.user, reason=d["reason"])
                elif action == "request-info":
                    services.request_feedback_info(feedback, actor=request.user, question=d["question"])
                else:
                    services.answer_feedback(feedback, actor=request.user, answer=d["answer"], publish=d["publish"])
                messages.success(request, _("Đã lưu xử lý phản ánh."))
                return redirect("citizens:feedback_handle", feedback.pk)
        except DomainError as exc:
            target = forms_by_name.get(action)
            if target is not None:
                status = fail(target, exc)
            else:
                messages.error(request, str(exc.detail))
                status = error_status(exc)
    return render(request, "citizens/feedback_handle.html", {
        "feedback": feedback, "open": feedback.status in services.OPEN_FEEDBACK, "action": action,
        "answer_form": forms_by_name["answer"], "info_form": forms_by_name["request-info"],
        "refuse_form": forms_by_name["refuse"],
    }, status=status)
