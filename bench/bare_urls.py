"""config.urls and `/bench/bare/` (see bench/bare_wsgi.py)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *portal]
