"""Formatting of report figures: rates with one decimal or "không có dữ liệu", signed changes, links."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote_plus

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def translated(message):
    """A Vietnamese msgid held as data (the 766 names, formulas and reasons), in the active language.

    `{% translate variable %}` would double every % before looking the text up, so "100% − ..." would
    never be found in the catalogue."""
    return _(message) if message else ""


@register.filter
def pct(value):
    """44.4 -> "44,4%"; None -> "không có dữ liệu" (a zero denominator is never 100%)."""
    if value is None:
        return format_html('<span class="muted">{}</span>', _("không có dữ liệu"))
    return f"{number_format(Decimal(value), 1)}%"


@register.filter
def points(value):
    if value is None:
        return "—"
    return number_format(Decimal(value), 2)


@register.filter
def num(value):
    if value is None:
        return "—"
    return number_format(value, 0, force_grouping=True)


@register.filter
def delta(value, unit=""):
    """A signed change with an arrow and words for screen readers; rates in percentage points."""
    if value is None:
        return format_html('<span class="muted">{}</span>', _("không so sánh được"))
    if value == 0:
        return format_html('<span class="delta same">{}</span>', _("không đổi"))
    sign, css, word = ("▲ +", "up", _("tăng")) if value > 0 else ("▼ −", "down", _("giảm"))
    amount = number_format(abs(Decimal(value)), 1) if unit == "pp" else number_format(abs(value), 0, force_grouping=True)
    suffix = _(" điểm %") if unit == "pp" else ""
    return format_html('<span class="delta {}"><span class="sr-only">{} </span>{}{}{}</span>', css, word, sign, amount, suffix)


@register.filter
def change(row, name):
    """The change of a row's rate since the previous period, in percentage points."""
    return delta(row.delta(name), "pp")


@lru_cache(maxsize=16)
def _dossiers_path(prefix: str, urlconf) -> str:
    return reverse("reporting:dossiers", urlconf=urlconf)


@register.simple_tag
def behind(base, metric, **filters):
    """The link to the list of dossiers behind a number, keeping the period and adding the filters.
    (A dashboard has a thousand of them: the list's path is resolved once per URL configuration.)"""
    extra = [("metric", metric), *((k, v) for k, v in filters.items() if v not in (None, ""))]
    path = _dossiers_path(get_script_prefix(), get_urlconf())
    if not base or any(k in base for k, _v in extra):  # a key of the period replaced in place: encode the whole
        params = dict(base)
        params.update(extra)
        return f"{path}?{urlencode(params)}"
    return f"{path}?{_encoded(tuple(base.items()))}&{urlencode(extra)}"


@lru_cache(maxsize=64)
def _encoded(items: tuple) -> str:
    """The period's part of the links, the same on every link of a page."""
    return urlencode(items)


@register.simple_tag
def with_params(base, **extra):
    """The current page's period plus other parameters (drill-down links)."""
    params = dict(base)
    for key, value in extra.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params)


# The columns of a report row (the dashboard's tables), in order: (CSS class, column label, what the cell shows:
# a tuple of metrics, each count linked to its dossiers, or the name of a rate). The header is
# templates/reporting/_head_cells.html, in the same order.
ROW_CELLS = (
    ("num", gettext_noop("Tiếp nhận"), ("received",)),
    ("num", gettext_noop("Đã giải quyết"), ("finished",)),
    ("num key", gettext_noop("Tỷ lệ đúng hạn"), "on_time_rate"),
    ("num key", gettext_noop("Trước hạn, đúng hạn, còn hạn: NĐ 61"), "in_time_rate"),
    ("num key", gettext_noop("Trước hạn, đúng hạn, còn hạn: Cổng quốc gia (2.1)"), "national_rate"),
    ("num", gettext_noop("Quá hạn"), ("late",)),
    ("num", gettext_noop("Đang giải quyết quá hạn"), ("pending_late",)),
    ("num more", gettext_noop("Trước hạn"), ("early",)),
    ("num more", gettext_noop("Đúng hạn"), ("on_time",)),
    ("num more", gettext_noop("Đang giải quyết còn hạn"), ("pending_in_time",)),
    ("num more", gettext_noop("Đang chờ bổ sung"), ("waiting",)),
    ("num more", gettext_noop("Trực tuyến"), ("online",)),
    ("num more", gettext_noop("Tỷ lệ trực tuyến"), "online_share"),
    ("num more", gettext_noop("Quá hạn đã xin lỗi / quá hạn"), ("apologised_late", "late_all")),
    ("num more", gettext_noop("Tỷ lệ xin lỗi"), "apologised_late_share"),
    ("num more", gettext_noop("Phải bổ sung"), ("supplemented",)),
    ("num more", gettext_noop("Hài lòng"), "satisfaction_rate"),
)


@lru_cache(maxsize=16)
def _cell_openers(language: str | None) -> tuple[str, ...]:
    """Each column's `<td ...>`, translated once per language."""
    return tuple(f'<td class="{css}" data-label="{escape(_(label))}">' for css, label, _what in ROW_CELLS)


@lru_cache(maxsize=16)
def _decimal_separator(language: str | None) -> str:
    return get_format("DECIMAL_SEPARATOR")


def rate_cell(value, language: str | None) -> str:
    """`pct` as a cell's escaped HTML; a rate (one decimal, under 1,000) formatted directly: `number_format` was
    most of a dashboard row's time."""
    if value is None or not -1000 < value < 1000:
        return conditional_escape(pct(value))
    return escape(f"{Decimal(value):.1f}".replace(".", _decimal_separator(language))) + "%"


@lru_cache(maxsize=64)
def _metric_param(metric: str) -> str:
    return escape(quote_plus(metric))


@lru_cache(maxsize=16)
def _count_separator(language: str | None) -> str | None:
    """What `num` puts between groups of three digits of a whole count in this language ("" when it does not
    group them; None when it groups otherwise: then `num` itself formats)."""
    grouping = get_format("NUMBER_GROUPING")
    if grouping == 0:
        return ""
    return get_format("THOUSAND_SEPARATOR") if grouping == 3 else None


@register.simple_tag
def cells(row, base, **filters):
    """A report row's cells (ROW_CELLS), each count a link to the dossiers behind it, built in Python: a dashboard
    has about 75 rows of 17 cells, and an included template with a tag per link cost most of the page's time.
    The HTML is the same as the tags `behind`, `num` and `pct` give cell by cell."""
    extra = [(k, v) for k, v in filters.items() if v not in (None, "")]
    if not base or any(k in base or k == "metric" for k, _v in extra):
        def href(metric):
            return escape(behind(base, metric, **filters))
    else:
        path = _dossiers_path(get_script_prefix(), get_urlconf())
        head = escape(f"{path}?{_encoded(tuple(base.items()))}&{urlencode([('metric', '')])}")
        tail = escape(f"&{urlencode(extra)}") if extra else ""

        def href(metric):
            return f"{head}{_metric_param(metric)}{tail}"

    language = get_language()
    separator = _count_separator(language)

    def count(value):
        if separator is None or type(value) is not int:
            return conditional_escape(num(value))
        return escape(f"{value:,}".replace(",", separator))

    out = []
    for opener, (_css, _label, what) in zip(_cell_openers(language), ROW_CELLS, strict=True):
        if isinstance(what, str):
            content = rate_cell(getattr(row, what), language)
        else:
            content = " / ".join(f'<a href="{href(m)}">{count(getattr(row, m))}</a>' for m in what)
        out.append(f"{opener}{content}</td>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
