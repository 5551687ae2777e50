"""Pages of assigned tasks (/nhiem-vu/): the lists, a task with its history and action forms, assigning,
directives, the report with its drill-down and Excel export, and the import. Views call services and
selectors only; a service's error is shown next to its field and nothing is half saved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dossiers.uploads import private_file_response
from organisation.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from organisation.models import Agency
from organisation.selectors import descendant_ids

from . import exports, filters, importing, rules, selectors, services
from .models import DeadlineKind, Directive, TaskFile, TaskStatus

PAGE_SIZE = 50
ACTION_LABELS = {
    rules.REPORT_PROGRESS: gettext_lazy("Báo cáo tiến độ"),
    rules.REQUEST_EXTENSION: gettext_lazy("Đề nghị gia hạn"),
    rules.GRANT_EXTENSION: gettext_lazy("Đồng ý gia hạn"),
    rules.REFUSE_EXTENSION: gettext_lazy("Không đồng ý gia hạn"),
    rules.REPORT_COMPLETION: gettext_lazy("Báo cáo hoàn thành"),
    rules.ACCEPT_COMPLETION: gettext_lazy("Xác nhận hoàn thành"),
    rules.RETURN_COMPLETION: gettext_lazy("Trả lại, yêu cầu tiếp tục thực hiện"),
}
EVENT_LABELS = {**ACTION_LABELS, "assign": gettext_lazy("Giao nhiệm vụ")}


def _scope(request):
    try:
        return selectors.task_scope(request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from exc


def _assigning_agencies(user):
    """The units the user may assign for."""
    qs = Agency.objects.filter(is_active=True)
    if user.is_superuser:
        return qs
    return qs.filter(pk__in=[a.pk for a in qs if services.may_assign_for(user, a.pk)])


@login_required
def task_list(request):
    scope = _scope(request)
    view, flt = filters.list_filter(request.GET, request.user, scope)
    tasks = selectors.apply(selectors.visible_tasks(scope), flt) if not flt.errors else selectors.visible_tasks(scope).none()
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "assignments/list.html", {
        "view": view, "page": page, "errors": flt.errors, "query": params.urlencode(), "params": request.GET,
        "rows": [(t, selectors.open_state(t), selectors.STATE_LABELS[selectors.open_state(t)]) for t in page],
        "statuses": TaskStatus.choices, "directives": selectors.directives_visible(scope)[:200],
        "may_assign": _assigning_agencies(request.user).exists(),
    })


@login_required
def task_detail(request, pk: int, errors: dict | None = None, action: str = "", status: int = 200):
    scope = _scope(request)
    task = selectors.task_for(scope, pk)
    if task is None:
        raise Http404
    task = selectors.detail(task)
    actions = rules.allowed_actions(task.status, services.sides_for(task, request.user))
    state = selectors.open_state(task)
    return render(request, "assignments/detail.html", {
        "task": task, "actions": [(a, a.replace("_", "-"), ACTION_LABELS[a]) for a in actions],
        "state": state, "state_label": selectors.STATE_LABELS[state], "errors": errors or {}, "failed_action": action,
        "posted": request.POST if errors else {},
        "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in task.events.all()],
    }, status=status)


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    scope = _scope(request)
    task = selectors.task_for(scope, pk)
    name = action.replace("-", "_")
    if task is None or name not in services.ACTIONS:
        raise Http404
    data, files = request.POST, request.FILES.getlist("files")
    kwargs = {
        rules.REPORT_PROGRESS: lambda: {"text": data.get("text"), "percent": data.get("percent"), "files": files},
        rules.REQUEST_EXTENSION: lambda: {"proposed_due_on": data.get("proposed_due_on"), "reason": data.get("reason")},
        rules.GRANT_EXTENSION: lambda: {"due_on": data.get("due_on"), "note": data.get("note") or ""},
        rules.REFUSE_EXTENSION: lambda: {"note": data.get("note") or ""},
        rules.REPORT_COMPLETION: lambda: {"text": data.get("text"), "files": files},
        rules.ACCEPT_COMPLETION: lambda: {"note": data.get("note") or ""},
        rules.RETURN_COMPLETION: lambda: {"note": data.get("note") or ""},
    }[name]()
    try:
        services.ACTIONS[name](task, actor=request.user, expected_version=data.get("expected_version"), **kwargs)
    except DomainError as exc:
        errors = dict(exc.fields) or {"__all__": [str(exc.detail)]}
        if exc.fields:
            errors.setdefault("__all__", [str(exc.detail)])
        return task_detail(request, pk, errors=errors, action=name, status=exc.status_code)
    messages.success(request, _("Đã ghi nhận: %(action)s.") % {"action": ACTION_LABELS[name]})
    return redirect("assignments:detail", pk=task.pk)


@login_required
def task_file(request, file_id: int):
    scope = _scope(request)
    f = TaskFile.objects.select_related("report").filter(pk=file_id).first()
    if f is None or selectors.task_for(scope, f.report.task_id) is None:
        raise Http404
    return private_file_response(f.file, f.file_name, f.content_type)


@login_required
def directive_file(request, pk: int):
    scope = _scope(request)
    d = selectors.directives_visible(scope).filter(pk=pk).first()
    if d is None or not d.file:
        raise Http404
    return private_file_response(d.file, d.file_name or d.file.name, d.content_type)


@login_required
def directive_new(request):
    _scope(request)
    agencies = _assigning_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    errors: dict = {}
    if request.method == "POST":
        agency = agencies.filter(code=request.POST.get("issuing_agency", "")).first()
        try:
            services.create_directive(actor=request.user, number=request.POST.get("number"),
                                      issued_on=request.POST.get("issued_on"), signer=request.POST.get("signer"),
                                      title=request.POST.get("title"), issuing_agency=agency,
                                      file=request.FILES.get("file"))
        except DomainError as exc:
            errors = dict(exc.fields) or {"__all__": [str(exc.detail)]}
        else:
            messages.success(request, _("Đã lưu văn bản."))
            return redirect("assignments:assign")
    return render(request, "assignments/directive_form.html", {"agencies": agencies, "errors": errors,
                                                               "posted": request.POST},
                  status=400 if errors else 200)


@login_required
def assign(request):
    _scope(request)
    agencies = _assigning_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    directives = Directive.objects.filter(issuing_agency__in=agencies).select_related("issuing_agency")
    # The units under the top ones the user assigns for (a manager assigns for the whole tree under them).
    parents = dict(agencies.values_list("pk", "parent_id"))
    tops = {pk for pk, parent in parents.items() if parent not in parents}
    below = Agency.objects.filter(pk__in=descendant_ids(parents) - tops, is_active=True).order_by("code")
    errors: dict = {}
    if request.method == "POST":
        directive = directives.filter(pk=request.POST.get("directive") or 0).first()
        codes = request.POST.getlist("supporting_agencies")
        lead = Agency.objects.filter(code=request.POST.get("lead_agency", "")).first()
        try:
            task = services.assign_task(
                actor=request.user, directive=directive, title=request.POST.get("title"),
                description=request.POST.get("description", ""), lead_agency=lead,
                supporting_agencies=list(Agency.objects.filter(code__in=codes)),
                deadline_kind=request.POST.get("deadline_kind"), due_on=request.POST.get("due_on"),
                working_days=request.POST.get("working_days"))
        except DomainError as exc:
            errors = dict(exc.fields) or {"__all__": [str(exc.detail)]}
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
            return redirect("assignments:detail", pk=task.pk)
    return render(request, "assignments/assign.html", {
        "directives": directives, "units": below, "kinds": DeadlineKind.choices, "errors": errors,
        "posted": request.POST}, status=400 if errors else 200)


# --- the report -------------------------------------------------------------------------------------


def _report_args(request):
    scope = _scope(request)
    try:
        return filters.report_filter(request.GET, scope), scope
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    except ValidationFailed as exc:
        raise BadRequest(str(exc.detail)) from exc


@login_required
def report(request):
    scope = _scope(request)
    try:
        (form, flt, unit, tree, _metric) = filters.report_filter(request.GET, scope)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    except ValidationFailed as exc:
        from reporting.forms import PeriodForm

        return render(request, "assignments/report.html", {"form": PeriodForm(request.GET), "errors": exc.fields},
                      status=400)
    rows, totals = selectors.report(flt, tree, unit, scope)
    base = request.GET.copy()
    base.pop("agency", None)
    base.pop("metric", None)
    return render(request, "assignments/report.html", {
        "form": form, "filter": flt, "unit": unit, "rows": rows, "totals": totals, "query": base.urlencode(),
        "metrics": [(m, selectors.METRIC_LABELS[m]) for m in selectors.METRICS],
        "path": tree.path(unit, scope), "unit_code": unit.code if unit else "",
    })


@login_required
def report_xlsx(request):
    (form, flt, unit, tree, _metric), scope = _report_args(request)
    rows, totals = selectors.report(flt, tree, unit, scope)
    title = _("Nhiệm vụ được giao từ %(start)s đến %(end)s") % {"start": flt.start.strftime("%d/%m/%Y"),
                                                               "end": flt.end.strftime("%d/%m/%Y")}
    from .api.views import _xlsx

    return _xlsx(exports.report_workbook(rows, totals, title), "bao-cao-nhiem-vu.xlsx")


@login_required
def report_tasks(request):
    """The tasks behind one number (drill-down), paginated; `xlsx=1` exports them."""
    (form, flt, unit, tree, metric), scope = _report_args(request)
    tasks = selectors.tasks_behind(metric, flt)
    label = str(selectors.METRIC_LABELS[metric])
    if request.GET.get("xlsx"):
        from .api.views import _xlsx

        return _xlsx(exports.tasks_workbook(tasks, label), f"nhiem-vu-{metric}.xlsx")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "assignments/report_tasks.html", {
        "page": page, "label": label, "unit": unit, "filter": flt, "query": params.urlencode(),
        "rows": [(t, selectors.STATE_LABELS[selectors.open_state(t)]) for t in page],
    })


@login_required
def import_tasks(request):
    _scope(request)
    result = None
    errors: dict = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors["file"] = [_("Vui lòng chọn tệp.")]
        else:
            try:
                result = importing.import_tasks(upload.read(), upload.name, actor=request.user)
            except DomainError as exc:
                errors = dict(exc.fields) or {"file": [str(exc.detail)]}
            else:
                if result.ok:
                    messages.success(request, _("Đã nhập %(n)d nhiệm vụ.") % {"n": result.created})
                    return redirect(reverse("assignments:list"))
    return render(request, "assignments/import.html", {
        "result": result, "errors": errors, "columns": importing.REQUIRED + importing.OPTIONAL,
    }, status=400 if errors or (result and not result.ok) else 200)
