"""The portal's own error pages: 400, 403, 404 and 500 in the portal's layout, in the visitor's language.

Django shows its debug pages only with DEBUG on; these are what everyone else sees. An address under
/api/ gets the API's error format instead of a page. The 500 page is rendered with the request (for the
layout and the language) and, if even that fails, as a short page of its own.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger(__name__)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _messages():
    return {
        400: ("bad_request", _("Yêu cầu không hợp lệ"),
              _("Máy chủ không hiểu yêu cầu này. Hãy quay lại trang trước và thử lại.")),
        403: ("permission_denied", _("Không có quyền truy cập"),
              _("Bạn không có quyền xem trang này hoặc làm thao tác này. Nếu cần, hãy đăng nhập bằng tài khoản "
                "khác hoặc liên hệ quản trị viên.")),
        404: ("not_found", _("Không tìm thấy trang"),
              _("Trang bạn tìm không có, đã bị chuyển đi, hoặc bạn không có quyền xem.")),
        500: ("server_error", _("Hệ thống đang gặp sự cố"),
              _("Yêu cầu chưa xử lý được. Lỗi đã được ghi lại; hãy thử lại sau ít phút.")),
    }


def _respond(request, status: int) -> HttpResponse:
    code, title, text = _messages()[status]
    if _is_api(request):
        return JsonResponse({"code": code, "detail": title, "fields": {}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    template = loader.get_template("error.html")
    body = template.render({"status": status, "title": title, "text": text}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _respond(request, 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _respond(request, 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _respond(request, 404)


@requires_csrf_token
def server_error(request):
    try:
        return _respond(request, 500)
    except Exception:  # noqa: BLE001 - the layout itself failed (the database is away...): a bare page
        log.exception("the 500 page could not be rendered in the layout")
        _, title, text = _messages()[500]
        return HttpResponse(f"<!doctype html><meta charset='utf-8'><title>{title}</title><h1>{title}</h1><p>{text}</p>",
                            status=500)


def csrf_failure(request, reason=""):
    """A form posted with a stale or missing CSRF token (an old tab, a lost cookie): a 403 that says what to do."""
    if _is_api(request):
        return JsonResponse({"code": "csrf_failed", "detail": _("Phiên làm việc đã hết hạn; hãy tải lại trang."),
                             "fields": {}}, status=403, json_dumps_params={"ensure_ascii": False})
    template = loader.get_template("error.html")
    body = template.render({"status": 403, "title": _("Phiên làm việc đã hết hạn"),
                            "text": _("Biểu mẫu đã cũ hoặc trình duyệt chặn cookie. Hãy tải lại trang rồi gửi lại.")},
                           request)
    return HttpResponse(body, status=403)
