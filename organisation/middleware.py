"""Vietnamese first: pages are Vietnamese unless the user picked English in the top bar.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer whose browser is set
to English would get English pages. Pages follow the language cookie only; the API keeps following
Accept-Language, as its contract says (api.md: error text in Vietnamese or English by Accept-Language).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class QueryParameterGuard:
    """Refuse a hostile query string before any view reads it (issue 9, row 5): a NUL or other control
    character in a parameter or in the path, a value longer than `QUERY_VALUE_MAX_CHARS`, an absurd page
    number or page size, a date that does not exist. The rules live in `organisation.params`.

    The API gets 400 in its error format naming the parameter; a page gets a 400 page saying which
    parameter and why, with a way back. Placed after the authentication and messages middleware, so the
    page has the user's menu.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import params

        if params.path_problem(request.path):
            return self.not_found(request)
        found = params.problems(request.GET, max_chars=settings.QUERY_VALUE_MAX_CHARS)
        if found:
            return self.refuse(request, found)
        return self.get_response(request)

    @staticmethod
    def not_found(request):
        """A path with a NUL or another control character names nothing: 404, before any look-up."""
        from django.http import Http404, JsonResponse
        from django.utils.translation import gettext as _

        if request.path.startswith("/api/"):
            return JsonResponse({"code": "not_found", "detail": _("Không tìm thấy."), "fields": {}}, status=404,
                                json_dumps_params={"ensure_ascii": False})
        raise Http404

    @staticmethod
    def messages(found: dict[str, str]) -> dict[str, list[str]]:
        from django.utils.formats import number_format
        from django.utils.translation import gettext as _

        from . import params

        texts = {
            "control": _("Có ký tự không hợp lệ."),
            "too_long": _("Giá trị quá dài (tối đa %(max)d ký tự).") % {"max": settings.QUERY_VALUE_MAX_CHARS},
            "page": _("Số trang phải là số nguyên dương, không quá %(max)s.")
            % {"max": number_format(params.PAGE_MAX, force_grouping=True)},
            "page_size": _("Số dòng mỗi trang phải là một số nguyên dương."),
            "date": _("Ngày không hợp lệ: dùng dạng YYYY-MM-DD, trong khoảng năm 1900–2100."),
        }
        return {name: [texts[kind]] for name, kind in found.items()}

    def refuse(self, request, found: dict[str, str]):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        fields = self.messages(found)
        name, msgs = next(iter(fields.items()))
        detail = _("Tham số “%(name)s” không hợp lệ: %(msg)s") % {"name": name, "msg": msgs[0]}
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "detail": detail, "fields": fields}, status=400,
                                json_dumps_params={"ensure_ascii": False})
        return render(request, "bad_query.html", {"detail": detail, "fields": fields}, status=400)


class UploadLimitGuard:
    """A form or multipart body is read here, within the limits, before any view or the CSRF check reads
    it (issue 9, rows 1 and 9): a body larger than a whole dossier may be (`DOSSIER_MAX_TOTAL_BYTES` plus
    `DATA_UPLOAD_MAX_MEMORY_SIZE` of fields) is refused by its Content-Length before a byte is read (413);
    more files than `DATA_UPLOAD_MAX_NUMBER_FILES` or fields than `DATA_UPLOAD_MAX_NUMBER_FIELDS` is a 400.
    The API gets its error format, never Django's bare HTML 400; a page gets the message. DRF then takes
    the body Django parsed here.
    """

    FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in self.FORM_TYPES:
            refused = self.check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def check(self, request):
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
        from django.http import UnreadablePostError
        from django.http.multipartparser import MultiPartParserError
        from django.utils.translation import gettext as _

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DOSSIER_MAX_TOTAL_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        try:
            if length > limit:
                raise RequestDataTooBig
            if request.method == "POST":
                request.POST  # noqa: B018 - parse now, within the limits (FILES comes with it)
            else:
                request._load_post_and_files()
        except RequestDataTooBig:
            msg = _("Yêu cầu quá lớn: tổng dung lượng tệp của hồ sơ tối đa %(mb)d MB.") % {
                "mb": settings.DOSSIER_MAX_TOTAL_BYTES // (1024 * 1024)}
            return self.refuse(request, 413, "request_too_large", msg)
        except TooManyFilesSent:
            msg = _("Quá nhiều tệp trong một lần gửi: tối đa %(max)d tệp.") % {
                "max": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
            return self.refuse(request, 400, "too_many_files", msg)
        except TooManyFieldsSent:
            msg = _("Quá nhiều trường trong một lần gửi: tối đa %(max)d trường.") % {
                "max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
            return self.refuse(request, 400, "too_many_fields", msg)
        except (MultiPartParserError, UnreadablePostError):
            msg = _("Nội dung gửi lên không đọc được (multipart không hợp lệ hoặc bị cắt).")
            return self.refuse(request, 400, "parse_error", msg)
        data = request.POST if request.method == "POST" else getattr(request, "_post", None)
        for name, values in data.lists() if data is not None else ():
            if "\x00" in name or any("\x00" in value for value in values):
                msg = _("Có ký tự không hợp lệ.")
                return self.refuse(request, 400, "invalid", msg, {name.replace("\x00", ""): [msg]})
        return None

    @staticmethod
    def refuse(request, status: int, code: str, msg: str, fields=None):
        from django.http import JsonResponse
        from django.shortcuts import render

        if request.path.startswith("/api/"):
            response = JsonResponse({"code": code, "detail": msg, "fields": fields or {}}, status=status,
                                    json_dumps_params={"ensure_ascii": False})
        else:
            response = render(request, "bad_query.html", {"detail": msg, "fields": fields or {}}, status=status)
        return response
