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

        found = params.problems(request.GET, max_chars=settings.QUERY_VALUE_MAX_CHARS)
        if params.path_problem(request.path):
            found = {"path": "control", **found}
        if found:
            return self.refuse(request, found)
        return self.get_response(request)

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
