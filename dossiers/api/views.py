"""api.md "Dossiers": intake, lists, detail, actions, timeline, notices and printed forms.

The views only translate HTTP to the services and selectors: scope comes from `visible_dossiers` (a
dossier outside the caller's agencies is a 404, like a missing one), rules and messages from the services.
"""

from __future__ import annotations

import json
import re
import threading

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from dossiers import lists, selectors, services
from dossiers.documents import render_dossier_form
from dossiers.models import Dossier
from organisation.api.pagination import Pagination
from organisation.api.parsers import JSONParser
from organisation.errors import NotAllowed, NotFound, ValidationFailed
from organisation.models import Agency
from procedures.models import Procedure

from .serializers import (
    DossierActionSerializer,
    DossierDetailSerializer,
    DossierEventSerializer,
    DossierIntakeSerializer,
    DossierListSerializer,
    DossierNoticeSerializer,
    one_time_zone,
)

FORMS = ("receipt", "supplement", "refusal", "apology", "control-sheet")
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")
_JSON_KEYS = ("applicant", "components", "items", "form")


def request_data(request) -> dict:
    """The body as a plain dict. JSON is taken as it is; a multipart or form body may carry the nested
    parts as JSON strings (`applicant`, `components`) or as `applicant.full_name` and
    `components[0].name` fields, files as `components[0].file`, `files` (one component each) or
    `result_file`.

    Indices are bounded: from 0 below `settings.DOSSIER_MAX_COMPONENTS`, without gaps; any other is a
    400 naming the field, before a list is built for it (issue 9: `components[4000000].name` once made
    a worker build a list of four million rows)."""
    data = request.data
    if isinstance(data, dict) and not hasattr(data, "getlist"):
        return dict(data)
    out: dict = {}
    indexed: dict[str, dict[int, dict]] = {}
    keys: dict[tuple[str, int], str] = {}  # (name, index) -> the first key naming it, for messages
    errors: dict[str, list[str]] = {}
    files = getattr(request, "FILES", {})
    limit = settings.DOSSIER_MAX_COMPONENTS

    def put(key: str, match, value) -> None:
        """One `name[N].field`, its index bounded before anything is allocated for it."""
        digits = match.group(2)
        if len(digits) > 9 or int(digits) >= limit:
            errors[key] = [_("Chỉ số phải từ 0 đến %(max)d (tối đa %(count)d thành phần mỗi hồ sơ).")
                           % {"max": limit - 1, "count": limit}]
            return
        index = int(digits)
        keys.setdefault((match.group(1), index), key)
        indexed.setdefault(match.group(1), {}).setdefault(index, {})[match.group(3)] = value

    for key in data.keys():
        if key in files:
            continue
        value = data.get(key)
        if key in _JSON_KEYS and isinstance(value, str) and value.strip()[:1] in ("{", "["):
            try:
                out[key] = json.loads(value)
            except ValueError:
                errors[key] = [_("JSON không hợp lệ.")]
            continue
        if key == "items" and hasattr(data, "getlist") and len(data.getlist(key)) > 1:
            out[key] = data.getlist(key)
            continue
        head, dot, tail = key.partition(".")
        match = _INDEXED.match(key)
        if match:
            put(key, match, value)
        elif dot and head in ("applicant",):
            out.setdefault(head, {})
            if isinstance(out[head], dict):
                out[head][tail] = value
        else:
            out[key] = value
    for key in files.keys():
        match = _INDEXED.match(key)
        if match:
            put(key, match, files[key])
        elif key in ("files", "file"):
            extra = [{"name": f.name, "file": f} for f in files.getlist(key)]
            out.setdefault("_extra_components", []).extend(extra)
        else:
            out[key] = files[key]
    for name, rows in indexed.items():
        existing = out.get(name) if isinstance(out.get(name), list) else []
        merged = list(existing)
        for index in sorted(rows):
            if index > len(merged):
                # Indices run from 0 without gaps (after any rows given as JSON): a gap would be an
                # empty component, and a far index a huge list.
                key = keys[(name, index)]
                errors[key] = [_("Chỉ số phải liên tiếp từ 0: thiếu %(name)s[%(index)d].")
                               % {"name": name, "index": len(merged)}]
                break
            if index == len(merged):
                merged.append({})
            if isinstance(merged[index], dict):
                merged[index] = {**merged[index], **rows[index]}
        out[name] = merged
    extra = out.pop("_extra_components", [])
    if extra:
        out["components"] = [*(out.get("components") or []), *extra]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return out


def _is_staff(user) -> bool:
    return bool(user.is_superuser or services.staff_pairs(user))


def _procedure(code: str) -> Procedure:
    procedure = selectors.procedure_for_intake((code or "").strip())
    if procedure is None:
        msg = _("Không tìm thấy thủ tục có mã này.")
        raise ValidationFailed(msg, code="unknown_procedure", fields={"procedure": [msg]})
    return procedure


def _agency(code: str | None, field: str = "agency") -> Agency | None:
    if not code:
        return None
    agency = Agency.objects.filter(code=code.strip()).first()
    if agency is None:
        msg = _("Không tìm thấy cơ quan có mã này.")
        raise ValidationFailed(msg, code="unknown_agency", fields={field: [msg]})
    return agency


def _user(username: str | None, field: str = "assignee"):
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        msg = _("Không tìm thấy cán bộ có tên đăng nhập này.")
        raise ValidationFailed(msg, code="unknown_user", fields={field: [msg]})
    return user


_serializers = threading.local()


def valid_body(serializer_class, data: dict) -> dict:
    """The validated request body (`serializer_class(data=data).is_valid(raise_exception=True)`: a 400 in
    api.md's error format when it is not valid), from one serializer per thread and class: making one
    deep-copies its declared fields (the intake's ~25, with the nested applicant), ~0.4 ms of an intake's
    CPU. Validating keeps nothing in the fields; the serializer's own results are cleared before each use."""
    kept = _serializers.__dict__.setdefault("bodies", {})
    body = kept.get(serializer_class)
    if body is None:
        body = kept[serializer_class] = serializer_class(data=data)
    else:
        body.initial_data = data
        for name in ("_validated_data", "_errors", "_data"):
            body.__dict__.pop(name, None)
    body.is_valid(raise_exception=True)
    return body.validated_data


def detail_data(request, dossier: Dossier) -> dict:
    """The detail's JSON (DossierDetailSerializer) of a dossier loaded with the detail queryset.

    One serializer per thread, its context set for each call: a new one deep-copies its ~80 fields
    (with the nested steps, components, supplements and apology) on every request, about a third of
    what the serializer costs; its fields keep nothing of a call but the context they read from it."""
    serializer = getattr(_serializers, "detail", None)
    if serializer is None:
        serializer = _serializers.detail = DossierDetailSerializer()
    serializer._context = {"staff": selectors.is_staff_viewer(request.user),
                           "available_actions": selectors.actions_available(dossier, request.user)}
    try:
        with one_time_zone(serializer):
            return serializer.to_representation(dossier)
    finally:
        serializer._context = {}


def detail_response(request, dossier: Dossier, http_status=status.HTTP_200_OK, headers=None) -> Response:
    """The dossier as the detail shows it, loaded afresh with the detail's fixed set of queries."""
    fresh = selectors.dossier_for_detail(dossier)
    return Response(detail_data(request, fresh), status=http_status, headers=headers)


class DossierListPagination(Pagination):
    """The dossier list's pages (dossiers.lists): newest first; `next` and `previous` are keyset cursors
    (`?cursor=`, opaque and signed: a page costs the same at any depth); `?page=` works for the pages
    within the first COUNT_CAP rows and is a 400 beyond; `count` is exact up to COUNT_CAP, and
    `count_capped` says when there are more."""

    cursor_query_param = "cursor"

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"]["description"] = (
            f"Number of dossiers, exact up to {lists.COUNT_CAP:,}; beyond it {lists.COUNT_CAP:,} "
            "with count_capped true")
        out["properties"]["count_capped"] = {
            "type": "boolean", "example": False,
            "description": f"True when there are more than {lists.COUNT_CAP:,} dossiers (count stops there)"}
        out["required"] = [*out.get("required", []), "count_capped"]
        return out

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_query_param:
                param["description"] = (f"Page number, for the pages within the first {lists.COUNT_CAP:,} "
                                        "dossiers (beyond: 400, follow `next`)")
        params.append({"name": self.cursor_query_param, "required": False, "in": "query",
                       "description": "Opaque continuation from `next` or `previous` (a bad one is a 400)",
                       "schema": {"type": "string"}})
        return params

    def page(self, request, build, counted=None, filters: lists.Filters | None = None) -> tuple[lists.Page, lists.Count]:
        """The page asked for and the capped count of the whole list (two queries; one when the page's search
        already told the count: `lists.known_count`)."""
        size = self.get_page_size(request)
        raw_cursor = request.query_params.get(self.cursor_query_param) or ""
        raw_page = request.query_params.get(self.page_query_param) or ""
        cursor, offset, number = None, 0, 1
        if raw_cursor:
            if raw_page:
                msg = _("Dùng cursor hoặc page, không dùng cả hai.")
                raise ValidationFailed(msg, code="invalid_page", fields={self.page_query_param: [msg]})
            cursor = lists.Cursor.decode(raw_cursor)
        elif raw_page:
            try:
                number = int(raw_page)
                if number < 1:
                    raise ValueError
            except ValueError:
                raise DRFValidationError({"page": [_("Phải là một số nguyên dương.")]}) from None
            offset = (number - 1) * size
            if offset + size > lists.COUNT_CAP:
                msg = _("Chỉ mở trực tiếp được các trang trong %(cap)s hồ sơ đầu; sau đó hãy theo liên kết "
                        "next.") % {"cap": f"{lists.COUNT_CAP:,}".replace(",", ".")}
                raise ValidationFailed(msg, code="page_beyond_cap", fields={self.page_query_param: [msg]})
        page = lists.page_newest(build, size, cursor=cursor, offset=offset, columns=selectors.DossierRow.COLUMNS)
        if not page.rows and number > 1:
            raise DRFNotFound(self.invalid_page_message.format(page_number=number, message=""))
        self.request = request
        known = lists.known_count(filters) if filters is not None else None
        return page, known or lists.count_capped(counted if counted is not None else build(None))

    def link(self, request, cursor: lists.Cursor | None) -> str | None:
        if cursor is None:
            return None
        url = request.build_absolute_uri()
        url = remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor.encode())

    def response(self, request, page: lists.Page, count: lists.Count, results) -> Response:
        return Response({"count": count.value, "count_capped": count.capped,
                         "next": self.link(request, page.next), "previous": self.link(request, page.previous),
                         "results": results})


LIST_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="Status code 1–10, or several separated by commas"),
    OpenApiParameter("procedure", OpenApiTypes.STR, description="Procedure code"),
    OpenApiParameter("late", OpenApiTypes.STR, enum=["true", "false"], description="Late or not"),
    OpenApiParameter("agency", OpenApiTypes.STR, description="Agency code: the dossiers received at it or routed to it"),
    OpenApiParameter("q", OpenApiTypes.STR, description="3 to 100 characters. With a digit: code (or its "
                     "beginning or end), ID number or its beginning, phone in any written form (+84 912 345 678, "
                     "0912345678) or 4+ of its digits. Without: the applicant's name, diacritics and case ignored, "
                     "from its first words (\"nguyen van\") or its last ones (\"ngoc anh\", \"anh\")"),
]


class DossierListCreate(generics.GenericAPIView):
    """Staff see their agencies' dossiers (and those routed to them), a citizen their own.

    POST by a desk officer records the counter check: by default received at once (status 2, with code
    and appointment); with `outcome` `supplement` (and `items`) recorded with its code at status 5, not
    yet received, or `refuse` (and `reason`) at status 3. By a citizen it is an online submission
    waiting at status 1. Header `Idempotency-Key`: the same key and body return the same dossier (201
    again, header `Idempotent-Replayed: true`); another body is 409.
    """

    serializer_class = DossierListSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = DossierListPagination

    @extend_schema(parameters=LIST_PARAMETERS, responses=DossierListSerializer(many=True))
    def get(self, request):
        filters = lists.parse_filters(request.query_params)
        paginator = self.paginator
        with lists.time_limited():
            page, count = paginator.page(request, lambda extra, window=None: lists.scoped(
                                             request.user, filters, fact_extra=extra, window=window),
                                         lists.fact_rows(request.user, filters), filters)
        rows = [selectors.DossierRow(*row) for row in page.rows]
        return paginator.response(request, page, count, DossierListSerializer(rows, many=True).data)

    @extend_schema(
        request={"application/json": DossierIntakeSerializer, "multipart/form-data": DossierIntakeSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={201: DossierDetailSerializer},
    )
    def post(self, request):
        v = valid_body(DossierIntakeSerializer, request_data(request))
        procedure = _procedure(v["procedure"])
        agency = _agency(v.get("agency"))
        key = (request.headers.get("Idempotency-Key") or "").strip()
        common = {
            "procedure": procedure, "agency": agency, "applicant": dict(v.get("applicant") or {}),
            "summary": v.get("summary", ""), "components": [dict(c) for c in v.get("components") or []],
            "return_address": v.get("return_address", ""), "idempotency_key": key, "form": v.get("form"),
        }
        if _is_staff(request.user):
            dossier = services.intake(actor=request.user, channel=v.get("channel") or "counter",
                                      received_at=v.get("received_at"),
                                      return_method=v.get("return_method") or "desk",
                                      outcome=v.get("outcome") or "receive", items=v.get("items") or "",
                                      reason=v.get("reason", ""),
                                      competent_agency=_agency(v.get("competent_agency"), "competent_agency"),
                                      **common)
        else:
            if v.get("received_at"):
                msg = _("Chỉ cán bộ được nhập thời điểm tiếp nhận.")
                raise ValidationFailed(msg, code="staff_only", fields={"received_at": [msg]})
            if v.get("outcome") not in (None, "", "receive"):
                msg = _("Chỉ cán bộ một cửa ghi nhận kết quả kiểm tra hồ sơ.")
                raise ValidationFailed(msg, code="staff_only", fields={"outcome": [msg]})
            dossier = services.submit_online(citizen=request.user, return_method=v.get("return_method") or "online",
                                             **common)
        headers = {"Idempotent-Replayed": "true"} if getattr(dossier, "idempotent_replay", False) else None
        return detail_response(request, dossier, status.HTTP_201_CREATED, headers)


class DossierDetail(generics.GenericAPIView):
    """One dossier: its data, trail, steps, components and the actions open to the caller."""

    serializer_class = DossierDetailSerializer

    def get(self, request, code):
        return Response(detail_data(request, selectors.get_visible_detail(request.user, code)))


def _expected_version(request, v):
    if v.get("expected_version") is not None:
        return v["expected_version"]
    raw = (request.headers.get("If-Match") or "").strip()
    if raw:
        raw = raw.removeprefix("W/").strip('"')
        try:
            return int(raw)
        except ValueError:
            msg = _("If-Match phải là số phiên bản của hồ sơ.")
            raise ValidationFailed(msg, fields={"expected_version": [msg]}) from None
    return None


def _action_kwargs(action: str, v: dict) -> dict:
    if action in ("refuse", "stop", "withdraw"):
        return {"reason": v.get("reason", "")}
    if action == "transfer":
        return {"to_agency": _agency(v.get("to_agency"), "to_agency"), "assignee": _user(v.get("assignee")),
                "note": v.get("note", "")}
    if action == "assign":
        return {"assignee": _user(v.get("assignee"))}
    if action == "request-supplement":
        return {"items": v.get("items") or "", "reason": v.get("reason", ""), "deadline_at": v.get("deadline_at")}
    if action == "supplement":
        return {"components": [dict(c) for c in v.get("components") or []],
                "accept_incomplete": bool(v.get("accept_incomplete")), "note": v.get("note", "")}
    if action == "request-payment":
        if v.get("amount") is None:
            msg = _("Vui lòng nhập số tiền.")
            raise ValidationFailed(msg, code="required", fields={"amount": [msg]})
        return {"amount": v["amount"]}
    if action in ("decide", "draft-result"):
        return {"result": v.get("result", ""), "result_file": v.get("result_file")}
    if action == "apologize":
        if v.get("new_appointment_at") is None:
            msg = _("Vui lòng nhập ngày hẹn mới.")
            raise ValidationFailed(msg, code="required", fields={"new_appointment_at": [msg]})
        return {"reason": v.get("reason", ""), "new_appointment_at": v["new_appointment_at"]}
    return {}


class DossierAction(generics.GenericAPIView):
    """One domain action (api.md): 409 when the dossier's status does not allow it (nothing changes),
    403 when the caller's role does not, 404 for an unknown action. Optional `expected_version` (or
    `If-Match`) guards against a concurrent change."""

    serializer_class = DossierActionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": DossierActionSerializer, "multipart/form-data": DossierActionSerializer},
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=list(services.ACTIONS))],
        responses={200: DossierDetailSerializer},
    )
    def post(self, request, code, action):
        handler = services.ACTIONS.get(action)
        if handler is None:
            raise NotFound(_("Không có thao tác “%(action)s”.") % {"action": action}, code="unknown_action")
        dossier = selectors.get_visible_dossier(request.user, code)
        v = valid_body(DossierActionSerializer, request_data(request))
        kwargs = _action_kwargs(action, v)
        kwargs["expected_version"] = _expected_version(request, v)
        dossier = handler(dossier, actor=request.user, **kwargs)
        return detail_response(request, dossier)


class DossierTimeline(generics.GenericAPIView):
    """The audit trail, oldest first; a citizen sees the public events."""

    serializer_class = DossierEventSerializer

    @extend_schema(responses=DossierEventSerializer(many=True))
    def get(self, request, code):
        dossier = selectors.get_visible_dossier(request.user, code)
        page = self.paginate_queryset(selectors.timeline_for(dossier, request.user))
        return self.get_paginated_response(DossierEventSerializer(page, many=True).data)


class DossierNotices(generics.GenericAPIView):
    """The notices sent or queued about the dossier (staff only)."""

    serializer_class = DossierNoticeSerializer

    @extend_schema(responses=DossierNoticeSerializer(many=True))
    def get(self, request, code):
        dossier = selectors.get_visible_dossier(request.user, code)
        if not selectors.is_staff_viewer(request.user):
            raise NotAllowed(_("Chỉ cán bộ được xem các thông báo của hồ sơ."))
        page = self.paginate_queryset(selectors.notices_for(dossier))
        return self.get_paginated_response(DossierNoticeSerializer(page, many=True).data)


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


class DossierDocument(generics.GenericAPIView):
    """A printed form as PDF: receipt (01), supplement (02), refusal (03), apology (04), control-sheet (06).
    404 for an unknown form or one that does not apply to the dossier (e.g. no apology yet)."""

    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("form", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(FORMS))],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, code, form):
        dossier = selectors.get_visible_dossier(request.user, code)
        # The control sheet names the officers who handled the dossier: it is internal, for staff only.
        if form not in FORMS or (form == "control-sheet" and not selectors.is_staff_viewer(request.user)):
            raise NotFound(_("Không có mẫu in “%(form)s”.") % {"form": form}, code="document_not_found")
        selectors.check_printable(dossier, form)
        try:
            pdf = render_dossier_form(dossier, form)
        except LookupError:
            raise NotFound(_("Mẫu in này không áp dụng cho hồ sơ."), code="document_not_found") from None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{dossier.reference}-{form}.pdf"'
        return response
