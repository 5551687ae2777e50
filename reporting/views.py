"""Report pages: the managers' dashboard and its drill-down, the 766 page, exports, and open data.

Views only parse the request and call the selectors; every figure comes from reporting/selectors.py.
"""

from __future__ import annotations

import json
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dossiers import lateness
from organisation.errors import NotAllowed, NotFound, ValidationFailed

from . import charts, exports, selectors
from .forms import PeriodForm, period_params
from .periods import Period
from .periods import year as year_period

PAGE_SIZE = 50


def _scope(request):
    try:
        return selectors.reporting_scope(request.user)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from exc


def _int(request, name: str, errors: dict) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors[name] = [_("Phải là một số nguyên.")]
        return None


def _dossier_url():
    """Links to the dossier page when the dossiers app offers one; otherwise the code is plain text."""
    try:
        reverse("dossiers:detail", args=["X"])
    except NoReverseMatch:
        return None
    return lambda code: reverse("dossiers:detail", args=[code])


def _decimal_mark() -> str:
    """The decimal mark of the active language, for the charts (the tables use number_format)."""
    return get_format("DECIMAL_SEPARATOR")


def _invalid(request, template: str, form, errors: dict | None = None, extra: dict | None = None):
    context = {"form": form, "field_errors": errors or {}, "invalid": True, **(extra or {})}
    return render(request, template, context, status=400)


def _dashboard_context(request, scope, with_trend: bool = True):
    """Everything the dashboard, its Excel file and its PDF show; None and a 400 page on bad input."""
    form = PeriodForm(request.GET)
    errors: dict = {}
    field_id = _int(request, "field", errors)
    procedure_id = _int(request, "procedure", errors)
    if not form.is_valid() or errors:
        return None, _invalid(request, "reporting/dashboard.html", form, errors)
    period = form.period
    tree = selectors.AgencyTree.load()
    try:
        dash = selectors.dashboard(scope, period, request.GET.get("agency") or None, field_id, procedure_id,
                                   tree=tree, with_trend=with_trend)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    except ValidationFailed as exc:  # an unknown agency code
        return None, _invalid(request, "reporting/dashboard.html", form, exc.fields)
    base = period_params(period)
    here = dict(base)
    if dash.unit is not None and request.GET.get("agency"):
        here["agency"] = dash.unit.code
    if dash.field is not None:
        here["field"] = dash.field.pk
    if dash.procedure is not None:
        here["procedure"] = dash.procedure.pk
    ranked = selectors.ranking(dash.units)
    context = {
        "form": form,
        "dash": dash,
        "period": period,
        "base": base,
        "here": here,
        "unit_code": dash.unit.code if dash.unit else "",
        "field_id": dash.field.pk if dash.field else "",
        "procedure_id": dash.procedure.pk if dash.procedure else "",
        "ranked": ranked,
        "agency_ids": tree.agency_ids(dash.unit, scope),
        **(_trend_context(dash.trend, period) if with_trend else {}),
        "channel_chart": mark_safe(charts.share_bar(  # noqa: S308
            [(r.label, r.received) for r in dash.channels], _("Cơ cấu hồ sơ theo kênh nộp"), no_data=_(charts.NO_DATA),
            decimal=_decimal_mark(),
        )),
        "ranking_chart": mark_safe(charts.bar_chart(  # noqa: S308
            [(r.label, r.on_time_rate) for r in ranked], _("Xếp hạng đơn vị theo tỷ lệ đúng hạn"), decimal=_decimal_mark(),
        )) if ranked else "",
    }
    return context, None


def _trend_context(rows, period: Period) -> dict:
    start = date.fromisoformat(rows[0].key + "-01") if rows else period.start
    return {
        "trend": rows,
        # The months' numbers link to their dossiers: the 12 months as one custom period, one month each.
        "trend_base": {"kind": "custom", "from": start.isoformat(), "to": period.end.isoformat()},
        "trend_chart": mark_safe(charts.line_chart(  # noqa: S308 - built by charts.py, labels escaped there
            [(r.label, r.on_time_rate) for r in rows], _("Tỷ lệ giải quyết đúng hạn theo tháng"), decimal=_decimal_mark(),
        )),
    }


@login_required
def dashboard(request):
    """The managers' dashboard (/bao-cao/): KPIs, comparison, drill-down, charts.

    The 12-month trend reads a year of dossiers, so the page asks for it separately (htmx, or a link
    without JavaScript) and shows the rest at once."""
    scope = _scope(request)
    context, error = _dashboard_context(request, scope, with_trend=False)
    if error is not None:
        return error
    # The lateness forecast: open dossiers of the chosen unit (within the viewer's scope) flagged at risk.
    dash = context["dash"]
    context["at_risk"] = lateness.at_risk_count(context["agency_ids"], field_id=dash.field.pk if dash.field else None,
                                                procedure_id=dash.procedure.pk if dash.procedure else None)
    context["risk_threshold"] = round(settings.FORECAST_THRESHOLD * 100)
    return render(request, "reporting/dashboard.html", context)


@login_required
def dashboard_trend(request):
    """The 12-month trend of the dashboard: a fragment for htmx, a page of its own otherwise."""
    scope = _scope(request)
    errors: dict = {}
    form, flt, unit, _metric = _behind_filter(request, scope, errors)
    if flt is None:
        return _invalid(request, "reporting/trend.html", form, errors)
    context = {
        "unit": unit, "period": flt.period, "unit_code": unit.code if unit else "",
        "field_id": flt.field_id or "", "procedure_id": flt.procedure_id or "",
        **_trend_context(selectors.trend(flt), flt.period),
    }
    template = "reporting/_trend.html" if getattr(request, "htmx", False) else "reporting/trend.html"
    return render(request, template, context)


@login_required
def dashboard_xlsx(request):
    scope = _scope(request)
    context, error = _dashboard_context(request, scope)
    if error is not None:
        return error
    dash = context["dash"]
    index = selectors.index_766(scope, dash.period, dash.unit.code if dash.unit else None)
    content = exports.dashboard_workbook(dash, index)
    return _download(content, exports.XLSX, _filename("bao-cao", dash.period, "xlsx"))


@login_required
def report_pdf(request):
    scope = _scope(request)
    context, error = _dashboard_context(request, scope)
    if error is not None:
        return error
    dash = context["dash"]
    context["index"] = selectors.index_766(scope, dash.period, dash.unit.code if dash.unit else None)
    context["generated_at"] = timezone.localtime()
    content = exports.render_pdf("reporting/report_pdf.html", context, request)
    return _download(content, "application/pdf", _filename("bao-cao", dash.period, "pdf"), inline=True)


def _filename(stem: str, period: Period, ext: str) -> str:
    return f"{stem}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{ext}"


def _download(content: bytes | str, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


# --- the dossiers behind a number ----------------------------------------------------------------


def _behind_filter(request, scope, errors: dict):
    form = PeriodForm(request.GET)
    field_id = _int(request, "field", errors)
    procedure_id = _int(request, "procedure", errors)
    metric = request.GET.get("metric") or "received"
    if metric not in selectors.METRICS:
        errors["metric"] = [_("Chỉ tiêu không hợp lệ.")]
    channel = request.GET.get("channel") or None
    if channel and channel not in {c for c, _label in selectors.Channel.choices}:
        errors["channel"] = [_("Kênh nộp không hợp lệ.")]
    # `in_month` narrows a list to the dossiers received in one month of the period (a row of the
    # trend); `month` already names the period itself when the period is a month.
    month = None
    raw_month = request.GET.get("in_month", "").strip()
    if raw_month:
        try:
            y, m = (int(x) for x in raw_month.split("-"))
            month = date(y, m, 1)
            if not 2000 <= y <= 2100:
                raise ValueError
        except ValueError:
            errors["in_month"] = [_("Nhập tháng theo dạng YYYY-MM.")]
    if not form.is_valid() or errors:
        return form, None, None, None
    tree = selectors.AgencyTree.load()
    try:
        unit = tree.resolve(request.GET.get("agency") or None, scope)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    except ValidationFailed as exc:  # an unknown agency code
        errors.update(exc.fields)
        return form, None, None, None
    flt = selectors.ReportFilter(form.period, tree.agency_ids(unit, scope), field_id=field_id, procedure_id=procedure_id,
                                 channel=channel, month=month)
    return form, flt, unit, metric


@login_required
def dossiers(request):
    """The list of dossiers behind any number of the reports (paginated)."""
    scope = _scope(request)
    errors: dict = {}
    form, flt, unit, metric = _behind_filter(request, scope, errors)
    if flt is None:
        return _invalid(request, "reporting/dossiers.html", form, errors)
    page = Paginator(selectors.dossiers_behind(metric, flt), PAGE_SIZE).get_page(request.GET.get("page"))
    link = _dossier_url()
    rows = [(d, link(d.code) if link and d.code else None) for d in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "reporting/dossiers.html", {
        "form": form, "page": page, "rows": rows, "metric": metric, "metric_label": str(selectors.METRIC_LABELS[metric]),
        "unit": unit, "filter": flt, "query": params.urlencode(),
        "channel_label": selectors.Channel(flt.channel).label if flt.channel else "",
    })


@login_required
def dossiers_xlsx(request):
    scope = _scope(request)
    errors: dict = {}
    form, flt, unit, metric = _behind_filter(request, scope, errors)
    if flt is None:
        return _invalid(request, "reporting/dossiers.html", form, errors)
    content = exports.dossiers_workbook(selectors.dossiers_behind(metric, flt), str(selectors.METRIC_LABELS[metric]), flt)
    return _download(content, exports.XLSX, _filename(f"ho-so-{metric}", flt.period, "xlsx"))


# --- Decision 766 --------------------------------------------------------------------------------


@login_required
def index_766(request):
    scope = _scope(request)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "reporting/index_766.html", form)
    tree = selectors.AgencyTree.load()
    agency = request.GET.get("agency") or None
    try:
        index = selectors.index_766(scope, form.period, agency, tree=tree)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    except ValidationFailed as exc:  # an unknown agency code
        return _invalid(request, "reporting/index_766.html", form, exc.fields)
    base = period_params(form.period)
    return render(request, "reporting/index_766.html", {
        "form": form, "index": index, "base": base, "unit_code": index.unit.code if index.unit else "",
        "links": selectors.INDICATOR_LINKS, "path": tree.path(index.unit, scope), "period": form.period,
    })


# --- open data: public, aggregated, no personal data ------------------------------------------------


def _public_year(request) -> tuple[int, Period]:
    raw = request.GET.get("year", "").strip()
    today = timezone.localdate()
    try:
        y = int(raw) if raw else today.year
        if not 2000 <= y <= 2100:
            raise ValueError
    except ValueError:
        raise ValidationFailed(_("Năm không hợp lệ."), fields={"year": [_("Năm không hợp lệ.")]}) from None
    period = year_period(y)
    if period.end > today:
        period = Period(period.start, max(today, period.start), "custom")
    return y, period


def public_index(request):
    tree = selectors.AgencyTree.load()
    groups = [(root, tree.children.get(root.id, [])) for root in tree.roots(None)]
    return render(request, "reporting/public_index.html", {"groups": groups})


def public_unit(request, code: str):
    """A unit's on-time and satisfaction figures by month, for everyone (open data)."""
    try:
        y, period = _public_year(request)
    except ValidationFailed as exc:
        return render(request, "reporting/public_unit.html", {"field_errors": exc.fields, "invalid": True}, status=400)
    try:
        unit, rep = selectors.public_unit(code, period)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    chart = mark_safe(charts.line_chart(  # noqa: S308
        [(r.label, r.on_time_rate) for r in rep.rows], _("Tỷ lệ giải quyết đúng hạn theo tháng"), decimal=_decimal_mark(),
    ))
    return render(request, "reporting/public_unit.html", {
        "unit": unit, "report": rep, "year": y, "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "chart": chart,
    })


def public_unit_data(request, code: str, fmt: str):
    try:
        y, period = _public_year(request)
        unit, rep = selectors.public_unit(code, period)
    except ValidationFailed as exc:
        return HttpResponse(json.dumps({"code": exc.code, "detail": str(exc.detail), "fields": exc.fields}),
                            status=400, content_type="application/json")
    except NotFound as exc:
        raise Http404(str(exc.detail)) from exc
    stem = f"cong-khai-{unit.code}-{y}"
    if fmt == "csv":
        return _download(exports.public_csv(unit, rep), "text/csv; charset=utf-8", f"{stem}.csv")
    return _download(exports.public_json(unit, rep, period), "application/json", f"{stem}.json")
