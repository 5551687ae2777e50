"""The citizens' portal pages (mounted at /cong-dan/): accounts, online submission with drafts, my
dossiers, the public look-up, ratings (online, by look-up, at the kiosk), feedback and desk appointments.

Views read through `citizens.selectors` and write through `citizens.services` (which call the dossier
services for anything that changes a dossier). A citizen's dossier pages start from the dossiers whose
`citizen` is the user: anyone else's dossier is a 404 on the page, the PDFs, the files, the supplement
upload and the rating alike.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossiers.models import Status
from dossiers.uploads import component_file_response, private_file_response, result_filename
from organisation.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from organisation.models import Desk
from organisation.net import client_ip
from organisation.selectors import scoped_agency_ids

from . import forms as f
from . import selectors, services
from .errors import TooManyAttempts
from .lookup import find_dossier
from .models import Booking, FeedbackStatus, Slot

PAGE_SIZE = 20

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


def _error_status(exc: DomainError) -> int:
    return exc.status_code if exc.status_code in (400, 409, 413, 415, 429) else 400


def _fail(form, exc: DomainError) -> int:
    """Show a service's refusal on the form; the HTTP status the page answers with."""
    f.add_service_errors(form, exc.fields, fallback=str(exc.detail))
    if exc.fields and not any(form.errors.get(k) for k in form.fields) and not form.non_field_errors():
        form.add_error(None, str(exc.detail))
    return _error_status(exc)


# --- portal home and accounts --------------------------------------------------------------------------


@require_GET
def portal(request):
    """The citizens' front door: what can be done online, and their own things when signed in."""
    context = {}
    if request.user.is_authenticated:
        context = {
            "dossiers": list(selectors.my_dossier_list(request.user)[:5]),
            "drafts": list(selectors.drafts_of(request.user)[:5]),
        }
    return render(request, "citizens/portal.html", context)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("citizens:portal")
    form = f.SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                user = services.sign_up(full_name=d["full_name"], identifier=d["identifier"], password=d["password1"])
            except ValidationFailed as exc:
                if "password" in exc.fields:
                    exc.fields["password1"] = exc.fields.pop("password")
                status = _fail(form, exc)
            except TooManyAttempts as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Đã gửi mã xác thực. Vui lòng nhập mã để kích hoạt tài khoản."))
                return redirect(f"{reverse('citizens:verify')}?identifier={user.get_username()}")
    return render(request, "citizens/signup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def verify(request):
    """Enter the code; or ask for a new one (button `resend`)."""
    initial = {"identifier": request.GET.get("identifier", "")}
    form = f.VerifyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if "resend" in request.POST:
            resend = f.ResendForm(request.POST)
            form = f.VerifyForm(initial={"identifier": request.POST.get("identifier", "")})
            if resend.is_valid():
                try:
                    services.resend_signup_code(resend.cleaned_data["identifier"])
                except DomainError as exc:
                    form.add_error(None, str(exc.detail))
                    status = _error_status(exc)
                else:
                    messages.info(request, _("Nếu tài khoản đang chờ xác thực, mã mới đã được gửi."))
            return render(request, "citizens/verify.html", {"form": form}, status=status)
        status = 400
        if form.is_valid():
            try:
                services.verify_account(identifier=form.cleaned_data["identifier"], code=form.cleaned_data["code"])
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Tài khoản đã được kích hoạt. Mời ông/bà đăng nhập."))
                return redirect(f"{reverse('login')}?next={reverse('citizens:profile')}")
    return render(request, "citizens/verify.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = f.ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_password_reset(form.cleaned_data["identifier"])
        except ValidationFailed as exc:
            return render(request, "citizens/password_reset.html", {"form": form}, status=_fail(form, exc))
        messages.info(request, _("Nếu tài khoản tồn tại, mã đặt lại mật khẩu đã được gửi."))
        identifier = form.cleaned_data["identifier"]
        return redirect(f"{reverse('citizens:password_reset_confirm')}?identifier={identifier}")
    return render(request, "citizens/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    form = f.ResetConfirmForm(request.POST or None, initial={"identifier": request.GET.get("identifier", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.reset_password(identifier=d["identifier"], code=d["code"], password=d["password1"])
            except DomainError as exc:
                if "password" in exc.fields:
                    exc.fields["password1"] = exc.fields.pop("password")
                status = _fail(form, exc)
            else:
                messages.success(request, _("Đã đặt lại mật khẩu. Mời ông/bà đăng nhập."))
                return redirect("login")
    return render(request, "citizens/password_reset_confirm.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    current = selectors.profile_for(request.user)
    initial = {name: getattr(current, name) for name in services.PROFILE_FIELDS}
    form = f.ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_profile(request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Đã lưu thông tin cá nhân. Thông tin này sẽ được điền sẵn vào các biểu mẫu."))
                return redirect("citizens:profile")
    return render(request, "citizens/profile.html", {"form": form, "profile": current}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change one's own password; the session stays, the API tokens of the old password are revoked
    (`organisation.tokens`)."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        update_session_auth_hash(request, form.save())
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("citizens:profile")
    return render(request, "citizens/password_change.html", {"form": form}, status=400 if form.errors else 200)


# --- online submission -------------------------------------------------------------------------------------


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
        status = _fail(form, exc)
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


# --- my dossiers -----------------------------------------------------------------------------------------


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


def _own(request, ref, *, detail=False):
    try:
        return selectors.get_own_dossier(request.user, ref, detail=detail)
    except NotFound:
        raise Http404 from None


def _render_dossier(request, dossier, *, supplement_form=None, rating_form=None, status=200):
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
    return _render_dossier(request, _own(request, ref, detail=True))


@login_required
@require_POST
def supplement(request, ref):
    """Answer a supplement request by uploading the missing items; the dossier resumes."""
    current = _own(request, ref, detail=True)
    open_round = selectors.open_supplement(current)
    items = open_round.missing_items if open_round else []
    form = f.SupplementForm(request.POST, request.FILES, items=items)
    form.is_valid()
    try:
        updated = services.answer_supplement(citizen=request.user, dossier=current, files=form.named_files())
    except DomainError as exc:
        status = _fail(form, exc)
        if "files" in exc.fields:
            form.add_error(None, exc.fields["files"][0])
        return _render_dossier(request, _own(request, ref, detail=True), supplement_form=form, status=status)
    if updated.status == Status.SUPPLEMENT_REQUESTED:
        waiting = selectors.open_supplement(_own(request, ref, detail=True))
        messages.warning(request, _("Đã nhận một phần hồ sơ bổ sung. Ông/bà cần bổ sung tiếp: %(items)s.")
                         % {"items": "; ".join(waiting.missing_items) if waiting else ""})
        return redirect("citizens:dossier", updated.reference)
    messages.success(request, _("Đã gửi hồ sơ bổ sung. Hồ sơ tiếp tục được giải quyết."))
    return redirect("citizens:dossier", updated.reference)


@login_required
@require_POST
def withdraw(request, ref):
    from dossiers.services import withdraw as withdraw_dossier

    current = _own(request, ref)
    try:
        updated = withdraw_dossier(current, actor=request.user, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("citizens:dossier", current.reference)
    messages.success(request, _("Đã gửi yêu cầu rút hồ sơ."))
    return redirect("citizens:dossier", updated.reference)


@login_required
@require_POST
def rate(request, ref):
    current = _own(request, ref, detail=True)
    form = f.RatingForm(request.POST)
    if not form.is_valid():
        return _render_dossier(request, current, rating_form=form, status=400)
    try:
        services.rate_own_dossier(citizen=request.user, dossier=current, **form.cleaned_data)
    except DomainError as exc:
        if exc.code == "already_rated":
            messages.error(request, str(exc.detail))
            return redirect("citizens:dossier", current.reference)
        status = _fail(form, exc)
        return _render_dossier(request, current, rating_form=form, status=status)
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá."))
    return redirect("citizens:dossier", current.reference)


@login_required
@require_GET
def document(request, ref, form):
    """A printed form addressed to the citizen, for their own dossier only."""
    from dossiers.documents import render_dossier_form

    if form not in selectors.CITIZEN_FORMS:
        raise Http404
    current = _own(request, ref, detail=True)
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

    current = _own(request, ref)
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
    return component_file_response(_own(request, ref), component_id)


# --- public look-up and ratings ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Look a dossier up by its code and the phone's last four digits. The secret travels in a POST body
    (never in a URL); `?code=` (the QR code on the receipt) prefills the code."""
    form = f.LookupForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    context = {"form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                found = find_dossier(form.cleaned_data["code"], form.cleaned_data["secret"], client_ip(request),
                                     queryset=selectors.lookup_queryset())
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = _error_status(exc) if isinstance(exc, TooManyAttempts) else 404
            else:
                status = 200
                context.update(result=selectors.lookup_payload(found), secret=form.cleaned_data["secret"])
                if context["result"]["can_rate"]:
                    context["rating_form"] = f.RatingForm()
    return render(request, "citizens/lookup.html", context, status=status)


@require_POST
def lookup_rate(request):
    """Rate a finished dossier with the look-up pair, no account needed."""
    lookup_form = f.LookupForm(request.POST)
    form = f.RatingForm(request.POST)
    if not lookup_form.is_valid():
        return redirect("citizens:lookup")
    code, secret = lookup_form.cleaned_data["code"], lookup_form.cleaned_data["secret"]
    context = {"form": lookup_form, "secret": secret}
    try:
        found = find_dossier(code, secret, client_ip(request), queryset=selectors.lookup_queryset())
    except DomainError as exc:
        lookup_form.add_error(None, str(exc.detail))
        return render(request, "citizens/lookup.html", context, status=_error_status(exc) if exc.status_code == 429
                      else 404)
    context["result"] = selectors.lookup_payload(found)
    if not form.is_valid():
        context["rating_form"] = form
        return render(request, "citizens/lookup.html", context, status=400)
    try:
        services.rate_dossier(found, source="lookup", **form.cleaned_data)
    except DomainError as exc:
        if exc.code == "already_rated":
            context["rating_message"] = str(exc.detail)
            context["result"] = selectors.lookup_payload(found)
            return render(request, "citizens/lookup.html", context, status=409)
        context["rating_form"] = form
        return render(request, "citizens/lookup.html", context, status=_fail(form, exc))
    context["result"] = selectors.lookup_payload(selectors.lookup_queryset().get(pk=found.pk))
    context["rating_message"] = _("Cảm ơn ông/bà đã đánh giá.")
    return render(request, "citizens/lookup.html", context)


@require_http_methods(["GET", "POST"])
def kiosk(request, agency_code):
    """The rating kiosk at the desk: large buttons, no login; it asks about the dossier the desk has just
    closed and waits (refreshing itself) when there is none."""
    try:
        agency = selectors.kiosk_agency(agency_code)
    except NotFound:
        raise Http404 from None
    status = 200
    context = {"agency": agency, "choices": f.RatingForm()}
    if request.method == "POST":
        form = f.RatingForm(request.POST)
        if form.is_valid():
            try:
                services.rate_at_kiosk(agency=agency, dossier_id=request.POST.get("dossier"), **form.cleaned_data)
            except DomainError as exc:
                context["message"] = str(exc.detail)
                status = _error_status(exc)
            else:
                return render(request, "citizens/kiosk_thanks.html", {"agency": agency})
        else:
            context["message"] = _("Vui lòng chọn mức độ hài lòng.")
            status = 400
    current = selectors.kiosk_dossier(agency)
    context["dossier"] = current
    if current is not None:
        context["masked_name"] = selectors.masked_name(current.applicant_name)
    return render(request, "citizens/kiosk.html", context, status=status)


# --- feedback ---------------------------------------------------------------------------------------------


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
                status = _fail(form, exc)
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
            status = _fail(target, exc)
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
                status = _fail(target, exc)
            else:
                messages.error(request, str(exc.detail))
                status = _error_status(exc)
    return render(request, "citizens/feedback_handle.html", {
        "feedback": feedback, "open": feedback.status in services.OPEN_FEEDBACK, "action": action,
        "answer_form": forms_by_name["answer"], "info_form": forms_by_name["request-info"],
        "refuse_form": forms_by_name["refuse"],
    }, status=status)


# --- desk appointments ----------------------------------------------------------------------------------


def _day(raw: str | None, default: date | None = None) -> date | None:
    try:
        return parse_date(raw or "") or default
    except ValueError:
        return default


@require_http_methods(["GET", "POST"])
def booking(request):
    """Choose an agency and a day, then a slot with free places; book it."""
    agencies = selectors.bookable_agencies()
    code = request.GET.get("co-quan") or request.POST.get("agency") or ""
    agency = agencies.filter(code=code).first() if code else None
    if agency is None and len(agencies) == 1:
        agency = agencies.first()
    today = timezone.localdate()
    day = _day(request.GET.get("ngay") or request.POST.get("day"), today)
    initial = {}
    if request.user.is_authenticated:
        p = selectors.profile_for(request.user)
        initial = {"name": p.full_name, "phone": p.phone, "email": p.email}
    form = f.BookingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            slot = Slot.objects.select_related("desk", "desk__agency").filter(pk=d["slot"]).first()
            from procedures.models import Procedure

            procedure = Procedure.objects.filter(code=(d.get("procedure") or "").strip()).first()
            try:
                if slot is None:
                    raise ValidationFailed(_("Không có khung giờ này."), fields={"slot": [_("Không có khung giờ này.")]})
                made = services.book_slot(slot, citizen=request.user, name=d.get("name", ""),
                                          phone=d.get("phone", ""), email=d.get("email", ""), procedure=procedure)
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                when = timezone.localtime(made.slot.start).strftime("%H:%M %d/%m/%Y")
                messages.success(request, _("Đã đặt lịch hẹn lúc %(when)s tại %(desk)s. Ông/bà sẽ nhận tin nhắc "
                                            "trước một ngày.") % {"when": when, "desk": made.slot.desk.name})
                if request.user.is_authenticated:
                    return redirect("citizens:my_bookings")
                return redirect(f"{reverse('citizens:booking')}?co-quan={made.slot.desk.agency.code}"
                                f"&ngay={timezone.localtime(made.slot.start).date():%Y-%m-%d}")
    slots = list(selectors.open_slots(agency=agency, day=day)) if agency is not None else []
    days = [today + timedelta(days=i) for i in range(0, 14)]
    return render(request, "citizens/booking.html", {
        "agencies": agencies, "agency": agency, "day": day, "days": days, "slots": slots, "form": form,
        "selected_slot": str(request.POST.get("slot", "")),
    }, status=status)


@login_required
@require_GET
def my_bookings(request):
    return render(request, "citizens/my_bookings.html", {"bookings": list(selectors.my_bookings(request.user)),
                                                         "now": timezone.now()})


@require_POST
def booking_cancel(request, pk):
    found = Booking.objects.select_related("slot", "slot__desk").filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        services.cancel_booking(found, actor=request.user, phone=request.POST.get("phone", ""))
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("Đã hủy lịch hẹn."))
    back = request.POST.get("next") or ""
    if back.startswith("/cong-dan/"):
        return redirect(back)
    return redirect("citizens:my_bookings" if request.user.is_authenticated else "citizens:booking")


@login_required
@require_http_methods(["GET", "POST"])
def desk_bookings(request):
    """The desk's day: the slots and who booked them, for desk officers of the agency."""
    agencies = selectors.desk_agencies(request.user)
    if not agencies.exists():
        raise Http404
    code = request.GET.get("co-quan") or request.POST.get("agency") or ""
    agency = agencies.filter(code=code).first() or agencies.first()
    day = _day(request.GET.get("ngay"), timezone.localdate())
    desks = Desk.objects.filter(agency=agency).order_by("name")
    form = f.SlotsForm(request.POST or None, desks=desks, initial={"day": day})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = services.create_slots(desk=d["desk"], day=d["day"], start=d["start"], end=d["end"],
                                             minutes=d["minutes"], capacity=d["capacity"])
            except DomainError as exc:
                status = _fail(form, exc)
            else:
                messages.success(request, _("Đã tạo %(n)d khung giờ.") % {"n": len(made)})
                return redirect(f"{reverse('citizens:desk_bookings')}?co-quan={agency.code}&ngay={d['day']:%Y-%m-%d}")
    return render(request, "citizens/desk_bookings.html", {
        "agencies": agencies, "agency": agency, "day": day, "form": form,
        "slots": list(selectors.day_slots(agency, day)), "bookings": list(selectors.day_bookings(agency, day)),
        "prev_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
    }, status=status)
