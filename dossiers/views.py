"""The officers' screens: intake at the desk, the worklists, the dossier page with its actions, the
printed forms, the scans and the register.

Views only read through selectors and write through services; every page starts from the dossiers the
user may see, so another agency's dossier is a 404 on the page, on every action, PDF and scan.
"""

from __future__ import annotations

import inspect
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from notices.models import Notice
from organisation.errors import ConcurrentChange, DomainError, NotFound, ValidationFailed
from organisation.models import Agency, Role, StaffMembership
from organisation.names import display_name
from organisation.selectors import scoped_agency_ids
from procedures.models import Procedure
from signing.services import sign_issued_form
from signing.views import result_response
from worktime.explain import entry_label, weekday_name
from worktime.services import compute_appointment_for

from . import forms as f
from . import lateness, lists, services, worklists
from .documents import render_dossier_form
from .models import Dossier, Status, Step
from .register import register_prefetch, render_register
from .selectors import (
    actions_available,
    apology_owed,
    check_printable,
    get_visible_detail,
    get_visible_dossier,
    transfer_destinations,
)
from .services import apologize, clean_applicant, staff_pairs
from .services import current_step as open_step
from .uploads import component_file_response, private_file_response, result_filename

PAGE_SIZE = 25
PDF_FORMS = ("receipt", "supplement", "refusal", "apology", "stop", "control-sheet")
FORM_LABELS = {
    "receipt": gettext_lazy("Giấy tiếp nhận và hẹn trả kết quả (mẫu 01)"),
    "supplement": gettext_lazy("Phiếu yêu cầu bổ sung hồ sơ (mẫu 02)"),
    "refusal": gettext_lazy("Phiếu từ chối tiếp nhận (mẫu 03)"),
    "apology": gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả (mẫu 04)"),
    "stop": gettext_lazy("Thông báo dừng xử lý (mẫu 05)"),
    "control-sheet": gettext_lazy("Phiếu kiểm soát quá trình giải quyết (mẫu 06)"),
}
EVENT_LABELS = {
    "forward": gettext_lazy("Tiếp nhận phi địa giới, chuyển cơ quan có thẩm quyền"),
    "submit": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "submitted": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "receive": gettext_lazy("Tiếp nhận hồ sơ"),
    "received": gettext_lazy("Tiếp nhận hồ sơ"),
    "refuse": gettext_lazy("Từ chối tiếp nhận / giải quyết"),
    "refused": gettext_lazy("Từ chối tiếp nhận / giải quyết"),
    "transfer": gettext_lazy("Chuyển xử lý"),
    "transferred": gettext_lazy("Chuyển xử lý"),
    "assign": gettext_lazy("Giao xử lý"),
    "assigned": gettext_lazy("Giao xử lý"),
    "request-supplement": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "supplement_requested": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "supplement": gettext_lazy("Nhận hồ sơ bổ sung"),
    "supplement_received": gettext_lazy("Nhận hồ sơ bổ sung"),
    "supplement-partial": gettext_lazy("Nhận một phần hồ sơ bổ sung"),
    "draft-result": gettext_lazy("Trình dự thảo kết quả"),
    "request-payment": gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "payment_requested": gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "confirm-payment": gettext_lazy("Xác nhận đã nộp phí, lệ phí"),
    "payment_confirmed": gettext_lazy("Xác nhận đã nộp phí, lệ phí"),
    "decide": gettext_lazy("Phê duyệt kết quả"),
    "decided": gettext_lazy("Phê duyệt kết quả"),
    "return": gettext_lazy("Trả kết quả"),
    "returned": gettext_lazy("Trả kết quả"),
    "withdraw": gettext_lazy("Yêu cầu rút hồ sơ"),
    "withdrawn": gettext_lazy("Yêu cầu rút hồ sơ"),
    "stop": gettext_lazy("Dừng xử lý"),
    "stopped": gettext_lazy("Dừng xử lý"),
    "apologize": gettext_lazy("Xin lỗi và hẹn lại ngày trả"),
    "apology": gettext_lazy("Xin lỗi và hẹn lại ngày trả"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "late": gettext_lazy("Quá hạn"),
}
NOTICE_EVENT_LABELS = {
    "forwarded": gettext_lazy("Đã tiếp nhận, chuyển cơ quan có thẩm quyền"),
    "forwarded_in": gettext_lazy("Hồ sơ phi địa giới chờ tiếp nhận"),
    "received": gettext_lazy("Đã tiếp nhận"),
    "submitted": gettext_lazy("Đã nộp trực tuyến"),
    "refused": gettext_lazy("Từ chối"),
    "supplement_requested": gettext_lazy("Yêu cầu bổ sung"),
    "supplement_incomplete": gettext_lazy("Còn thiếu giấy tờ bổ sung"),
    "payment_requested": gettext_lazy("Yêu cầu nộp phí"),
    "apology": gettext_lazy("Thư xin lỗi"),
    "result_ready": gettext_lazy("Đã có kết quả"),
    "stopped": gettext_lazy("Dừng xử lý"),
    "withdrawn": gettext_lazy("Rút hồ sơ"),
    "returned": gettext_lazy("Đã trả kết quả"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "late": gettext_lazy("Quá hạn"),
    "step_due_soon": gettext_lazy("Bước sắp đến hạn"),
    "step_late": gettext_lazy("Bước quá hạn"),
    "assigned": gettext_lazy("Được giao xử lý"),
    "submitted_online": gettext_lazy("Hồ sơ trực tuyến mới"),
}


# --- access --------------------------------------------------------------------------------------


def staff_required(view):
    """Signed in and holding a staff role (a citizen has their own pages under /cong-dan/)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or staff_pairs(user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def dossier_ref(dossier) -> str:
    """The URL key of a dossier: its code, or `TT-<id>` for an online submission not received yet."""
    return dossier.reference


def _lookup(user, ref: str, queryset: QuerySet[Dossier] | None = None) -> Dossier:
    """A dossier the user may see, or 404: the same answer whether it exists elsewhere or not at all."""
    try:
        dossier = get_visible_dossier(user, ref, queryset=queryset)
    except NotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    dossier.ref = dossier_ref(dossier)
    return dossier


def get_dossier(request, ref: str) -> Dossier:
    return _lookup(request.user, ref)


def get_dossier_detail(request, ref: str) -> Dossier:
    """The dossier with everything its page shows, loaded as the API's detail loads it
    (`selectors.get_visible_detail`), and the notices and the procedure's steps the page adds."""
    try:
        dossier = get_visible_detail(request.user, ref)
    except NotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    prefetch_related_objects([dossier], Prefetch("notices", queryset=Notice.objects.order_by("created_at", "id")),
                             "procedure__steps")
    dossier.ref = dossier_ref(dossier)
    return dossier


# --- worklists -----------------------------------------------------------------------------------


@staff_required
@require_GET
def worklist(request):
    """The user's worklists: one tab per kind of work their roles do, most urgent first."""
    scope = worklists.scope_for(request.user)
    tabs = worklists.tabs_for(scope)
    if not tabs:
        raise PermissionDenied
    key = request.GET.get("tab") or tabs[0].key
    if key not in {t.key for t in tabs}:
        key = tabs[0].key
    filters = worklists.Filters.from_query(request.GET)
    rows = worklists.worklist(request.user, key, filters, scope=scope)
    status = 200
    try:
        with lists.time_limited():
            counts = worklists.tab_counts(request.user, tabs, scope=scope, shown=rows)  # with the list's total
            page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
            for dossier in page.object_list:
                dossier.ref = dossier_ref(dossier)
            lateness.attach_risks(page.object_list)  # the lateness forecast: one query for the page
            total = rows.total()
            procedures = list(worklists.procedures_in(request.user)) if key == "tat-ca" else []
    except lists.ListTimedOut as exc:  # the belt under the indexes: a message, not an error page
        messages.error(request, str(exc.detail))
        page, counts, total, procedures, status = Paginator([], PAGE_SIZE).get_page(1), {}, lists.Count(0, False), [], 503
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "tabs": [(t, counts.get(t.key, 0)) for t in tabs],
        "active": key,
        "page": page,
        "total": total,
        "filters": filters,
        "statuses": Status.choices,
        "procedures": procedures,
        "query": query.urlencode(),
        "can_intake": Role.DESK_OFFICER in scope.roles,
    }
    return render(request, "dossiers/worklist.html", context, status=status)


# --- intake --------------------------------------------------------------------------------------


def _desk_agencies(user) -> QuerySet[Agency]:
    if user.is_superuser:
        return Agency.objects.filter(is_active=True).order_by("code")
    return Agency.objects.filter(memberships__user=user, memberships__role=Role.DESK_OFFICER, is_active=True).distinct()


def _intake_agency(request) -> tuple[QuerySet[Agency], Agency]:
    agencies = _desk_agencies(request.user)
    chosen = None
    wanted = request.GET.get("agency") or request.POST.get("agency")
    if wanted and str(wanted).isdigit():
        chosen = agencies.filter(pk=int(wanted)).first()
    chosen = chosen or agencies.first()
    if chosen is None:
        raise PermissionDenied
    return agencies, chosen


@staff_required
@require_GET
def intake_start(request):
    """Step one of intake: choose the procedure (folded search over the agency's published catalogue)."""
    agencies, agency = _intake_agency(request)
    q = request.GET.get("q", "").strip()[:200]
    procedures = worklists.intake_procedures(agency, q)[:100]
    context = {"agencies": agencies, "agency": agency, "q": q, "procedures": procedures}
    return render(request, "dossiers/intake_start.html", context)


def _intake_procedure(agency, code: str) -> Procedure:
    procedure = worklists.intake_procedures(agency).filter(code=code).prefetch_related("components", "steps").first()
    if procedure is None:
        raise Http404(_("Thủ tục không có trong danh mục tiếp nhận của cơ quan."))
    return procedure


@staff_required
def intake(request, code):
    """Step two: the intake form of one procedure; on success the dossier page with its receipt."""
    agencies, agency = _intake_agency(request)
    procedure = _intake_procedure(agency, code)
    competent = _competent_agencies(procedure, agency)
    eform = _intake_eform(request, procedure)
    population_notice, lookup_errors = "", {}
    if request.method == "POST" and request.POST.get("action") == "population":
        form, eform, population_notice, lookup_errors, status = _desk_population(request, procedure, agencies, agency, competent,
                                                                   eform)
    elif request.method == "POST" and eform is not None and eform.rows_changed:
        # A row added to or removed from the tờ khai: the page again with what was typed, nothing recorded.
        form = f.IntakeForm(procedure=procedure, agencies=agencies, default_agency=agency, competent=competent,
                            initial=request.POST.dict())
        status = 200
    elif request.method == "POST":
        form = f.IntakeForm(request.POST, request.FILES, procedure=procedure, agencies=agencies, default_agency=agency,
                            competent=competent)
        valid = form.is_valid()
        # The applicant's data is checked by the service's rules now too, so every problem shows at once.
        valid = _check_applicant(form) and valid
        valid = _check_eform(procedure, eform) and valid
        if valid:
            dossier = _submit_intake(request, form, procedure, eform)
            if dossier is not None:
                return redirect(reverse("dossiers:detail", args=[dossier_ref(dossier)]) + "?vua-tiep-nhan=1")
        status = 400
    else:
        form = f.IntakeForm(procedure=procedure, agencies=agencies, default_agency=agency, initial={"agency": agency.pk},
                            competent=competent)
        status = 200
    context = {
        "procedure": procedure,
        "agency": agency,
        "form": form,
        "eform": eform.bound() if eform is not None else None,
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "suggested_items": form.suggested_missing_items() if form.is_bound else "",
        "population_notice": population_notice,
        "lookup_errors": lookup_errors,
    }
    return render(request, "dossiers/intake.html", context, status=status)


def _desk_population(request, procedure, agencies, agency, competent, eform):
    """The counter's look-up in the national population database, with the applicant's consent ticked by the
    officer: found, the applicant and the tờ khai are filled from it and the components the database holds
    are marked as taken from it; not found or the service down, the officer types as usual and is told why.
    Nothing is recorded but the look-up itself (population.services: every use is on record)."""
    from population.models import LookupOutcome
    from population.records import applicant_fields, looked_up_record
    from population.services import consult_population
    from procedures.models import DataHolder

    initial = request.POST.dict()
    try:
        lookup = consult_population(
            citizen=request.user, id_number=request.POST.get("id_number", ""),
            consent=bool(request.POST.get("population_consent")),
            purpose=_("Tiếp nhận hồ sơ thủ tục %(code)s tại %(agency)s") % {"code": procedure.code,
                                                                              "agency": agency.name})
    except ValidationFailed as exc:
        form = f.IntakeForm(procedure=procedure, agencies=agencies, default_agency=agency, competent=competent,
                            initial=initial)
        errors = {("population_consent" if k == "consent" else k): v for k, v in exc.fields.items()}
        return form, eform, "", errors, 400
    notice = {
        LookupOutcome.FOUND: _("Đã lấy thông tin từ Cơ sở dữ liệu quốc gia về dân cư; kiểm tra lại với người nộp."),
        LookupOutcome.NOT_FOUND: _("Không tìm thấy số định danh trong Cơ sở dữ liệu quốc gia về dân cư: vui lòng "
                                   "nhập thông tin theo giấy tờ của người nộp."),
        LookupOutcome.UNAVAILABLE: _("Hiện không kết nối được Cơ sở dữ liệu quốc gia về dân cư: vui lòng nhập "
                                     "thông tin theo giấy tờ của người nộp."),
    }[lookup.outcome]
    if lookup.outcome == LookupOutcome.FOUND:
        record = looked_up_record(lookup)
        initial.update({k: v for k, v in applicant_fields(record).items() if v}, id_type="cccd",
                       population_lookup=str(lookup.pk))
        for component in procedure.components.all():
            if component.held_in == DataHolder.POPULATION:
                initial[f"comp_{component.pk}"] = True
                initial[f"comp_{component.pk}_source"] = DataHolder.POPULATION
        if eform is not None and eform.is_blank:
            eform = _intake_eform(request, procedure, record=record)
    form = f.IntakeForm(procedure=procedure, agencies=agencies, default_agency=agency, competent=competent,
                        initial=initial)
    return form, eform, notice, {}, 200


def _competent_agencies(procedure: Procedure, agency: Agency) -> list[Agency]:
    """Where a boundary-free dossier taken at `agency` goes (phi địa giới); [] when `agency` performs it."""
    from .services import competent_agencies, performs

    return [] if performs(procedure, agency) else competent_agencies(procedure, agency)


def _intake_eform(request, procedure, record=None):
    """The procedure's tờ khai at the desk: optional (the applicant may have brought it on paper); what is
    typed is checked like an online submission's. `record`: a person record to prefill it from instead."""
    from procedures import formdefs
    from procedures.formtext import PageForm
    from procedures.selectors import form_for

    version = form_for(procedure)
    if version is None:
        return None
    if record is not None:
        return PageForm(version, initial=formdefs.prefill(version.parsed(), record))
    return PageForm(version, post=request.POST if request.method == "POST" else None)


def _check_eform(procedure, eform) -> bool:
    from procedures.services import check_form

    if eform is None or eform.is_blank:
        return True
    try:
        check_form(procedure, eform.values)
    except ValidationFailed as exc:
        eform.take_errors(exc.fields)
        return False
    return True


def _check_applicant(form: f.IntakeForm) -> bool:
    try:
        clean_applicant(form.applicant())
    except ValidationFailed as exc:
        fresh = {key: msgs for key, msgs in exc.fields.items()
                 if f.INTAKE_FIELD_MAP.get(key, key) not in form.errors}
        f.add_service_errors(form, fresh, f.INTAKE_FIELD_MAP)
        return False
    return True


def _submit_intake(request, form: f.IntakeForm, procedure: Procedure, eform=None) -> Dossier | None:
    """Record the dossier through the intake service with the officer's decision (received, supplement
    requested or refused); its errors go back next to the inputs."""
    components, index_to_field = form.received_components()
    data = form.cleaned_data
    decision = form.decision
    from population.services import receive_at_desk, usable_lookup

    try:
        dossier = receive_at_desk(
            lookup=usable_lookup(request.user, data.get("population_lookup")),
            actor=request.user, procedure=procedure, agency=data["agency"], channel=data["channel"],
            applicant=form.applicant(), summary=data.get("summary", ""), components=components,
            received_at=data.get("received_at"), return_method=data["return_method"],
            return_address=data.get("return_address", ""),
            idempotency_key=(request.POST.get("idempotency_key") or "")[:100],
            outcome=decision,
            items=data.get("missing_items", "") if decision == "supplement" else "",
            reason=data.get("refusal_reason", "") if decision == "refuse" else "",
            competent_agency=data.get("competent_agency"),
            form=eform.values if eform is not None and not eform.is_blank else None,
        )
    except ValidationFailed as exc:
        fields = eform.take_errors(exc.fields) if eform is not None else exc.fields
        f.add_service_errors(form, fields, f.INTAKE_FIELD_MAP, index_to_field)
        if not fields:
            form.add_error(None, str(exc.detail))
        return None
    except DomainError as exc:  # 403, 409, 413, 415: a message on top, what was typed stays
        fields = getattr(exc, "fields", None)
        if fields:
            f.add_service_errors(form, fields, f.INTAKE_FIELD_MAP, index_to_field)
        else:
            form.add_error(None, str(exc.detail))
        return None
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        messages.success(request, _("Đã ghi nhận hồ sơ %(code)s và yêu cầu bổ sung.") % {"code": dossier.code})
    elif dossier.status == Status.REFUSED:
        messages.success(request, _("Đã ghi nhận hồ sơ %(code)s: từ chối tiếp nhận.") % {"code": dossier.code})
    else:
        messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
    return dossier


def _call(fn, **kwargs):
    """Pass only the keyword arguments the service accepts (its signature is the contract)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**kwargs)
    return fn(**{k: v for k, v in kwargs.items() if k in params})


def explanation_rows(appointment) -> list[str]:
    """The appointment's explanation in the request's language (worktime's wording): days skipped and why,
    and how the start was shifted."""
    return [entry_label(entry) for entry in appointment.explanation]


@staff_required
@require_GET
def appointment_preview(request, code):
    """The appointment a dossier received now (or at the backdated time) would get: an htmx fragment."""
    agencies, agency = _intake_agency(request)
    procedure = _intake_procedure(agency, code)
    raw = request.GET.get("received_at", "")
    received_at = parse_datetime(raw) if raw else None
    if received_at is not None and timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    received_at = received_at or timezone.now()
    context = {"procedure": procedure, "received_at": received_at}
    try:
        appointment = compute_appointment_for(received_at, procedure.effective_amount, procedure.time_limit_unit, agency)
    except DomainError as exc:
        context["error"] = exc.detail
    else:
        context["appointment_at"] = appointment.appointment_at
        context["weekday"] = weekday_name(timezone.localtime(appointment.appointment_at).date())
        context["explanation"] = explanation_rows(appointment)
    return render(request, "dossiers/_appointment.html", context)


# --- the dossier page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionScreen:
    label: str
    form_class: type
    success: str
    style: str = ""


ACTION_SCREENS: dict[str, ActionScreen] = {
    "receive": ActionScreen(gettext_lazy("Tiếp nhận hồ sơ"), f.NoFieldsForm, gettext_lazy("Đã tiếp nhận hồ sơ.")),
    "transfer": ActionScreen(gettext_lazy("Chuyển xử lý"), f.TransferForm, gettext_lazy("Đã chuyển hồ sơ.")),
    "assign": ActionScreen(gettext_lazy("Giao xử lý"), f.AssignForm, gettext_lazy("Đã giao xử lý.")),
    "request-supplement": ActionScreen(gettext_lazy("Yêu cầu bổ sung"), f.SupplementRequestForm,
                                       gettext_lazy("Đã gửi yêu cầu bổ sung hồ sơ.")),
    "supplement": ActionScreen(gettext_lazy("Nhận hồ sơ bổ sung"), f.SupplementReceivedForm,
                               gettext_lazy("Đã nhận hồ sơ bổ sung; hồ sơ tiếp tục được xử lý.")),
    "request-payment": ActionScreen(gettext_lazy("Yêu cầu nộp phí, lệ phí"), f.PaymentRequestForm,
                                    gettext_lazy("Đã gửi yêu cầu nộp phí, lệ phí.")),
    "confirm-payment": ActionScreen(gettext_lazy("Xác nhận đã nộp phí"), f.PaymentConfirmForm,
                                    gettext_lazy("Đã xác nhận nộp phí, lệ phí.")),
    "draft-result": ActionScreen(gettext_lazy("Trình dự thảo kết quả"), f.DraftResultForm,
                                 gettext_lazy("Đã trình dự thảo kết quả để lãnh đạo phê duyệt."), "secondary"),
    "decide": ActionScreen(gettext_lazy("Phê duyệt kết quả"), f.DecideForm, gettext_lazy("Đã phê duyệt kết quả.")),
    "return": ActionScreen(gettext_lazy("Trả kết quả"), f.NoFieldsForm, gettext_lazy("Đã trả kết quả cho người nộp.")),
    "apologize": ActionScreen(gettext_lazy("Xin lỗi, hẹn lại ngày trả"), f.ApologyForm,
                              gettext_lazy("Đã lập phiếu xin lỗi và hẹn lại ngày trả."), "secondary"),
    "refuse": ActionScreen(gettext_lazy("Từ chối"), f.ReasonForm, gettext_lazy("Đã từ chối hồ sơ."), "danger"),
    "withdraw": ActionScreen(gettext_lazy("Ghi nhận rút hồ sơ"), f.OptionalReasonForm,
                             gettext_lazy("Đã ghi nhận yêu cầu rút hồ sơ."), "danger"),
    "stop": ActionScreen(gettext_lazy("Dừng xử lý"), f.ReasonForm, gettext_lazy("Đã dừng xử lý hồ sơ."), "danger"),
}


def current_step(dossier) -> Step | None:
    """The open step (started, not finished) from the prefetched steps."""
    return open_step(list(dossier.steps.all()))


def _staff_at(agency_ids, roles) -> QuerySet:
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, memberships__agency_id__in=list(agency_ids), memberships__role__in=list(roles))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _assignee_choices(agency_ids) -> list[tuple[str, str]]:
    """Officers and heads of these agencies as (user id, "name – agency"), in one query."""
    rows = (
        StaffMembership.objects.filter(agency_id__in=list(agency_ids), role__in=[Role.PROCESSING_OFFICER, Role.HEAD],
                                       user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__level", "agency__code", "user__last_name", "user__first_name", "user__username")
    )
    seen, choices = set(), []
    for m in rows:
        if (m.user_id, m.agency_id) in seen:
            continue
        seen.add((m.user_id, m.agency_id))
        name = display_name(m.user)
        choices.append((f"{m.user_id}", f"{name} – {m.agency.name}"))
    return choices


def build_action_form(name: str, dossier, data=None, files=None):
    screen = ACTION_SCREENS[name]
    kwargs = {"dossier": dossier}
    step = current_step(dossier)
    step_agency = step.agency_id if step else (dossier.current_agency_id or dossier.agency_id)
    if screen.form_class is f.AssignForm:
        roles = [step.role] if step and step.role != Role.HEAD else [Role.PROCESSING_OFFICER]
        kwargs["assignees"] = _staff_at([step_agency], roles + [Role.PROCESSING_OFFICER])
    elif screen.form_class is f.TransferForm:
        agencies = transfer_destinations(dossier)
        kwargs["agencies"] = agencies
        next_step = next((s for s in dossier.steps.all() if s.started_at is None and (not step or s.order > step.order)),
                         None)
        ids = {a.pk for a in agencies} | {next_step.agency_id if next_step else step_agency}
        kwargs["assignees"] = _assignee_choices(ids)
    # Several action forms share the page: each gets its own element ids.
    kwargs["auto_id"] = f"{name}-%s"
    form = screen.form_class(data, files, **kwargs) if data is not None else screen.form_class(**kwargs)
    if name == "request-payment" and data is None and dossier.procedure.fee_amount:
        form.fields["amount"].initial = dossier.procedure.fee_amount
    return form


def available_actions(dossier, user) -> list[str]:
    """The actions the transition table allows this user now; the apology only once it is owed."""
    names = [name for name in actions_available(dossier, user) if name in ACTION_SCREENS]
    if "apologize" in names and (_apology(dossier) is not None or not apology_owed(dossier)):
        names.remove("apologize")
    return names


def documents_for(dossier) -> list[tuple[str, str]]:
    """The printed forms that apply to the dossier as it stands."""
    steps = list(dossier.steps.all())
    # A boundary-free dossier (phi địa giới) has its receipt from the desk that took it at once.
    received = (dossier.received_at is not None or dossier.intake_agency_id is not None) and dossier.code
    out = []
    if received and not (dossier.status == Status.REFUSED and not steps):
        out.append("receipt")
    if list(dossier.supplements.all()):
        out.append("supplement")
    if dossier.status == Status.REFUSED:
        out.append("refusal")
    if _apology(dossier) is not None:
        out.append("apology")
    if dossier.status == Status.STOPPED:
        out.append("stop")
    if steps:
        out.append("control-sheet")
    return [(form, FORM_LABELS[form]) for form in out]


def _apology(dossier):
    try:
        return dossier.apology
    except Dossier.apology.RelatedObjectDoesNotExist:
        return None


def _render_detail(request, dossier, *, bound: tuple[str, object] | None = None, status: int = 200):
    order = list(ACTION_SCREENS)
    # The everyday actions first, the ones that end or refuse the dossier last.
    names = sorted(available_actions(dossier, request.user), key=order.index)
    forms_by_name = {name: build_action_form(name, dossier) for name in names}
    if bound is not None:
        forms_by_name[bound[0]] = bound[1]
        if bound[0] not in names:
            names.append(bound[0])
    actions = [(name, ACTION_SCREENS[name], forms_by_name[name]) for name in names]
    events = list(dossier.events.all())
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.from_label = Status(event.from_status).label if event.from_status else ""
        event.to_label = Status(event.to_status).label if event.to_status else ""
    notices = list(dossier.notices.all())
    for notice in notices:
        notice.label = NOTICE_EVENT_LABELS.get(notice.event, notice.event)
    dossier.urgency = worklists.urgency_of(dossier)
    risk = lateness.risk_now(dossier)
    context = {
        "risk": risk if risk is not None and risk.flagged and dossier.urgency != worklists.LATE else None,
        "risk_text": lateness.explain(risk.as_dict()) if risk is not None else "",
        "dossier": dossier,
        "step": current_step(dossier),
        "steps": list(dossier.steps.all()),
        "components": list(dossier.components.all()),
        "events": events,
        "notices": notices,
        "supplements": list(dossier.supplements.all()),
        "apology": _apology(dossier),
        "documents": documents_for(dossier),
        "actions": actions,
        "open_action": bound[0] if bound else "",
        "just_received": request.GET.get("vua-tiep-nhan") == "1",
    }
    return render(request, "dossiers/detail.html", context, status=status)


@staff_required
@require_GET
def detail(request, ref):
    """One dossier as an officer sees it, with only the actions they may take now."""
    dossier = get_dossier_detail(request, ref)
    return _render_detail(request, dossier)


@staff_required
@require_POST
def action(request, ref, name):
    """One domain action posted from the dossier page; back to the page with a message."""
    if name not in ACTION_SCREENS:
        raise Http404
    dossier = get_dossier_detail(request, ref)
    form = build_action_form(name, dossier, request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, dossier, bound=(name, form), status=400)
    status = 400
    try:
        updated = run_action(name, dossier, request.user, form)
    except ConcurrentChange:
        fresh, form = _concurrent_form(name, ref, request)
        return _render_detail(request, fresh, bound=(name, form), status=409)
    except ValidationFailed as exc:
        f.add_service_errors(form, exc.fields)
        if not exc.fields:
            form.add_error(None, str(exc.detail))
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except DomainError as exc:
        form.add_error(None, str(exc.detail))
        status = exc.status_code
    else:
        updated = updated or dossier
        if name == "supplement" and updated.status == Status.RECEIVED:
            # A dossier completed at the counter is received now: the receipt (form 01) is printed next.
            messages.success(request, _("Hồ sơ đã đầy đủ và được tiếp nhận."))
            return redirect(reverse("dossiers:detail", args=[dossier_ref(updated)]) + "?vua-tiep-nhan=1")
        if name == "supplement" and updated.status == Status.SUPPLEMENT_REQUESTED:
            waiting = updated.supplements.filter(replied_at__isnull=True).order_by("-round").first()
            messages.warning(request, _("Đã nhận một phần hồ sơ bổ sung; hồ sơ tiếp tục chờ bổ sung: còn thiếu %(items)s.")
                             % {"items": "; ".join(waiting.missing_items) if waiting else ""})
            return redirect("dossiers:detail", dossier_ref(updated))
        messages.success(request, str(ACTION_SCREENS[name].success))
        return redirect("dossiers:detail", dossier_ref(updated))
    # The service rolled back; show the dossier as stored, not as the failed call left it in memory.
    fresh = get_dossier_detail(request, ref)
    return _render_detail(request, fresh, bound=(name, form), status=status)


def _concurrent_form(name: str, ref: str, request):
    """After a concurrent change: the fresh dossier, and the officer's input kept with the current version,
    so a second submit is a deliberate decision on the new state."""
    fresh = get_dossier_detail(request, ref)
    data = request.POST.copy()
    data["version"] = str(fresh.version)
    form = build_action_form(name, fresh, data, request.FILES)
    form.is_valid()
    form.add_error(None, _("Hồ sơ vừa được người khác cập nhật; trang đã được tải lại với dữ liệu mới nhất. "
                           "Vui lòng kiểm tra rồi thực hiện lại."))
    return fresh, form


def run_action(name: str, dossier, user, form):
    """Call the service behind an action with the form's values and the version the officer saw."""
    kwargs = form.service_kwargs()
    kwargs["expected_version"] = form.cleaned_data.get("version")
    # The registry wraps the apology in a **kwargs shim; call it directly so its signature is known.
    fn = apologize if name == "apologize" else services.ACTIONS[name]
    return _call_with_dossier(fn, dossier, user, kwargs)


def _call_with_dossier(fn, dossier, user, kwargs):
    params = inspect.signature(fn).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        if "expected_version" not in params and kwargs.get("expected_version") is not None:
            if kwargs["expected_version"] != dossier.version:
                raise ConcurrentChange(_("Hồ sơ vừa được người khác cập nhật."))
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return fn(dossier, actor=user, **kwargs)


# --- files ---------------------------------------------------------------------------------------


@staff_required
@require_GET
def scan(request, ref, component_id):
    """A component's scan, only to those who may see the dossier (never a public media URL)."""
    return component_file_response(get_dossier(request, ref), component_id)


@staff_required
@require_GET
def result_file(request, ref):
    dossier = get_dossier(request, ref)
    if dossier.status in (Status.DECIDED, Status.RETURNED):
        signed = result_response(request, dossier)
        if signed is not None:
            return signed
    if not dossier.result_file:
        raise Http404
    return private_file_response(dossier.result_file, result_filename(dossier, dossier.result_file))


@staff_required
@require_GET
def draft_file(request, ref):
    dossier = get_dossier(request, ref)
    if not dossier.draft_result_file:
        raise Http404
    return private_file_response(dossier.draft_result_file,
                                 result_filename(dossier, dossier.draft_result_file, kind="du-thao-ket-qua"))


@staff_required
@require_GET
def document(request, ref, form):
    """A printed form of the dossier (receipt, supplement, refusal, apology, stop, control sheet) as PDF."""
    if form not in PDF_FORMS:
        raise Http404
    dossier = get_dossier_detail(request, ref)
    try:
        check_printable(dossier, form)
        pdf = render_dossier_form(dossier, form)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("dossiers:detail", dossier.ref)
    pdf, signature = sign_issued_form(pdf)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.ref}-{form}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Signature-Status"] = "valid" if signature else "unsigned"
    return response


@staff_required
@require_GET
def declaration(request, ref):
    """The applicant's electronic form (tờ khai) as filed, printed as the official PDF."""
    from procedures.printing import render_filed_declaration

    dossier = _lookup(request.user, ref,
                      queryset=Dossier.objects.select_related("procedure", "agency", "form_definition"))
    if dossier.form_definition_id is None:
        raise Http404(_("Hồ sơ không có tờ khai điện tử."))
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "vi"
    response = HttpResponse(render_filed_declaration(dossier, language=language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.ref}-to-khai.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the register (sổ theo dõi hồ sơ, form 07) ---------------------------------------------------


def _register_agencies(user) -> QuerySet[Agency]:
    ids = worklists.scope_for(user)
    if ids.everything:
        return Agency.objects.filter(is_active=True).order_by("level", "code")
    return Agency.objects.filter(pk__in=scoped_agency_ids(user)).order_by("level", "code")


def _parse_day(raw: str) -> date | None:
    """A YYYY-MM-DD date, or None when it is malformed or names no day (2026-13-45)."""
    try:
        return parse_date(raw.strip())
    except ValueError:
        return None


def _register_params(request):
    agencies = _register_agencies(request.user)
    wanted = request.GET.get("agency", "")
    if wanted:
        agency = agencies.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if agency is None:
            raise Http404
    else:
        agency = agencies.first()
    today = timezone.localdate()
    errors = {}
    date_from = _parse_day(request.GET.get("from")) if request.GET.get("from") else today.replace(day=1)
    date_to = _parse_day(request.GET.get("to")) if request.GET.get("to") else today
    if date_from is None:
        errors["from"] = _("Ngày không hợp lệ (dd/mm/yyyy).")
    if date_to is None:
        errors["to"] = _("Ngày không hợp lệ (dd/mm/yyyy).")
    if date_from and date_to and date_from > date_to:
        errors["to"] = _("“Đến ngày” phải sau “từ ngày”.")
    if date_from and date_to and (date_to - date_from) > timedelta(days=366):
        errors["to"] = _("Mỗi lần xem tối đa một năm.")
    return agencies, agency, date_from, date_to, errors


def register_rows(agency, date_from: date, date_to: date) -> QuerySet[Dossier]:
    """The agency's register for the period: the dossiers received in it, and those the desk recorded at
    the counter without receiving them (supplement asked for, refused), by the time of that visit."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    at_counter = Q(received_at__isnull=True, code__isnull=False, submitted_at__gte=start, submitted_at__lt=end)
    return register_prefetch(
        Dossier.objects.filter(agency=agency)
        .filter(Q(received_at__gte=start, received_at__lt=end) | at_counter)
        .select_related("received_by", "procedure", "apology", "agency")
        .annotate(register_at=Coalesce("received_at", "submitted_at"))
        .order_by("register_at", "id")
    )


@staff_required
@require_GET
def register(request):
    """The dossier register of an agency for a period, on screen and as PDF (form 07)."""
    agencies, agency, date_from, date_to, errors = _register_params(request)
    if agency is None:
        raise PermissionDenied
    page = None
    if not errors:
        page = Paginator(register_rows(agency, date_from, date_to), 50).get_page(request.GET.get("page"))
        for dossier in page.object_list:
            dossier.ref = dossier_ref(dossier)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"agencies": agencies, "agency": agency, "date_from": date_from, "date_to": date_to, "errors": errors,
               "page": page, "query": query.urlencode(),
               "raw_from": request.GET.get("from", date_from.isoformat() if date_from else ""),
               "raw_to": request.GET.get("to", date_to.isoformat() if date_to else "")}
    return render(request, "dossiers/register.html", context, status=400 if errors else 200)


@staff_required
@require_GET
def register_pdf(request):
    agencies, agency, date_from, date_to, errors = _register_params(request)
    if agency is None:
        raise Http404
    if errors:
        return redirect(reverse("dossiers:register") + "?" + request.GET.urlencode())
    pdf = render_register(agency, date_from, date_to, list(register_rows(agency, date_from, date_to)))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"so-theo-doi-{agency.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
