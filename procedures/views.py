"""Public catalogue pages (list and procedure), and the import/export page for administrators."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import DomainError, NotFound, ValidationFailed
from organisation.models import AgencyLevel, Role, StaffMembership

from . import importing, printing, selectors, services
from .models import OnlineMode

PAGE_SIZE = 20


def procedure_list(request):
    """Search and filters; a bad filter value is shown next to its filter with a 400, never a 500."""
    errors: dict[str, list[str]] = {}
    page = None
    try:
        query = selectors.parse_catalogue_query(request.GET)
    except ValidationFailed as exc:
        errors = exc.fields
    else:
        results = selectors.search_catalogue(query, with_components=False)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "errors": errors,
        "values": {name: request.GET.get(name, "") for name in ("q", "field", "level", "agency", "online")},
        "fields": selectors.fields_for_filter(),
        "levels": AgencyLevel.choices,
        "online_modes": OnlineMode.choices,
        "querystring": params.urlencode(),
    }
    return render(request, "procedures/list.html", context, status=400 if errors else 200)


def procedure_detail(request, code):
    try:
        procedure = selectors.get_public_procedure(code)
    except NotFound:
        raise Http404(code) from None
    steps = list(procedure.steps.all())
    has_form = procedure.current_form_id is not None
    context = {
        "procedure": procedure,
        "has_form": has_form,
        "form_component_id": selectors.declaration_component_id(procedure.components.all()) if has_form else None,
        "steps": steps,
        "total_hours": sum((step.allowance_hours for step in steps), start=0),
        "inter_agency": any(step.performer != "receiving" for step in steps),
    }
    return render(request, "procedures/detail.html", context)


def blank_form_pdf(request, code):
    """The procedure's tờ khai, blank, as the PDF a citizen prints and fills by hand."""
    try:
        procedure = selectors.get_public_procedure(code)
    except NotFound:
        raise Http404(code) from None
    form = selectors.form_for(procedure)
    if form is None:
        raise Http404(code)
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "vi"
    pdf = printing.render_declaration(form.parsed(), procedure=procedure, version=form, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="to-khai-{procedure.code}.pdf"'
    return response


def _require_catalogue_admin(user):
    if user.is_superuser:
        return
    if not StaffMembership.objects.filter(user=user, role=Role.ADMINISTRATOR).exists():
        raise PermissionDenied


@login_required
def catalogue_import(request):
    """Upload a CSV or Excel file; show every error by row and column, or what was imported."""
    _require_catalogue_admin(request.user)
    report, file_error, status = None, "", 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            file_error, status = _("Chọn một tệp .csv hoặc .xlsx."), 400
        else:
            try:
                report = services.import_catalogue(
                    upload.read(), upload.name, user=request.user, dry_run=bool(request.POST.get("dry_run"))
                )
            except DomainError as exc:
                file_error, status = str(exc.detail), exc.status_code
            else:
                status = 200 if report.ok else 400
    return render(request, "procedures/import.html",
                  {"report": report, "file_error": file_error, "columns": importing.EXPORT_COLUMNS}, status=status)


@login_required
def catalogue_export(request):
    _require_catalogue_admin(request.user)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    buffer = io.BytesIO()
    importing.write(selectors.catalogue_for_export(), buffer, fmt)
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="thu-tuc-{stamp}.{fmt}"'
    return response
