"""API of assigned tasks: directives, the lists, a task with its history, one URL per action, the report,
its drill-down and Excel export, and the spreadsheet import. Views only translate HTTP to services and
selectors; a task outside the caller's units is a 404 like a missing one."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.api.pagination import Pagination
from organisation.api.schema import ErrorSerializer
from organisation.errors import NotFound, ValidationFailed
from organisation.models import Agency

from .. import exports, filters, importing, rules, selectors, services
from . import serializers as s

LIST_PARAMS = [
    OpenApiParameter("view", str, enum=["assigned", "mine"], description="assigned: by my units; mine: led or supported by my units"),
    OpenApiParameter("unit", str, description="agency code: that unit and those under it"),
    OpenApiParameter("directive", int),
    OpenApiParameter("from", OpenApiTypes.DATE, description="assigned on or after"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="assigned on or before"),
    OpenApiParameter("status", str, enum=["open", "completion_reported", "done"]),
    OpenApiParameter("late", bool),
    OpenApiParameter("q", str),
]
PERIOD_PARAMS = [
    OpenApiParameter("kind", str, enum=["month", "quarter", "year", "custom"]),
    OpenApiParameter("month", str, description="YYYY-MM"),
    OpenApiParameter("quarter", int),
    OpenApiParameter("year", int),
    OpenApiParameter("from", OpenApiTypes.DATE),
    OpenApiParameter("to", OpenApiTypes.DATE),
    OpenApiParameter("agency", str, description="agency code: rows are the units under it"),
]


def _agency(code, field: str) -> Agency:
    found = Agency.objects.filter(code=(code or "").strip()).first() if code else None
    if found is None:
        msg = _("Không tìm thấy đơn vị mã “%(code)s”.") % {"code": code or ""}
        raise ValidationFailed(msg, code="unknown_agency", fields={field: [msg]})
    return found


def _raise_filter_errors(errors: dict):
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)


class DirectiveList(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    serializer_class = s.DirectiveSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.directives_visible(selectors.task_scope(self.request.user))

    @extend_schema(request=s.DirectiveCreateSerializer, responses={201: s.DirectiveSerializer})
    def post(self, request):
        data = s.DirectiveCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        directive = services.create_directive(
            actor=request.user, number=v.get("number"), issued_on=v.get("issued_on"), signer=v.get("signer"),
            title=v.get("title"), issuing_agency=_agency(v.get("issuing_agency"), "issuing_agency"), file=v.get("file"))
        return Response(s.DirectiveSerializer(directive).data, status=status.HTTP_201_CREATED)


class TaskList(generics.ListCreateAPIView):
    """The assigner's list (`view=assigned`) or the unit's own (`view=mine`), filtered."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    serializer_class = s.TaskListSerializer

    def get_queryset(self):
        scope = selectors.task_scope(self.request.user)
        _view, flt = filters.list_filter(self.request.query_params, self.request.user, scope)
        _raise_filter_errors(flt.errors)
        return selectors.apply(selectors.visible_tasks(scope), flt)

    @extend_schema(parameters=LIST_PARAMS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.TaskCreateSerializer, responses={201: s.TaskDetailSerializer})
    def post(self, request):
        scope = selectors.task_scope(request.user)
        data = s.TaskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        directive = selectors.directives_visible(scope).filter(pk=v["directive"]).first()
        if directive is None:
            msg = _("Không tìm thấy văn bản.")
            raise ValidationFailed(msg, code="unknown_directive", fields={"directive": [msg]})
        task = services.assign_task(
            actor=request.user, directive=directive, title=v.get("title"), description=v.get("description", ""),
            lead_agency=_agency(v.get("lead_agency"), "lead_agency"),
            supporting_agencies=[_agency(c, "supporting_agencies") for c in v.get("supporting_agencies") or []],
            deadline_kind=v.get("deadline_kind"), due_on=v.get("due_on"), working_days=v.get("working_days"),
            assigned_at=v.get("assigned_at"))
        return Response(_detail(task, request.user), status=status.HTTP_201_CREATED)


def _detail(task, user) -> dict:
    task = selectors.detail(task)
    actions = rules.allowed_actions(task.status, services.sides_for(task, user))
    return s.TaskDetailSerializer(task, context={"actions": actions}).data


def _task(request, pk):
    task = selectors.task_for(selectors.task_scope(request.user), pk)
    if task is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."), code="not_found")
    return task


class TaskDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.TaskDetailSerializer)
    def get(self, request, pk: int):
        return Response(_detail(_task(request, pk), request.user))


class TaskAction(APIView):
    """One action: report-progress (text, percent, files), request-extension (proposed_due_on, reason),
    grant-extension (due_on optional, note), refuse-extension (note), report-completion (text, files),
    accept-completion (note), return-completion (note). 409 when not allowed in the task's status."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.TaskActionSerializer, responses={200: s.TaskDetailSerializer},
                   parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                                enum=[a.replace("_", "-") for a in rules.ACTIONS])])
    def post(self, request, pk: int, action: str):
        name = action.replace("-", "_")
        if name not in services.ACTIONS:
            raise NotFound(_("Không có thao tác này."), code="unknown_action")
        task = _task(request, pk)
        data = request.data
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        common = {"actor": request.user, "expected_version": data.get("expected_version")}
        kwargs = {
            rules.REPORT_PROGRESS: lambda: {"text": data.get("text"), "percent": data.get("percent"), "files": files},
            rules.REQUEST_EXTENSION: lambda: {"proposed_due_on": data.get("proposed_due_on"),
                                              "reason": data.get("reason")},
            rules.GRANT_EXTENSION: lambda: {"due_on": data.get("due_on"), "note": data.get("note") or ""},
            rules.REFUSE_EXTENSION: lambda: {"note": data.get("note") or ""},
            rules.REPORT_COMPLETION: lambda: {"text": data.get("text"), "files": files},
            rules.ACCEPT_COMPLETION: lambda: {"note": data.get("note") or ""},
            rules.RETURN_COMPLETION: lambda: {"note": data.get("note") or ""},
        }[name]()
        task = services.ACTIONS[name](task, **common, **kwargs)
        return Response(_detail(task, request.user))


def _report(request):
    scope = selectors.task_scope(request.user)
    form, flt, unit, tree, metric = filters.report_filter(request.query_params, scope)
    return scope, flt, unit, tree, metric


class TaskReport(APIView):
    """Per unit and period: assigned, with a deadline (on time, late), without, still open (in time, late)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[*PERIOD_PARAMS, OpenApiParameter("export", str, enum=["xlsx"], description="xlsx: the same rows as an Excel workbook")],
                   responses={200: s.TaskReportRowSerializer(many=True)})
    def get(self, request):
        scope, flt, unit, tree, _metric = _report(request)
        rows, totals = selectors.report(flt, tree, unit, scope)
        if request.query_params.get("export") == "xlsx":
            title = _("Nhiệm vụ được giao từ %(start)s đến %(end)s") % {
                "start": flt.start.strftime("%d/%m/%Y"), "end": flt.end.strftime("%d/%m/%Y")}
            return _xlsx(exports.report_workbook(rows, totals, title), "bao-cao-nhiem-vu.xlsx")
        as_dict = lambda r: {"key": r.key, "code": r.code, "label": r.label, **r.counts}  # noqa: E731
        return Response({"from": flt.start, "to": flt.end, "agency": unit.code if unit else None,
                         "rows": [as_dict(r) for r in rows], "totals": as_dict(totals)})


class TaskReportTasks(generics.ListAPIView):
    """The tasks behind one number of the report (`metric`), paginated."""

    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    serializer_class = s.TaskListSerializer

    def get_queryset(self):
        _scope, flt, _unit, _tree, metric = _report(self.request)
        return selectors.tasks_behind(metric, flt)

    @extend_schema(parameters=[*PERIOD_PARAMS, OpenApiParameter("metric", str, enum=list(selectors.METRICS))])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TaskImport(APIView):
    """A CSV or Excel file of tasks (columns in assignments/importing.py): all rows or none.
    Errors: 400 with `fields` keyed `rows[<spreadsheet row>].<column>`."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}},
        responses={201: s.TaskImportResultSerializer, 400: OpenApiResponse(ErrorSerializer, description="error format, one entry per row")})
    def post(self, request):
        selectors.task_scope(request.user)
        upload = request.FILES.get("file")
        if upload is None:
            msg = _("Vui lòng chọn tệp.")
            raise ValidationFailed(msg, code="required", fields={"file": [msg]})
        result = importing.import_tasks(upload.read(), upload.name, actor=request.user)
        if result.errors:
            fields: dict[str, list[str]] = {}
            for e in result.errors:
                fields.setdefault(f"rows[{e.row}].{e.column}", []).append(e.message)
            raise ValidationFailed(_("Tệp có %(n)d lỗi; chưa nhập dòng nào.") % {"n": len(result.errors)},
                                   code="invalid_rows", fields=fields)
        return Response({"rows": result.rows, "created": result.created,
                         "directives_created": result.directives_created}, status=status.HTTP_201_CREATED)


