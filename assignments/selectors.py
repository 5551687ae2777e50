"""Reads about tasks: who sees which, the lists and their filters, a task's whole history, the report.

Scope follows the unit tree (organisation.selectors.descendant_ids, one recursive query): a unit sees
its own tasks and those of the units under it, whatever the staff member's role there. A task is visible to a unit that assigned it, leads it
or supports it. The report counts tasks with filtered aggregates in SQL, one row per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.errors import NotAllowed
from organisation.selectors import descendant_ids, staff_pairs

from . import rules
from .models import Directive, ExtensionRequest, Task, TaskEvent, TaskReport, TaskStatus

LIST_FIELDS = ("directive", "assigner", "lead_agency")


def task_scope(user) -> set[int] | None:
    """The agencies whose tasks the user may see (None: all); anyone else is refused."""
    if not user or not user.is_authenticated:
        raise NotAllowed(_("Bạn cần đăng nhập."), code="not_authenticated")
    if user.is_superuser:
        return None
    ids = descendant_ids(agency for agency, _role in staff_pairs(user))
    if not ids:
        raise NotAllowed(_("Chỉ cán bộ được xem nhiệm vụ."))
    return ids


def _supported_by(ids) -> Exists:
    through = Task.supporting_agencies.through
    return Exists(through.objects.filter(task_id=OuterRef("pk"), agency_id__in=ids))


def visible_tasks(scope: set[int] | None) -> QuerySet:
    qs = Task.objects.select_related(*LIST_FIELDS)
    if scope is None:
        return qs
    ids = sorted(scope)
    return qs.filter(Q(assigner_id__in=ids) | Q(lead_agency_id__in=ids) | _supported_by(ids))


def task_for(scope: set[int] | None, pk) -> Task | None:
    try:
        pk = int(str(pk).removeprefix("NV-"))
    except ValueError:
        return None
    return visible_tasks(scope).filter(pk=pk).first()


def detail(task: Task) -> Task:
    """The task with its history, reports (and their files), extension requests and supporting units."""
    return (Task.objects.select_related(*LIST_FIELDS)
            .prefetch_related("supporting_agencies",
                              Prefetch("events", queryset=TaskEvent.objects.order_by("at", "id")),
                              Prefetch("reports", queryset=TaskReport.objects.prefetch_related("files")
                                       .select_related("submitted_by", "decided_by")),
                              Prefetch("extensions", queryset=ExtensionRequest.objects.select_related(
                                  "requested_by", "decided_by")))
            .get(pk=task.pk))


def today() -> date:
    return timezone.localdate()


def _waiting_in_time(end_day: date) -> Q:
    """Completion reported by the deadline (and before `end_day`): waiting for the assigner is not lateness."""
    return Q(reported_on__isnull=False, reported_on__lte=F("due_on"), reported_on__lt=end_day)


def _open_late(end_day: date) -> Q:
    return Q(due_on__lt=end_day) & (Q(reported_on__isnull=True) | Q(reported_on__gt=F("due_on"))
                                    | Q(reported_on__gte=end_day))


def late_q(on: date | None = None) -> Q:
    """Done late, or not done and past its deadline in force (rules.is_open_late)."""
    on = on or today()
    return Q(verdict=rules.LATE) | (~Q(status=TaskStatus.DONE) & _open_late(on))


@dataclass
class TaskFilter:
    """The list filters of the assigner's and the unit's lists (api and pages share them)."""

    unit_ids: frozenset[int] | None = None  # lead (or supporting) unit within these
    assigner_ids: frozenset[int] | None = None
    directive_id: int | None = None
    start: date | None = None
    end: date | None = None
    status: str | None = None
    late: bool | None = None
    q: str = ""
    errors: dict = field(default_factory=dict)


def apply(qs: QuerySet, flt: TaskFilter) -> QuerySet:
    if flt.unit_ids is not None:
        ids = sorted(flt.unit_ids)
        qs = qs.filter(Q(lead_agency_id__in=ids) | _supported_by(ids))
    if flt.assigner_ids is not None:
        qs = qs.filter(assigner_id__in=sorted(flt.assigner_ids))
    if flt.directive_id:
        qs = qs.filter(directive_id=flt.directive_id)
    tz = timezone.get_default_timezone()
    if flt.start:
        qs = qs.filter(assigned_at__gte=datetime.combine(flt.start, time.min, tzinfo=tz))
    if flt.end:
        qs = qs.filter(assigned_at__lt=datetime.combine(flt.end + timedelta(days=1), time.min, tzinfo=tz))
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.late is True:
        qs = qs.filter(late_q())
    elif flt.late is False:
        qs = qs.exclude(late_q())
    if flt.q:
        qs = qs.filter(Q(title__icontains=flt.q) | Q(directive__number__icontains=flt.q))
    return qs.order_by("-assigned_at", "-id")


def directives_visible(scope: set[int] | None) -> QuerySet:
    qs = Directive.objects.select_related("issuing_agency")
    if scope is not None:
        qs = qs.filter(Q(issuing_agency_id__in=sorted(scope)) | Q(tasks__in=visible_tasks(scope))).distinct()
    return qs


def open_state(task: Task, on: date | None = None) -> str:
    """A short state for lists: early/on_time/late when done, else open_late / open_in_time / no deadline."""
    if task.status == TaskStatus.DONE:
        return task.verdict or "done_no_deadline"
    reported = task.reported_on if task.status == TaskStatus.COMPLETION_REPORTED else None
    if rules.is_open_late(task.due_on, on or today(), reported):
        return "open_late"
    return "open_in_time"


STATE_LABELS = {
    "early": _("Hoàn thành trước hạn"),
    "on_time": _("Hoàn thành đúng hạn"),
    "late": _("Hoàn thành quá hạn"),
    "done_no_deadline": _("Hoàn thành (không có thời hạn)"),
    "open_late": _("Đang thực hiện, quá hạn"),
    "open_in_time": _("Đang thực hiện, trong hạn"),
}


# --- the report per unit and period ---------------------------------------------------------------

METRICS = ("assigned", "with_deadline", "on_time", "early", "late", "without_deadline", "open_in_time", "open_late")
METRIC_LABELS = {
    "assigned": _("Nhiệm vụ được giao"),
    "with_deadline": _("Có thời hạn"),
    "on_time": _("Hoàn thành đúng hạn (gồm trước hạn)"),
    "early": _("Trong đó trước hạn"),
    "late": _("Hoàn thành quá hạn"),
    "without_deadline": _("Không có thời hạn"),
    "open_in_time": _("Đang thực hiện, trong hạn"),
    "open_late": _("Đang thực hiện, quá hạn"),
}


def metric_q(metric: str, end_at: datetime) -> Q:
    """The tasks (assigned in the period) behind one number, judged at the period's end `end_at`.

    Done means accepted with a completion dated before the end; a task done after the end was still open
    at the end. Open late: not done by the end and its deadline in force fell before the end's date, unless
    its completion was reported by the deadline and waits for the assigner.
    """
    done = Q(status=TaskStatus.DONE, completed_at__lt=end_at)
    end_day = timezone.localtime(end_at).date() if end_at.tzinfo else end_at.date()
    with_deadline = Q(due_on__isnull=False)
    return {
        "assigned": Q(),
        "with_deadline": with_deadline,
        "without_deadline": Q(due_on__isnull=True),
        "on_time": done & Q(verdict__in=[rules.EARLY, rules.ON_TIME]),
        "early": done & Q(verdict=rules.EARLY),
        "late": done & Q(verdict=rules.LATE),
        "open_in_time": ~done & (Q(due_on__isnull=True) | Q(due_on__gte=end_day) | _waiting_in_time(end_day)),
        "open_late": ~done & _open_late(end_day),
    }[metric]


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    unit_ids: frozenset[int] | None  # lead units counted (None: all)
    as_of: datetime = field(default_factory=timezone.now, compare=False)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.get_default_timezone())

    @property
    def end_at(self) -> datetime:
        """The period's end, or now while it runs (nothing is late before its time)."""
        period_end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())
        return min(period_end, self.as_of)


def assigned_in(flt: ReportFilter) -> QuerySet:
    qs = Task.objects.filter(assigned_at__gte=flt.start_at, assigned_at__lt=flt.end_at)
    if flt.unit_ids is not None:
        qs = qs.filter(lead_agency_id__in=sorted(flt.unit_ids))
    return qs


def _aggregates(end_at: datetime) -> dict:
    return {m: Count("id", filter=metric_q(m, end_at)) for m in METRICS}


@dataclass
class Row:
    key: str
    label: str
    code: str = ""
    counts: dict = field(default_factory=dict)
    drill: bool = False

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(m, self.counts.get(m, 0)) for m in METRICS]

    def __getattr__(self, name):
        if name in METRICS:
            return self.counts.get(name, 0)
        raise AttributeError(name)


def report(flt: ReportFilter, tree, unit, scope) -> tuple[list[Row], Row]:
    """One row per unit under `unit` (its whole subtree counted in it), and the totals, in one query."""
    from django.db.models import Case, F, IntegerField, Value, When

    kids = tree.kids(unit, scope)
    whens = []
    for child in kids:
        ids = tree.subtree(child.id)
        if scope is not None:
            ids &= scope
        whens.append(When(lead_agency_id__in=sorted(ids), then=Value(child.id)))
    bucket = Case(*whens, default=F("lead_agency_id"), output_field=IntegerField()) if whens else F("lead_agency_id")
    rows_by_id = {r["bucket"]: r for r in assigned_in(flt).annotate(bucket=bucket).values("bucket")
                  .annotate(**_aggregates(flt.end_at)).order_by()}
    rows = []
    ordered = list(kids) + [tree.by_id[k] for k in rows_by_id if k not in {c.id for c in kids} and k in tree.by_id]
    for u in ordered:
        counts = rows_by_id.get(u.id, {})
        rows.append(Row(key=str(u.id), code=u.code, label=u.name,
                        counts={m: counts.get(m, 0) for m in METRICS}, drill=bool(tree.children.get(u.id))))
    totals = Row(key="total", label=str(_("Tổng cộng")),
                 counts={m: sum(r.counts[m] for r in rows) for m in METRICS})
    return rows, totals


def tasks_behind(metric: str, flt: ReportFilter) -> QuerySet:
    return (assigned_in(flt).filter(metric_q(metric, flt.end_at)).select_related(*LIST_FIELDS)
            .order_by("assigned_at", "id"))


# --- the weekly digest -----------------------------------------------------------------------------


def digest_counts(on: date) -> list[dict]:
    """Per lead unit with open tasks: open, due soon, late, waiting for the assigner (one query)."""
    return list(
        Task.objects.exclude(status=TaskStatus.DONE).values("lead_agency_id").annotate(
            open=Count("id", filter=Q(status=TaskStatus.OPEN)),
            due_soon=Count("id", filter=Q(status=TaskStatus.OPEN, is_due_soon=True, due_on__gte=on)),
            late=Count("id", filter=Q(status=TaskStatus.OPEN, due_on__lt=on)),
            waiting=Count("id", filter=Q(status=TaskStatus.COMPLETION_REPORTED)),
        ).order_by("lead_agency_id")
    )
