"""Query parameters of the lists and the report, read the same way by the pages and the API.

Bad values are collected per parameter (never ignored, never a 500); the caller turns them into a
400 in the error format or messages next to the filters.
"""

from __future__ import annotations

from django.http import QueryDict
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from organisation.errors import NotFound, ValidationFailed
from organisation.selectors import staff_pairs
from reporting.forms import PeriodForm
from reporting.selectors import AgencyTree

from .models import TaskStatus
from .selectors import METRICS, ReportFilter, TaskFilter

VIEWS = ("assigned", "mine")


def _date(params, name: str, errors: dict):
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        errors[name] = [_("Ngày không hợp lệ (ví dụ 2026-12-31).")]
    return value


def list_filter(params, user, scope, tree: AgencyTree | None = None) -> tuple[str, TaskFilter]:
    """(view, filter) of a task list: `view` assigned (by my units) or mine (led or supported by my units)."""
    errors: dict = {}
    view = params.get("view") or "assigned"
    if view not in VIEWS:
        errors["view"] = [_("Chỉ nhận assigned hoặc mine.")]
    flt = TaskFilter(q=(params.get("q") or "").strip()[:200])
    if view == "mine":
        flt.unit_ids = frozenset(agency for agency, _role in staff_pairs(user)) if not user.is_superuser else None
    else:
        flt.assigner_ids = None if scope is None else frozenset(scope)
    code = (params.get("unit") or "").strip()
    if code:
        tree = tree or AgencyTree.load()
        unit = tree.by_code.get(code)
        if unit is None:
            errors["unit"] = [_("Không tìm thấy đơn vị mã “%(code)s”.") % {"code": code}]
        else:
            ids = tree.subtree(unit.id)
            flt.unit_ids = frozenset(ids if flt.unit_ids is None else ids & flt.unit_ids)
    raw = (params.get("directive") or "").strip()
    if raw:
        if raw.isdigit():
            flt.directive_id = int(raw)
        else:
            errors["directive"] = [_("Phải là một số nguyên.")]
    flt.start, flt.end = _date(params, "from", errors), _date(params, "to", errors)
    if flt.start and flt.end and flt.start > flt.end:
        errors["to"] = [_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")]
    status = (params.get("status") or "").strip()
    if status:
        if status in TaskStatus.values:
            flt.status = status
        else:
            errors["status"] = [_("Trạng thái không hợp lệ (%(values)s).") % {"values": ", ".join(TaskStatus.values)}]
    late = (params.get("late") or "").strip().lower()
    if late:
        if late in ("true", "1"):
            flt.late = True
        elif late in ("false", "0"):
            flt.late = False
        else:
            errors["late"] = [_("Chỉ nhận true hoặc false.")]
    flt.errors = errors
    return view, flt


def report_filter(params, scope) -> tuple[PeriodForm, ReportFilter, object, AgencyTree, str]:
    """The period (the reports' PeriodForm), the unit (`agency` code, within scope) and the metric."""
    form = PeriodForm(params if isinstance(params, QueryDict) else _query(params))
    errors: dict = {}
    metric = params.get("metric") or "assigned"
    if metric not in METRICS:
        errors["metric"] = [_("Chỉ tiêu không hợp lệ.")]
    if not form.is_valid():
        errors.update({k: [str(m) for m in v] for k, v in form.errors.items()})
    if errors:
        msg = next(iter(errors.values()))[0]
        raise ValidationFailed(msg, fields=errors)
    tree = AgencyTree.load()
    unit = tree.resolve(params.get("agency") or None, scope)
    if unit is None:
        unit = tree.default_unit(scope)
    ids = tree.agency_ids(unit, scope)
    period = form.period
    return form, ReportFilter(period.start, period.end, ids), unit, tree, metric


def _query(params) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in params.items():
        q[k] = v
    return q


__all__ = ["list_filter", "report_filter", "NotFound"]
