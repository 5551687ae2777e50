"""The query-string conventions every list, search and report shares, checked in one place.

A hostile value never reaches a view: a NUL byte (PostgreSQL refuses it in text and answers with an
error), a value longer than any real search, an absurd page number (an OFFSET past bigint), or a date
that does not exist or lies so far away that adding a day to it overflows. `QueryParameterGuard`
(organisation.middleware) asks `problems()` for every request and answers 400 naming the parameter: in
the error format for the API, with a clear message for the pages. The views keep their own, finer checks
(a status from 1 to 10, page_size at most 200); this is the floor under all of them.

Pure: standard library only, so the rules are tested without a request.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# Dates and datetimes the portal accepts anywhere (api.md: YYYY-MM-DD and ISO 8601; the calendar pages
# also take dd/mm/yyyy), and the years a date may name: far enough for any dossier, near enough that
# `date + timedelta` never overflows.
DATE_PARAMETERS = frozenset({"from", "to", "date", "ngay", "day", "received_at", "start", "end"})
YEAR_MIN, YEAR_MAX = 1900, 2100
# A `page` or `page_size` past these is absurd (its OFFSET would overflow): refused here. Within them,
# the paginators apply their own bounds (page_size at most 200, a page past the end is a 404).
PAGE_MAX = 1_000_000
PAGE_SIZE_MAX = 1_000_000
# A value shaped like a date (2026-13-45, 31/02/2026, 9999-12-31T00:00) must name a real day within the
# years; anything else ("hôm qua") is left to the view's own parser, which names it next to its field.
_DATE_SHAPED = re.compile(r"^(\d{1,6}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{1,6})")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_SPACE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


def _has_control(text: str) -> bool:
    """NUL and the other C0 controls but tab, newline and carriage return: no search, code or date holds one."""
    return any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text)


def parse_date_value(raw: str) -> date | None:
    """The date (or the date of a datetime) `raw` names in one of the accepted forms, within the years
    the portal deals with; None when it names none."""
    text = raw.strip()
    try:
        if _ISO_DATE.match(text):
            value = date.fromisoformat(text)
        elif _VN_DATE.match(text):
            value = datetime.strptime(text, "%d/%m/%Y").date()
        else:
            value = datetime.fromisoformat(_SPACE_OFFSET.sub(r"+\1", text).replace("Z", "+00:00")).date()
    except ValueError:
        return None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        return None
    return value


def _absurd(value: str, limit: int) -> bool:
    """A number past `limit` (any count of digits, or a sign before them). Words, zero and the like are the
    paginators' to answer (the API with its 400, the pages by showing the first page)."""
    text = value.strip().lstrip("+-")
    return text.isdigit() and (len(text) > 12 or int(text) > limit)


def problems(params, *, max_chars: int) -> dict[str, str]:
    """{parameter: what is wrong} for a query (any mapping with `lists()` or `items()`), empty when fine.

    Messages are keys for the caller to translate: "control", "too_long", "page", "page_size", "date".
    """
    out: dict[str, str] = {}
    items = params.lists() if hasattr(params, "lists") else ((k, [v]) for k, v in params.items())
    for name, values in items:
        if _has_control(name) or len(name) > 100:
            out[name[:100].replace("\x00", "")] = "control"
            continue
        for value in values:
            value = value or ""
            if _has_control(value):
                out[name] = "control"
            elif len(value) > max_chars:
                out[name] = "too_long"
            elif name == "page" and _absurd(value, PAGE_MAX):
                out[name] = "page"
            elif name == "page_size" and _absurd(value, PAGE_SIZE_MAX):
                out[name] = "page_size"
            elif name in DATE_PARAMETERS and _DATE_SHAPED.match(value.strip()) and parse_date_value(value) is None:
                out[name] = "date"
            if name in out:
                break
    return out


def path_problem(path: str) -> bool:
    """A path segment carrying a control character (a code `a%00b`) is refused before any look-up."""
    return _has_control(path)


def nul_path(data, path: str = "") -> str | None:
    """The path (`components[0].name`, as the error format names fields) of the first NUL byte in a parsed
    body (a key or a string anywhere in dicts and lists), or None. PostgreSQL refuses NUL in text."""
    if isinstance(data, str):
        return path or "non_field_errors" if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return path or "non_field_errors"
            found = nul_path(value, sub)
            if found:
                return found
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            found = nul_path(value, f"{path}[{i}]" if path else f"[{i}]")
            if found:
                return found
    return None
