"""Row 5 of issue 9: no 5xx for hostile query parameters, on every URL pattern of the API and the pages.

The walk covers every pattern the URL configuration holds (outside the admin): each is sent the query
parameters the portal reads anywhere, with a NUL byte, a 10,000-character value, absurd page numbers and
impossible dates, as the public, a desk officer, a citizen and a manager. A 4xx is the right answer; a
5xx fails. A new URL pattern is walked without touching this file.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dossiers.models import Dossier, DossierComponent

# Every query parameter some view reads (API, pages, forms, serializers), plus the pagination's.
PARAMS = (
    "q", "procedure", "agency", "status", "late", "page", "page_size", "from", "to", "date", "day", "month",
    "year", "quarter", "received_at", "amount", "unit", "group_by", "field", "online", "code", "secret",
    "identifier", "token", "tab", "unread", "metric", "in_month", "format", "channel", "ngay", "nhap", "name",
    "kind", "verdict", "desk", "slot", "start", "end", "next", "lang", "period",
)
DATES = ("from", "to", "date", "day", "received_at", "ngay", "start", "end")

# Refused at the door by `QueryParameterGuard` whatever the URL.
REFUSED = {
    "nul": {name: "a\x00b" for name in PARAMS},
    "long": {name: "x" * 10_000 for name in PARAMS},
    "huge_page": {"page": "99999999999999999999", "page_size": "99999999999999999999"},
    "bad_dates": {**{name: "2026-13-45" for name in DATES}, "year": "99999999999", "month": "13"},
    "overflowing_dates": {name: "9999-12-31" for name in DATES},
}
# Let through to the views, which must answer them with a 4xx or a page, never a 5xx.
PASSED = {
    "edges": {**{name: "2100-12-31" for name in DATES}, "page": "1000000", "page_size": "1000000",
              "q": "%_'\"", "year": "2100", "month": "2100-12", "amount": "99999999999", "unit": "x",
              **{name: "-1" for name in PARAMS if name not in DATES and name not in ("page", "page_size", "q")}},
    "words": {name: "hôm qua" for name in PARAMS},
    "low_edges": {**{name: "1900-01-01" for name in DATES}, "page": "-1", "page_size": "0", "q": "ü" * 999, "year": "1900",
                  "amount": "0", "status": "0", "late": "maybe", "group_by": "x"},
}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route: str, values: dict) -> str:
    import re

    def one(match):
        name = match.group(2)
        if name == "code":
            if route.startswith(("api/v1/procedures", "thu-tuc", "ho-so/tiep-nhan", "cong-dan/nop-ho-so")):
                return values["procedure"]
            if route.startswith("bao-cao/cong-khai"):
                return values["agency"]
            return values["dossier"]
        # Ids of other rooms' objects (a task's file, a payment's transaction): any value reaches the view.
        return str(values.get(name, 1))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


@pytest.fixture
def urls(demo):
    from citizens.models import Feedback

    dossier = Dossier.objects.filter(code__isnull=False, agency=demo["commune"], citizen__isnull=False).first() \
        or Dossier.objects.filter(code__isnull=False, agency=demo["commune"]).first()
    component = DossierComponent.objects.filter(dossier=dossier).first()
    feedback = Feedback.objects.first()
    values = {
        "procedure": "1.004873", "agency": demo["commune"].code, "dossier": dossier.code, "ref": dossier.code,
        "action": "transfer", "name": "transfer", "form": "receipt", "component_id": component.pk if component else 1,
        "pk": feedback.pk if feedback else 1, "agency_code": demo["commune"].code,
    }
    return sorted({_fill(route, values) for route in _patterns() if "logout" not in route})


def _walk(urls, usernames, queries):
    failures = []
    for username in usernames:
        client = Client(raise_request_exception=True)
        if username:
            from django.contrib.auth import get_user_model

            client.force_login(get_user_model().objects.get(username=username))
        for kind, query in queries.items():
            for url in urls:
                try:
                    response = client.get(url, query)
                except Exception as exc:  # the test client re-raises what would have been a 500
                    failures.append((username, kind, url, f"{type(exc).__name__}: {str(exc)[:150]}"))
                    continue
                if response.status_code >= 500:
                    failures.append((username, kind, url, response.status_code))
    return failures


def test_hostile_query_is_refused_with_400_everywhere(urls):
    failures = _walk(urls, (None, "motcua"), REFUSED)
    assert failures == [], "\n".join(map(str, failures))


def test_edge_values_reach_the_views_without_server_error(urls):
    failures = _walk(urls, (None, "motcua", "congdan", "quanly"), PASSED)
    assert failures == [], "\n".join(map(str, failures))
