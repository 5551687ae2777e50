"""Online submission and the citizen's own dossiers: the catalogue, the e-form with drafts, the
dossier page, supplement answers, withdrawal, the printed forms, the result and the files."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossiers.models import Status
from dossiers.uploads import component_file_response, private_file_response, result_filename
from organisation.errors import DomainError, NotFound

from .. import forms as f
from .. import selectors, services
from .common import PAGE_SIZE, fail

EVENT_LABELS = {
    "submit": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "receive": gettext_lazy("Hồ sơ được tiếp nhận"),
    "refuse": gettext_lazy("Hồ sơ không được tiếp nhận / giải quyết"),
    "transfer": gettext_lazy("Chuyển xử lý"),
    "request-supplement": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "supplement": gettext_lazy("Đã nhận hồ sơ bổ sung"),
    "supplement-partial": gettext_lazy("Đã nhận một phần hồ sơ bổ sung"),
    "request-payment": gettext_lazy("Yêu cầu nộp phí, lệ phí"),
    "confirm-payment": gettext_lazy("Đã nộp phí, lệ phí"),
    "decide": gettext_lazy("Đã có kết quả"),
    "return": gettext_lazy("Đã trả kết quả"),
    "withdraw": gettext_lazy("Yêu cầu rút hồ sơ"),
    "stop": gettext_lazy("Dừng xử lý"),
    "apologize": gettext_lazy("Thư xin lỗi và hẹn lại ngày trả"),
}
FORM_LABELS = {
    "receipt": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "apology": gettext_lazy("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "stop": gettext_lazy("Thông báo dừng giải quyết hồ sơ"),
}


@require_GET
def online_catalogue(request):
    """Procedures that can be submitted online (the entry point of "Nộp hồ sơ trực tuyến")."""
    from procedures.text import fold

    qs = selectors.online_procedures().select_related("field").order_by("name")
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        for word in fold(q).split():
            qs = qs.filter(search_text__contains=word)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "citizens/online_catalogue.html", {"page": page, "q": q, "query": f"q={q}" if q else ""})


def _submission_form(request, procedure, draft, data=None, files=None):
    agencies = selectors.receiving_agencies(procedure)
    kept = {df.component_id: df for df in draft.files.all()} if draft is not None else {}
    if data is None:
        if draft is not None:
            initial = dict(draft.data)
            agency = agencies.filter(code=initial.get("agency")).first()
            initial["agency"] = agency.pk if agency else None
        else:
            profile = selectors.profile_for(request.user)
            initial = selectors.applicant_from_profile(profile)
            initial["return_address"] = profile.address
            if agencies.count() == 1:
                initial["agency"] = agencies.first().pk
        return f.SubmissionForm(initial=initial, procedure=procedure, agencies=agencies, kept_files=kept)
    return f.SubmissionForm(data, files, procedure=procedure, agencies=agencies, kept_files=kept)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, code):
    """The e-form of one procedure. `action=save` keeps a draft; `action=submit` sends it (status 1)."""
    try:
        procedure = selectors.get_online_procedure(code)
    except NotFound:
        raise Http404 from None
    draft = None
    draft_id = request.POST.get("draft") or request.GET.get("nhap")
    if draft_id:
        try:
            draft = selectors.get_draft(request.user, draft_id)
        except NotFound:
            raise Http404 from None
        if draft.procedure_id != procedure.pk:
            raise Http404
    if request.method == "GET":
        form = _submission_form(request, procedure, draft)
        return _render_submit(request, procedure, form, draft)
    form = _submission_form(request, procedure, draft, request.POST, request.FILES)
    if not form.is_valid():
        return _render_submit(request, procedure, form, draft, status=400)
    action = request.POST.get("action", "submit")
    try:
        if action == "save":
            draft = services.save_draft(citizen=request.user, procedure=procedure, data=form.draft_data(),
                                        files=form.uploads(), draft=draft)
            messages.success(request, _("Đã lưu hồ sơ nháp. Ông/bà có thể tiếp tục bất cứ lúc nào."))
            return redirect(f"{reverse('citizens:submit', args=[procedure.code])}?nhap={draft.pk}")
        d = form.cleaned_data
        dossier = services.submit_application(
            citizen=request.user, procedure=procedure, agency=d.get("agency"), applicant=form.applicant(),
            summary=d.get("summary", ""), return_method=d.get("return_method") or "online",
            return_address=d.get("return_address", ""), files=form.uploads(), draft=draft,
            idempotency_key=(request.POST.get("idempotency_key") or "")[:100],
        )
    except DomainError as exc:
        status = fail(form, exc)
        return _render_submit(request, procedure, form, draft, status=status)
    appointment = timezone.localtime(dossier.appointment_at).strftime("%H:%M %d/%m/%Y") if dossier.appointment_at else ""
    messages.success(request, _("Đã nộp hồ sơ trực tuyến %(ref)s. Hồ sơ đang chờ cơ quan tiếp nhận; thời gian hẹn trả "
                                "dự kiến: %(at)s.") % {"ref": dossier.reference, "at": appointment})
    return redirect("citizens:dossier", dossier.reference)


def _render_submit(request, procedure, form, draft, status=200):
    context = {
        "procedure": procedure, "form": form, "draft": draft, "idempotency_key": uuid.uuid4().hex,
        "full_online": procedure.online_mode == "full",
    }
    return render(request, "citizens/submit.html", context, status=status)


@login_required
@require_POST
def draft_delete(request, pk):
    try:
        draft = selectors.get_draft(request.user, pk)
    except NotFound:
        raise Http404 from None
    services.discard_draft(draft, citizen=request.user)
    messages.success(request, _("Đã xóa hồ sơ nháp."))
    return redirect("citizens:dossiers")


@login_required
@require_GET
def dossiers(request):
    from dossiers.selectors import dossier_is_late

    page = Paginator(selectors.my_dossier_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for dossier in page.object_list:
        dossier.late = dossier_is_late(dossier, now)
    return render(request, "citizens/dossiers.html", {
        "page": page, "drafts": list(selectors.drafts_of(request.user)),
    })


def own_dossier_or_404(request, ref, *, detail=False):
    try:
        return selectors.get_own_dossier(request.user, ref, detail=detail)
    except NotFound:
        raise Http404 from None


def render_dossier(request, dossier, *, supplement_form=None, rating_form=None, status=200):
    from dossiers.selectors import dossier_is_late

    events = list(dossier.public_events)
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.to_label = Status(event.to_status).label if event.to_status else ""
        # "Đã trả kết quả → Đã trả kết quả": the new status only when it says something the action does not.
        if event.to_status == event.from_status or str(event.to_label) == str(event.label):
            event.to_label = ""
    supplement = selectors.open_supplement(dossier)
    if supplement is not None and supplement_form is None:
        supplement_form = f.SupplementForm(items=supplement.missing_items)
    rated = selectors.has_rating(dossier)
    can_rate = dossier.status in services.RATABLE_STATUSES and not rated
    if can_rate and rating_form is None:
        rating_form = f.RatingForm()
    context = {
        "dossier": dossier,
        "late": dossier_is_late(dossier),
        "events": events,
        "steps": list(dossier.steps.all()),
        "components": list(dossier.components.all()),
        "documents": [(form, FORM_LABELS[form]) for form in selectors.citizen_documents(dossier)],
        "result_available": selectors.result_available(dossier),
        "supplement": supplement,
        "supplement_form": supplement_form,
        "rating": dossier.rating if rated else None,
        "rating_form": rating_form if can_rate else None,
        "can_withdraw": dossier.status in (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING,
                                           Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED),
    }
    return render(request, "citizens/dossier.html", context, status=status)


@login_required
@require_GET
def dossier(request, ref):
    return render_dossier(request, own_dossier_or_404(request, ref, detail=True))


@login_required
@require_POST
def supplement(request, ref):
    """Answer a supplement request by uploading the missing items; the dossier resumes."""
    current = own_dossier_or_404(request, ref, detail=True)
    open_round = selectors.open_supplement(current)
    items = open_round.missing_items if open_round else []
    form = f.SupplementForm(request.POST, request.FILES, items=items)
    form.is_valid()
    try:
        updated = services.answer_supplement(citizen=request.user, dossier=current, files=form.named_files())
    except DomainError as exc:
        status = fail(form, exc)
        if "files" in exc.fields:
            form.add_error(None, exc.fields["files"][0])
        return render_dossier(request, own_dossier_or_404(request, ref, detail=True), supplement_form=form, status=status)
    if updated.status == Status.SUPPLEMENT_REQUESTED:
        waiting = selectors.open_supplement(own_dossier_or_404(request, ref, detail=True))
        messages.warning(request, _("Đã nhận một phần hồ sơ bổ sung. Ông/bà cần bổ sung tiếp: %(items)s.")
                         % {"items": "; ".join(waiting.missing_items) if waiting else ""})
        return redirect("citizens:dossier", updated.reference)
    messages.success(request, _("Đã gửi hồ sơ bổ sung. Hồ sơ tiếp tục được giải quyết."))
    return redirect("citizens:dossier", updated.reference)


@login_required
@require_POST
def withdraw(request, ref):
    from dossiers.services import withdraw as withdraw_dossier

    current = own_dossier_or_404(request, ref)
    try:
        updated = withdraw_dossier(current, actor=request.user, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("citizens:dossier", current.reference)
    messages.success(request, _("Đã gửi yêu cầu rút hồ sơ."))
    return redirect("citizens:dossier", updated.reference)


@login_required
@require_GET
def document(request, ref, form):
    """A printed form addressed to the citizen, for their own dossier only."""
    from dossiers.documents import render_dossier_form

    if form not in selectors.CITIZEN_FORMS:
        raise Http404
    current = own_dossier_or_404(request, ref, detail=True)
    if form not in selectors.citizen_documents(current):
        raise Http404
    try:
        pdf = render_dossier_form(current, form)
    except NotFound:
        raise Http404 from None
    from signing.services import sign_issued_form

    pdf, signature = sign_issued_form(pdf)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{current.reference}-{form}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Signature-Status"] = "valid" if signature else "unsigned"
    return response


@login_required
@require_GET
def result(request, ref):
    """The electronic result, only to the dossier's owner and only once decided."""
    from signing.views import result_response

    current = own_dossier_or_404(request, ref)
    if current.status in (Status.DECIDED, Status.RETURNED):
        # The electronic result, signed and verified now, is what the citizen downloads.
        signed = result_response(request, current)
        if signed is not None:
            return signed
    if not selectors.result_available(current):
        raise Http404
    return private_file_response(current.result_file, result_filename(current, current.result_file))


@login_required
@require_GET
def component_file(request, ref, component_id):
    """A file the citizen sent (or the desk scanned) with their own dossier."""
    return component_file_response(own_dossier_or_404(request, ref), component_id)
