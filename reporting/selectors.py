"""Reads behind the managers' reports: SQL aggregates, never a Python loop over dossiers.

Definitions (domain.md §6–7, api.md "Reports"):
- a dossier is counted in a period when it was received in it;
- the period's end is the midnight after its last day (or now, while the period runs); every state is
  taken as it stood then:
  finished = finished_at before the end (the finish is decided, else returned, else refused / stopped /
  withdrawn time); early / on time / late = the stored verdict of a finished dossier;
  pending in time / pending late = not finished by the end, appointment at / after or before the end;
- rates have one decimal and are None when their denominator is zero ("không có dữ liệu").

Every number on a page links to the dossiers behind it: `metric_q` is the one definition used both
inside the aggregates (COUNT ... FILTER) and by `dossiers_behind`, so a count and its list agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from citizens.models import Feedback, FeedbackStatus, Overall, Rating
from dossiers.models import Apology, Channel, Dossier, DossierComponent, Status, Verdict
from organisation.errors import NotAllowed, NotFound, ValidationFailed
from organisation.models import Agency, Role
from organisation.selectors import scoped_agency_ids
from procedures.models import Field, OnlineMode, Procedure, ProcedureStatus

from . import indicators
from .periods import Period, trailing_months

GROUP_BY = ("agency", "field", "procedure", "month", "channel")
DECIDED_STATUSES = (Status.DECIDED, Status.RETURNED)


def tz():
    return timezone.get_default_timezone()


# --- who may see what --------------------------------------------------------------------------


def reporting_scope(user) -> set[int] | None:
    """The agencies whose figures a manager may see (None: all, for a superuser); others are refused."""
    if not user or not user.is_authenticated:
        raise NotAllowed(_("Bạn cần đăng nhập."), code="not_authenticated")
    if user.is_superuser:
        return None
    ids = scoped_agency_ids(user, roles=[Role.MANAGER])
    if not ids:
        raise NotAllowed(_("Chỉ cán bộ quản lý được xem báo cáo."))
    return ids


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class AgencyTree:
    """All agencies in one query; subtrees and paths are then worked out in memory (agencies are few)."""

    def __init__(self, units: Iterable[Unit]):
        self.by_id: dict[int, Unit] = {u.id: u for u in units}
        self.by_code: dict[str, Unit] = {u.code: u for u in self.by_id.values()}
        self.children: dict[int | None, list[Unit]] = defaultdict(list)
        for u in sorted(self.by_id.values(), key=lambda u: u.code):
            parent = u.parent_id if u.parent_id in self.by_id else None
            self.children[parent].append(u)

    @classmethod
    def load(cls) -> AgencyTree:
        rows = Agency.objects.order_by().values_list("id", "code", "name", "level", "parent_id")
        return cls(Unit(*row) for row in rows)

    def subtree(self, unit_id: int) -> set[int]:
        found, stack = set(), [unit_id]
        while stack:
            node = stack.pop()
            if node in found:
                continue
            found.add(node)
            stack.extend(c.id for c in self.children.get(node, ()))
        return found

    def roots(self, scope: set[int] | None) -> list[Unit]:
        """The top units of a scope: those whose parent is outside it."""
        if scope is None:
            return list(self.children[None])
        return sorted(
            (self.by_id[i] for i in scope if i in self.by_id and self.by_id[i].parent_id not in scope),
            key=lambda u: u.code,
        )

    def kids(self, unit: Unit | None, scope: set[int] | None) -> list[Unit]:
        if unit is None:
            return self.roots(scope)
        return [c for c in self.children.get(unit.id, ()) if scope is None or c.id in scope]

    def path(self, unit: Unit | None, scope: set[int] | None) -> list[Unit]:
        """From the top of the scope down to the unit (breadcrumbs)."""
        chain = []
        while unit is not None and (scope is None or unit.id in scope):
            chain.append(unit)
            unit = self.by_id.get(unit.parent_id) if unit.parent_id else None
        return chain[::-1]

    def resolve(self, code: str | None, scope: set[int] | None) -> Unit | None:
        """The unit of that code if the caller may see it; unknown or outside the scope is a 404."""
        if not code:
            return None
        unit = self.by_code.get(code)
        if unit is None or (scope is not None and unit.id not in scope):
            raise NotFound(_("Không tìm thấy cơ quan."), code="agency_not_found", fields={"agency": [_("Không tìm thấy cơ quan trong phạm vi được giao.")]})
        return unit

    def agency_ids(self, unit: Unit | None, scope: set[int] | None) -> frozenset[int] | None:
        if unit is None:
            return None if scope is None else frozenset(scope)
        ids = self.subtree(unit.id)
        return frozenset(ids if scope is None else ids & scope)

    def default_unit(self, scope: set[int] | None) -> Unit | None:
        """With a single top unit in scope, start there; otherwise at the list of top units."""
        roots = self.roots(scope)
        return roots[0] if len(roots) == 1 else None


# --- the filter every figure is computed under ----------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    period: Period
    agency_ids: frozenset[int] | None = None  # None: every agency
    field_id: int | None = None
    procedure_id: int | None = None
    channel: str | None = None
    month: date | None = None  # drill-down into one month: received in it, states still at the period's end
    # One instant for every query of a report, so that a running period's counts agree with each other.
    as_of: datetime = field(default_factory=timezone.now, compare=False)

    @property
    def start_at(self) -> datetime:
        start = self.period.start_at(tz())
        if self.month is not None:
            start = max(start, datetime.combine(self.month, datetime.min.time(), tzinfo=tz()))
        return start

    @property
    def received_end_at(self) -> datetime:
        end = self.end_at
        if self.month is not None:
            nxt = date(self.month.year + (self.month.month == 12), self.month.month % 12 + 1, 1)
            end = min(end, datetime.combine(nxt, datetime.min.time(), tzinfo=tz()))
        return end

    @property
    def end_at(self) -> datetime:
        """The period's end, or now while the period is still running (nothing is late before its time)."""
        return min(self.period.end_at(tz()), self.as_of)


def received_in(flt: ReportFilter) -> QuerySet:
    qs = Dossier.objects.filter(received_at__gte=flt.start_at, received_at__lt=flt.received_end_at)
    if flt.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(flt.agency_ids))
    if flt.field_id is not None:
        qs = qs.filter(procedure__field_id=flt.field_id)
    if flt.procedure_id is not None:
        qs = qs.filter(procedure_id=flt.procedure_id)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    return qs.order_by()


# --- metrics: one definition for the counts and for the lists behind them ------------------------

# "Nộp trực tuyến" alone is the citizens' "Submit online" button; here it names dossiers, hence a context.
METRIC_LABELS = {
    "received": gettext_lazy("Hồ sơ tiếp nhận"),
    "finished": gettext_lazy("Đã giải quyết"),
    "early": gettext_lazy("Giải quyết trước hạn"),
    "on_time": gettext_lazy("Giải quyết đúng hạn"),
    "late": gettext_lazy("Giải quyết quá hạn"),
    "pending_in_time": gettext_lazy("Đang giải quyết, còn hạn"),
    "pending_late": gettext_lazy("Đang giải quyết, quá hạn"),
    "in_time": gettext_lazy("Trước hạn, đúng hạn hoặc còn hạn"),
    "late_all": gettext_lazy("Quá hạn (đã hoặc đang giải quyết)"),
    "apologised_late": gettext_lazy("Quá hạn đã có thư xin lỗi"),
    "unapologised_late": gettext_lazy("Quá hạn chưa có thư xin lỗi"),
    "online": pgettext_lazy("report metric", "Nộp trực tuyến"),
    "counter": pgettext_lazy("report metric", "Nộp trực tiếp"),
    "postal": pgettext_lazy("report metric", "Nộp qua bưu chính"),
    "supplemented": gettext_lazy("Phải bổ sung"),
    "supplemented_twice": gettext_lazy("Phải bổ sung từ 2 lần"),
    "decided": gettext_lazy("Đã có kết quả"),
    "electronic_result": gettext_lazy("Có kết quả điện tử"),
    "digitised": gettext_lazy("Số hóa đầy đủ thành phần"),
    "not_digitised": gettext_lazy("Chưa số hóa đầy đủ"),
    "rated": gettext_lazy("Được đánh giá"),
    "very_satisfied": gettext_lazy("Rất hài lòng"),
    "satisfied": gettext_lazy("Hài lòng"),
    "dissatisfied": gettext_lazy("Chưa hài lòng"),
    "complained": gettext_lazy("Bị phản ánh hoặc đánh giá chưa hài lòng"),
}
METRICS = frozenset(METRIC_LABELS)


def metric_q(metric: str, end_at: datetime) -> Q:
    """The condition a received dossier meets to be counted under `metric`, as things stood at `end_at`."""
    finished = Q(finished_at__lt=end_at)
    unfinished = Q(finished_at__isnull=True) | Q(finished_at__gte=end_at)
    pending_late = unfinished & Q(appointment_at__lt=end_at)
    pending_in_time = unfinished & (Q(appointment_at__gte=end_at) | Q(appointment_at__isnull=True))
    late = finished & Q(verdict=Verdict.LATE)
    late_all = late | pending_late
    # "Not scanned" and "complained" are small sets: `id IN (...)` lets PostgreSQL hash them once.
    unscanned = DossierComponent.objects.filter(file="").values("dossier_id")
    digitised = Q(Exists(DossierComponent.objects.filter(dossier_id=OuterRef("pk")))) & ~Q(id__in=unscanned)
    decided = finished & Q(status__in=DECIDED_STATUSES)
    rules = {
        "received": Q(pk__isnull=False),
        "finished": finished,
        "early": finished & Q(verdict=Verdict.EARLY),
        "on_time": finished & Q(verdict=Verdict.ON_TIME),
        "late": late,
        "pending_in_time": pending_in_time,
        "pending_late": pending_late,
        "in_time": (finished & Q(verdict__in=[Verdict.EARLY, Verdict.ON_TIME])) | pending_in_time,
        "late_all": late_all,
        "apologised_late": late_all & Q(apology__isnull=False),
        "unapologised_late": late_all & Q(apology__isnull=True),
        "online": Q(channel=Channel.ONLINE),
        "counter": Q(channel=Channel.COUNTER),
        "postal": Q(channel=Channel.POSTAL),
        "supplemented": Q(supplement_count__gt=0),
        "supplemented_twice": Q(supplement_count__gte=2),
        "decided": decided,
        "electronic_result": decided & Q(result_file__gt=""),
        "digitised": digitised,
        "not_digitised": ~digitised,
        "rated": Q(rating__isnull=False),
        "very_satisfied": Q(rating__overall=Overall.VERY_SATISFIED),
        "satisfied": Q(rating__overall=Overall.SATISFIED),
        "dissatisfied": Q(rating__overall=Overall.DISSATISFIED),
        "complained": Q(id__in=Rating.objects.filter(overall=Overall.DISSATISFIED).values("dossier_id"))
        | Q(id__in=Feedback.objects.filter(is_complaint=True, dossier__isnull=False).values("dossier_id")),
    }
    try:
        return rules[metric]
    except KeyError:
        raise ValidationFailed(_("Chỉ tiêu không hợp lệ."), fields={"metric": [_("Chỉ tiêu không hợp lệ.")]}) from None


# --- rows ----------------------------------------------------------------------------------------

ROW_COUNTS = (
    "received", "finished", "early", "on_time", "late", "pending_in_time", "pending_late",
    "online", "counter", "postal", "apologised_late", "supplemented", "supplemented_twice",
    "rated", "very_satisfied", "satisfied", "dissatisfied",
)


@dataclass
class Row:
    """One line of a report: counts, and the rates made from them."""

    key: object = None  # what the row is about: an agency, field or procedure code, "2026-10", "online"
    label: str = ""
    id: int | None = field(default=None, compare=False)  # the database id behind a code, for drill-down links
    received: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    pending_in_time: int = 0
    pending_late: int = 0
    online: int = 0
    counter: int = 0
    postal: int = 0
    apologised_late: int = 0
    supplemented: int = 0
    supplemented_twice: int = 0
    supplement_rounds: int = 0
    rated: int = 0
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    previous: Row | None = field(default=None, repr=False, compare=False)
    has_children: bool = field(default=False, repr=False, compare=False)

    NUMBERS = (*ROW_COUNTS, "supplement_rounds")

    def add(self, other: Row | dict) -> Row:
        get = other.get if isinstance(other, dict) else lambda k, d=0: getattr(other, k)
        for name in self.NUMBERS:
            setattr(self, name, getattr(self, name) + int(get(name, 0) or 0))
        return self

    @property
    def late_all(self) -> int:
        return self.late + self.pending_late

    @property
    def on_time_rate(self) -> Decimal | None:
        return indicators.percent(self.early + self.on_time, self.finished)

    @property
    def online_share(self) -> Decimal | None:
        return indicators.percent(self.online, self.received)

    @property
    def apologised_late_share(self) -> Decimal | None:
        return indicators.percent(self.apologised_late, self.late_all)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return indicators.percent(self.very_satisfied + self.satisfied, self.rated)

    @property
    def in_time_rate(self) -> Decimal | None:
        """Finished early or on time, or still within time, over all received (the 766 progress rate)."""
        return indicators.percent(self.early + self.on_time + self.pending_in_time, self.received)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.NUMBERS}

    def delta(self, name: str):
        """The change of a figure since the previous period (rates in percentage points)."""
        if self.previous is None:
            return None
        now, before = getattr(self, name), getattr(self.previous, name)
        return None if now is None or before is None else now - before


RATES = ("on_time_rate", "online_share", "apologised_late_share", "satisfaction_rate", "in_time_rate")


# Counts read from the dossier row alone: with the covering index of reporting/migrations/0001 PostgreSQL
# answers them from the index (an index-only scan of the period), without touching the table.
ROW_ONLY = (
    "finished", "early", "on_time", "late", "pending_in_time", "pending_late", "online", "counter", "postal",
    "supplemented", "supplemented_twice",
)
RATING_COUNTS = ("rated", "very_satisfied", "satisfied", "dissatisfied")
TREND_NUMBERS = ("finished", "early", "on_time", "late", "pending_in_time", "pending_late", "online")


def _aggregates(end_at: datetime, names: Iterable[str] = (*ROW_ONLY, "supplement_rounds")) -> dict:
    # COUNT(received_at), not COUNT(id): every column the query reads is in the covering index.
    out = {"received": Count("received_at")}
    for name in names:
        if name == "supplement_rounds":
            out[name] = Coalesce(Sum("supplement_count"), 0)
        elif name != "received":
            out[name] = Count("received_at", filter=metric_q(name, end_at))
    return out


@contextmanager
def analytic_queries():
    """Report queries are short scans with many filtered counts: PostgreSQL's JIT compiler costs more
    than it saves on them, and parallel workers each rebuild the same hashed sub-plans while taking
    the cores the desks' requests need (2 cores in the reference machine); both are switched off for
    the report's transaction (measured in bench/bench_reports.py)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def _grouped(flt: ReportFilter, keys: dict, names: Iterable[str] = Row.NUMBERS) -> list[dict]:
    """Counts per combination of keys in one GROUP BY over the period's dossier rows.

    Apologies and ratings are not joined row by row: each is a set of dossier ids that PostgreSQL
    hashes once (`id IN (...)`) and tests while it scans the covering index. Joins gave the planner
    room for nested-loop plans that took seconds at 1,000,000 dossiers (bench/bench_reports.py).
    """
    names = set(names)
    base = received_in(flt).annotate(**keys)
    wanted = [n for n in (*ROW_ONLY, "supplement_rounds") if n in names]
    aggregates = _aggregates(flt.end_at, wanted)
    if "apologised_late" in names:
        apologised = Q(id__in=Apology.objects.values("dossier_id"))
        aggregates["apologised_late"] = Count("received_at", filter=metric_q("late_all", flt.end_at) & apologised)
    if names & set(RATING_COUNTS):
        # A rating is given after the dossier is finished, so never before the period starts: the
        # condition is always true and keeps the hashed sets to the ratings given since then.
        ratings = Rating.objects.filter(created_at__gte=flt.start_at)
        for overall in ("very_satisfied", "satisfied", "dissatisfied"):
            ids = ratings.filter(overall=overall).values("dossier_id")
            aggregates[overall] = Count("received_at", filter=Q(id__in=ids))
    rows = _values(base, keys, aggregates)
    for d in rows:
        if "very_satisfied" in d:
            d["rated"] = d["very_satisfied"] + d["satisfied"] + d["dissatisfied"]
    return rows


def _values(qs: QuerySet, keys: dict, aggregates: dict) -> list[dict]:
    """GROUP BY the keys, or one row of totals when there are none."""
    if not keys:
        return [qs.aggregate(**aggregates)]
    return list(qs.values(*keys).annotate(**aggregates).order_by())


def _bucket_expression(tree: AgencyTree, unit: Unit | None, scope: set[int] | None):
    """Map each receiving agency to the child unit (of `unit`) whose subtree holds it."""
    whens = []
    for child in tree.kids(unit, scope):
        ids = tree.subtree(child.id)
        if scope is not None:
            ids &= scope
        whens.append(When(agency_id__in=sorted(ids), then=Value(child.id)) if len(ids) > 1 else When(agency_id=child.id, then=Value(child.id)))
    if not whens:
        return F("agency_id")
    return Case(*whens, default=F("agency_id"), output_field=IntegerField())


def _labels(kind: str, keys: Iterable, tree: AgencyTree | None = None) -> dict:
    """{id: (code, label)} for the keys of a grouping, in one query at most."""
    keys = [k for k in keys if k is not None]
    if kind in ("agency", "unit"):
        return {k: (tree.by_id[k].code, tree.by_id[k].name) for k in keys if k in tree.by_id}
    if kind == "field":
        return {pk: (code, name) for pk, code, name in Field.objects.filter(id__in=keys).values_list("id", "code", "name")}
    if kind == "procedure":
        rows = Procedure.objects.filter(id__in=keys).values_list("id", "code", "name")
        return {pk: (code, f"{code} – {name}") for pk, code, name in rows}
    if kind == "channel":
        return {k: (k, str(Channel(k).label)) for k in keys}
    return {k: (str(k), str(k)) for k in keys}


def _channel_rows(counts: dict) -> list[Row]:
    return [Row(key=c.value, label=str(c.label)).add(counts.get(c.value, {})) for c in Channel]


@dataclass
class Report:
    group_by: str
    rows: list[Row]
    totals: Row
    filter: ReportFilter | None = None


def report(flt: ReportFilter, group_by: str, tree: AgencyTree | None = None) -> Report:
    """The on-time report grouped one way; the totals are the sum of the rows (each dossier in one row)."""
    with analytic_queries():
        return _report(flt, group_by, tree)


def _report(flt: ReportFilter, group_by: str, tree: AgencyTree | None = None, names: Iterable[str] = Row.NUMBERS) -> Report:
    if group_by not in GROUP_BY:
        raise ValidationFailed(_("Cách nhóm không hợp lệ."), fields={"group_by": [_("Chọn một trong: %(v)s.") % {"v": ", ".join(GROUP_BY)}]})
    key_expr = {
        "agency": F("agency_id"),
        "field": F("procedure__field_id"),
        "procedure": F("procedure_id"),
        "channel": F("channel"),
        "month": TruncMonth("received_at", tzinfo=tz()),
    }[group_by]
    data = _grouped(flt, {"k": key_expr}, names)
    if group_by == "month":
        by_key = {d["k"].astimezone(tz()).date().replace(day=1) if isinstance(d["k"], datetime) else d["k"]: d for d in data}
        months = flt.period.months() if flt.month is None else [flt.month]
        rows = [Row(key=m.strftime("%Y-%m"), label=m.strftime("%m/%Y")).add(by_key.get(m, {})) for m in months]
    elif group_by == "channel":
        rows = _channel_rows({d["k"]: d for d in data})
    else:
        if group_by == "agency" and tree is None:
            tree = AgencyTree.load()
        labels = _labels(group_by, (d["k"] for d in data), tree)
        rows = []
        for d in data:
            code, label = labels.get(d["k"], (str(d["k"]), str(d["k"])))
            rows.append(Row(key=code, label=label, id=d["k"]).add(d))
        rows.sort(key=lambda r: r.label)
    totals = Row(key="total", label=_("Tổng cộng"))
    for r in rows:
        totals.add(r)
    return Report(group_by, rows, totals, flt)


def on_time_report(scope_ids: set[int] | None, date_from: date, date_to: date, group_by: str, agency: str | None = None) -> list[Row]:
    """The rows of the on-time report for a caller's scope (api.md "Reports")."""
    tree = AgencyTree.load()
    unit = tree.resolve(agency, scope_ids)
    flt = ReportFilter(Period(date_from, date_to), tree.agency_ids(unit, scope_ids))
    return report(flt, group_by, tree).rows


def totals(flt: ReportFilter) -> Row:
    row = Row(key="total", label=_("Tổng cộng"))
    with analytic_queries():
        for d in _grouped(flt, {}):
            row.add(d)
    return row


def compare(current: Row, previous: Row) -> dict[str, dict]:
    """Each figure now, before, and the change (rates in percentage points)."""
    out = {}
    for name in (*Row.NUMBERS, *RATES):
        now, before = getattr(current, name), getattr(previous, name)
        delta = None if now is None or before is None else now - before
        out[name] = {"current": now, "previous": before, "delta": delta}
    return out


def ranking(rows: list[Row], by: str = "on_time_rate") -> list[Row]:
    """Best first; a unit with no data ranks last rather than first."""
    return sorted(rows, key=lambda r: (getattr(r, by) is None, -(getattr(r, by) or 0), -r.received, r.label))


# --- feedback (phản ánh, kiến nghị) ---------------------------------------------------------------


@dataclass
class FeedbackSummary:
    received: int = 0
    complaints: int = 0
    due: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def on_time_rate(self):
        return indicators.percent(self.on_time, self.due)

    @property
    def satisfaction_rate(self):
        return indicators.percent(self.satisfied, self.rated)


def feedback_summary(flt: ReportFilter) -> FeedbackSummary:
    """Feedback received in the period: handled on time (answered by the due time) and rated answers."""
    end = flt.end_at
    qs = Feedback.objects.filter(received_at__gte=flt.start_at, received_at__lt=flt.received_end_at).exclude(
        status=FeedbackStatus.REFUSED
    )
    if flt.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(flt.agency_ids))
    if flt.field_id is not None:
        qs = qs.filter(dossier__procedure__field_id=flt.field_id)
    if flt.procedure_id is not None:
        qs = qs.filter(dossier__procedure_id=flt.procedure_id)
    answered = Q(answered_at__lt=end)
    data = qs.order_by().aggregate(
        received=Count("id"),
        complaints=Count("id", filter=Q(is_complaint=True)),
        due=Count("id", filter=answered | Q(answer_due_at__lt=end)),
        on_time=Count("id", filter=answered & Q(answered_at__lte=F("answer_due_at"))),
        rated=Count("id", filter=Q(answer_rating__gt="")),
        satisfied=Count("id", filter=Q(answer_rating__in=[Overall.VERY_SATISFIED, Overall.SATISFIED])),
    )
    return FeedbackSummary(**data)


# --- the dashboard: one page, a fixed handful of queries ------------------------------------------


@dataclass
class Dashboard:
    period: Period
    previous_period: Period
    unit: Unit | None
    path: list[Unit]
    scope: set[int] | None
    field: Field | None
    procedure: Procedure | None
    totals: Row
    previous: Row
    comparison: dict
    units: list[Row]
    breakdown: list[Row]  # by field, or by procedure once a field is chosen
    breakdown_kind: str
    channels: list[Row]
    trend: list[Row]
    feedback: FeedbackSummary
    filter: ReportFilter


def dashboard(
    scope_ids: set[int] | None,
    period: Period,
    agency: str | None = None,
    field_id: int | None = None,
    procedure_id: int | None = None,
    tree: AgencyTree | None = None,
    with_trend: bool = True,
) -> Dashboard:
    """Totals, comparison, units (children of the chosen unit), fields or procedures, channels, and the
    12-month trend unless `with_trend` is False (the page loads it separately: it reads a year of rows)."""
    with analytic_queries():
        return _dashboard(scope_ids, period, agency, field_id, procedure_id, tree, with_trend)


def trend(flt: ReportFilter) -> list[Row]:
    """The twelve months up to the period's end, each as it stood at the period's end."""
    months = trailing_months(flt.period.end, 12)
    with analytic_queries():
        return _report(replace(flt, period=Period(months.start, flt.period.end)), "month", names=TREND_NUMBERS).rows


def _dashboard(scope_ids, period, agency, field_id, procedure_id, tree, with_trend) -> Dashboard:
    tree = tree or AgencyTree.load()
    unit = tree.resolve(agency, scope_ids) if agency else tree.default_unit(scope_ids)
    procedure = None
    field_obj = None
    if procedure_id is not None:
        procedure = Procedure.objects.select_related("field").filter(pk=procedure_id).first()
        if procedure is None:
            raise NotFound(_("Không tìm thấy thủ tục."), fields={"procedure": [_("Không tìm thấy thủ tục.")]})
        field_obj, field_id = procedure.field, procedure.field_id
    elif field_id is not None:
        field_obj = Field.objects.filter(pk=field_id).first()
        if field_obj is None:
            raise NotFound(_("Không tìm thấy lĩnh vực."), fields={"field": [_("Không tìm thấy lĩnh vực.")]})
    flt = ReportFilter(period, tree.agency_ids(unit, scope_ids), field_id=field_id, procedure_id=procedure_id)
    breakdown_kind = "procedure" if field_id is not None else "field"
    keys = {
        "unit": _bucket_expression(tree, unit, scope_ids),
        "part": F("procedure_id") if breakdown_kind == "procedure" else F("procedure__field_id"),
        "ch": F("channel"),
    }
    previous_period = period.previous()
    current = _grouped(flt, keys)
    before = _grouped(replace(flt, period=previous_period), {"unit": keys["unit"]})

    totals_row = Row(key="total", label=_("Tổng cộng"))
    by_unit: dict = defaultdict(dict)
    by_part: dict = defaultdict(dict)
    by_channel: dict = defaultdict(dict)
    for d in current:
        totals_row.add(d)
        for bucket, key in ((by_unit, d["unit"]), (by_part, d["part"]), (by_channel, d["ch"])):
            acc = bucket[key]
            for name in Row.NUMBERS:
                acc[name] = acc.get(name, 0) + (d.get(name) or 0)
    previous_row = Row(key="total", label=_("Tổng cộng"))
    previous_units: dict = {}
    for d in before:
        previous_row.add(d)
        previous_units[d["unit"]] = Row(key=d["unit"]).add(d)

    kids = tree.kids(unit, scope_ids)
    unit_keys = [c.id for c in kids]
    if unit is not None and (unit.id in by_unit or unit.id in previous_units):
        unit_keys.append(unit.id)  # dossiers received by the unit itself
    units = []
    for key in unit_keys:
        u = tree.by_id[key]
        label = u.name if unit is None or key != unit.id else _("%(name)s (tiếp nhận trực tiếp)") % {"name": u.name}
        row = Row(key=u.code, label=label, id=u.id).add(by_unit.get(key, {}))
        row.previous = previous_units.get(key, Row(key=u.code))
        row.has_children = key != (unit.id if unit else None) and bool(tree.children.get(key))
        units.append(row)

    labels = _labels(breakdown_kind, by_part.keys())
    breakdown = [Row(key=k, label=labels.get(k, (k, str(k)))[1], id=k).add(v) for k, v in by_part.items()]
    breakdown.sort(key=lambda r: r.label)

    if with_trend:
        months = trailing_months(period.end, 12)
        trend_rows = _report(replace(flt, period=Period(months.start, period.end)), "month", names=TREND_NUMBERS).rows
    else:
        trend_rows = []

    return Dashboard(
        period=period,
        previous_period=previous_period,
        unit=unit,
        path=tree.path(unit, scope_ids),
        scope=scope_ids,
        field=field_obj,
        procedure=procedure,
        totals=totals_row,
        previous=previous_row,
        comparison=compare(totals_row, previous_row),
        units=units,
        breakdown=breakdown,
        breakdown_kind=breakdown_kind,
        channels=_channel_rows(by_channel),
        trend=trend_rows,
        feedback=feedback_summary(flt),
        filter=flt,
    )


# --- the lists behind the numbers ---------------------------------------------------------------


def dossiers_behind(metric: str, flt: ReportFilter) -> QuerySet:
    """The dossiers counted under `metric` for this filter, oldest first (paginate it)."""
    return (
        received_in(flt)
        .filter(metric_q(metric, flt.end_at))
        .select_related("procedure", "agency", "apology")
        .order_by("received_at", "id")
    )


# --- Decision 766 --------------------------------------------------------------------------------

INDEX_DOSSIER_METRICS = (
    "early", "on_time", "pending_in_time", "late", "pending_late", "online", "decided",
    "electronic_result", "digitised", "complained",
)

# The dossiers behind each rate: (numerator metric, denominator metric).
INDICATOR_LINKS = {
    "2.1": ("in_time", "received"),
    "3.2": ("online", "received"),
    "4.1": ("electronic_result", "decided"),
    "4.2": ("digitised", "received"),
}


def procedure_counts(agency_ids: frozenset[int] | None, tree: AgencyTree | None = None) -> dict[str, int]:
    """Published procedures the units perform (linked to them, or at their level), and how many are online."""
    qs = Procedure.objects.filter(status=ProcedureStatus.PUBLISHED)
    if agency_ids is not None:
        tree = tree or AgencyTree.load()
        levels = {tree.by_id[i].level for i in agency_ids if i in tree.by_id}
        cond = Q(agencies__id__in=sorted(agency_ids))
        for level in sorted(levels):
            cond |= Q(agency_levels__contains=level)
        qs = qs.filter(cond)
    data = qs.order_by().aggregate(
        procedures_published=Count("id", distinct=True),
        procedures_online=Count("id", distinct=True, filter=Q(online_mode__in=[OnlineMode.FULL, OnlineMode.PARTIAL])),
    )
    return data


@dataclass
class Index766:
    result: indicators.IndexResult
    counts: dict[str, int]
    filter: ReportFilter
    unit: Unit | None


def index_766(scope_ids: set[int] | None, period: Period, agency: str | None = None, tree: AgencyTree | None = None) -> Index766:
    """Every indicator of the 766 index for the caller's scope (or one unit of it) over a period."""
    with analytic_queries():
        return _index_766(scope_ids, period, agency, tree)


def _index_766(scope_ids, period, agency, tree) -> Index766:
    tree = tree or AgencyTree.load()
    unit = tree.resolve(agency, scope_ids)
    flt = ReportFilter(period, tree.agency_ids(unit, scope_ids))
    end = flt.end_at
    base = received_in(flt)
    counts = base.aggregate(**_aggregates(end, [m for m in INDEX_DOSSIER_METRICS if m not in ("digitised", "complained")]))
    counts["digitised"] = base.filter(metric_q("digitised", end)).count()
    counts["complained"] = base.filter(metric_q("complained", end)).count()
    counts.update(procedure_counts(flt.agency_ids, tree))
    fb = feedback_summary(flt)
    counts.update(feedback_due=fb.due, feedback_on_time=fb.on_time, feedback_rated=fb.rated, feedback_satisfied=fb.satisfied)
    return Index766(indicators.score(counts), counts, flt, unit)


# --- open data (public, no personal data) ----------------------------------------------------------


def public_unit(code: str, period: Period) -> tuple[Unit, Report]:
    """Monthly on-time and satisfaction figures of one unit and everything under it."""
    tree = AgencyTree.load()
    unit = tree.by_code.get(code)
    if unit is None:
        raise NotFound(_("Không tìm thấy cơ quan."))
    flt = ReportFilter(period, frozenset(tree.subtree(unit.id)))
    return unit, report(flt, "month", tree)


def row_as_dict(row: Row, with_counts: Iterable[str] | None = None) -> dict:
    """A row for JSON and CSV: rates as numbers with one decimal, None when there is no data."""
    out = {"key": row.key, "label": row.label}
    for name in Row.NUMBERS:
        if with_counts is None or name in with_counts:
            out[name] = getattr(row, name)
    for name in RATES:
        value = getattr(row, name)
        out[name] = None if value is None else float(value)
    return out
