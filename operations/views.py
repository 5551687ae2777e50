"""The metrics endpoint for Prometheus: a bearer token when `METRICS_TOKEN` is set, else the loopback client only."""

import hmac

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from prometheus_client import CONTENT_TYPE_LATEST

from organisation.net import client_ip

from .metrics import render

_LOOPBACK = {"127.0.0.1", "::1"}


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    # The client's own address (behind trusted proxies, the one they saw), so a balancer on this host does
    # not make /metrics public.
    return client_ip(request) in _LOOPBACK


def metrics(request):
    if not _allowed(request):
        return HttpResponseForbidden("metrics: forbidden\n", content_type="text/plain")
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
