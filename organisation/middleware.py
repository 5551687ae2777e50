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
