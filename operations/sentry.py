"""Optional error reports to Sentry (`SENTRY_DSN`), with the citizens' personal data scrubbed first.

`scrub` is pure: every event passes through it before it leaves the process. Values under personal keys
(names, ID numbers, phones, e-mails, addresses) are replaced, ID-number-, phone- and e-mail-shaped text in
any string is masked, and the request body, cookies, authorisation headers and user details are dropped.
"""

import re

FILTERED = "[đã ẩn]"
PERSONAL_KEYS = {
    "full_name", "name", "first_name", "last_name", "applicant", "owner", "owner_name", "submitter",
    "id_number", "identity_number", "cccd", "phone", "phone_number", "mobile", "email", "address",
    "password", "token", "secret", "authorization", "cookie", "session", "sessionid", "csrftoken",
}
# 9- or 12-digit ID numbers, Vietnamese phone numbers (0xxxxxxxxx, +84xxxxxxxxx, with spaces or dots), e-mails.
_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"),
    re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)"),
]


def mask(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(FILTERED, text)
    return text


def _clean(value, depth: int = 0):
    if depth > 20:
        return FILTERED
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: (FILTERED if isinstance(k, str) and k.lower() in PERSONAL_KEYS else _clean(v, depth + 1))
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v, depth + 1) for v in value]
    return value


def scrub(event: dict, hint=None) -> dict:
    """Sentry's `before_send`: the event without personal data."""
    event = dict(event)
    if "user" in event:
        event["user"] = {"id": event["user"].get("id")} if isinstance(event["user"], dict) else {}
    request = event.get("request")
    if isinstance(request, dict):
        request = {k: v for k, v in request.items() if k not in {"data", "cookies", "env"}}
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() not in {"authorization", "cookie"}}
        if request.get("query_string"):
            request["query_string"] = FILTERED
        event["request"] = request
    return _clean(event)


def init(dsn: str, *, environment: str, release: str = "") -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        before_send=scrub,
        before_send_transaction=scrub,
        traces_sample_rate=0.0,
    )
