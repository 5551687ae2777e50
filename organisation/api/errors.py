"""The API's one error format: {"code", "detail", "fields"} (api.md "Conventions")."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from organisation.errors import DomainError


def _join(key, sub: str) -> str:
    """`components` + `0.count` -> `components[0].count` (DRF keys list items by their index)."""
    head, _, rest = sub.partition(".")
    if head.isdigit():
        return f"{key}[{head}]" + (f".{rest}" if rest else "")
    return f"{key}.{sub}"


def _flatten(detail) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    fields[_join(key, sub)] = msgs
            elif isinstance(value, list):
                msgs = []
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, sub_msgs in _flatten(item).items():
                            fields[f"{key}[{i}].{sub}"] = sub_msgs
                    else:
                        msgs.append(str(item))
                if msgs:
                    fields[key] = msgs
            else:
                fields[key] = [str(value)]
    elif isinstance(detail, list):
        fields["non_field_errors"] = [str(x) for x in detail]
    return fields


def error_response(code: str, detail, http_status: int, fields=None, headers=None) -> Response:
    return Response({"code": code, "detail": str(detail), "fields": fields or {}}, status=http_status, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.detail, exc.status_code, exc.fields)
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        # Django's limits on a body read inside the view (UploadLimitGuard reads POST bodies before it).
        code, http_status = {RequestDataTooBig: ("request_too_large", 413), TooManyFilesSent: ("too_many_files", 400),
                             TooManyFieldsSent: ("too_many_fields", 400)}[type(exc)]
        return error_response(code, _("Yêu cầu vượt giới hạn: %(msg)s") % {"msg": exc}, http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), [_("Dữ liệu không hợp lệ.")])
        detail = _("Dữ liệu không hợp lệ: %(msg)s") % {"msg": first[0]}
        return error_response("invalid", detail, status.HTTP_400_BAD_REQUEST, fields, headers)
    codes = {
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        406: "not_acceptable",
        413: "file_too_large",
        415: "unsupported_media_type",
        429: "throttled",
    }
    code = codes.get(response.status_code, getattr(exc, "default_code", "error"))
    detail = getattr(exc, "detail", str(exc))
    if isinstance(detail, (dict, list)):
        detail = str(detail)
    return error_response(code, detail, response.status_code, None, headers)
