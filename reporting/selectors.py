"""Reads behind the managers' reports: SQL aggregates, never a Python loop over dossiers.

Definitions (domain.md §6–7, api.md "Reports"; the same rules one dossier at a time in reporting/rules.py):
- a period is a window [start, end): its end is the midnight after its last day, or now while it runs;
- "received" counts dossiers received in the window; "finished" those finished in it, whenever received
  (the finish is decided, else returned, else refused / stopped / withdrawn time); "open" those received
  before the end and not finished by it; "processed" (the progress indicator) = finished + open;
- the desk's own reading (Decree 61): early / on time / late = the stored verdict, judged against the
  receipt's appointment as restarted by a supplement (an apology never changes it); an open dossier is
  "waiting" (never late) while it waits for a supplement requested by its due time, else in time or late
  against that appointment;
- the national reading (formula 2.1): the waiting time subtracted (`portal_due_at`), a dossier still
  waiting judged at the request time, more than one supplement request late;
- an apology is its own fact: late and apologised, then the new date kept, missed or still ahead;
- rates have one decimal and are None when their denominator is zero ("không có dữ liệu").

Every number on a page links to the dossiers behind it: `metric_q` is the one definition used both
inside the aggregates (COUNT ... FILTER) and by `dossiers_behind`, so a count and its list agree.
"""

from __future__ import annotations

import hashlib
import operator
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from citizens.models import Feedback, FeedbackStatus, Overall, Rating
from dossiers.models import (
    Channel,
    ComponentSource,
    Dossier,
    DossierComponent,
    FeePayment,
    Status,
    SupplementRequest,
    Verdict,
)
from organisation.errors import NotAllowed, NotFound, ValidationFailed
from organisation.models import Agency, Role
from organisation.selectors import scoped_agency_ids
from procedures.models import DataHolder, Field, OnlineMode, Procedure, ProcedureStatus

from . import indicators, periods
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
        if unit is None:
            msg = _("Không có cơ quan mang mã này.")
            raise ValidationFailed(msg, code="unknown_agency", fields={"agency": [msg]})
        if scope is not None and unit.id not in scope:
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
    live: bool = field(default=False, compare=False)  # True: never read the monthly fact table

    @property
    def start_at(self) -> datetime:
        start = self.period.start_at(tz())
        if self.month is not None:
            start = max(start, datetime.combine(self.month, datetime.min.time(), tzinfo=tz()))
        return start

    @property
    def received_end_at(self) -> datetime:
        """The window's end: the period's (or now), cut at the end of the drill-down month."""
        end = self.end_at
        if self.month is not None:
            nxt = date(self.month.year + (self.month.month == 12), self.month.month % 12 + 1, 1)
            end = min(end, datetime.combine(nxt, datetime.min.time(), tzinfo=tz()))
        return end

    @property
    def end_at(self) -> datetime:
        """The period's end, or now while the period is still running (nothing is late before its time)."""
        return min(self.period.end_at(tz()), self.as_of)


def _scoped(qs: QuerySet, flt: ReportFilter) -> QuerySet:
    if flt.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(flt.agency_ids))
    if flt.field_id is not None:
        qs = qs.filter(procedure__field_id=flt.field_id)
    if flt.procedure_id is not None:
        qs = qs.filter(procedure_id=flt.procedure_id)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    return qs.order_by()


def received_in(flt: ReportFilter) -> QuerySet:
    return _scoped(Dossier.objects.filter(received_at__gte=flt.start_at, received_at__lt=flt.received_end_at), flt)


def touched_in(flt: ReportFilter) -> QuerySet:
    """Every dossier a report over the window may count: received in it, finished in it, or open at its end."""
    return _scoped(Dossier.objects.filter(_families(flt.start_at, flt.received_end_at)["any"]), flt)


def _families(start: datetime, end: datetime) -> dict[str, Q]:
    received = Q(received_at__gte=start, received_at__lt=end)
    # `finished_at IS NOT NULL` first: for an open dossier the comparisons are NULL, which does not stop an AND,
    # while FALSE does; so a sub-query ANDed after `finished` is never run for the open dossiers.
    finished = Q(received_at__lt=end, finished_at__isnull=False, finished_at__gte=start, finished_at__lt=end)
    open_ = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
    # The same union written the way the indexes read it (received in the window; finished from its start on;
    # still open: reporting/0005), so that a short window never scans the dossiers received before it.
    before_end = Q(received_at__lt=end)
    any_ = received | (before_end & Q(finished_at__gte=start)) | (before_end & Q(finished_at__isnull=True))
    return {"received": received, "finished": finished, "open": open_, "any": any_}


# --- metrics: one definition for the counts and for the lists behind them ------------------------

# "Nộp trực tuyến" alone is the citizens' "Submit online" button; here it names dossiers, hence a context.
METRIC_LABELS = {
    "received": gettext_lazy("Hồ sơ tiếp nhận"),
    "finished": gettext_lazy("Đã giải quyết"),
    "early": gettext_lazy("Giải quyết trước hạn"),
    "on_time": gettext_lazy("Giải quyết đúng hạn"),
    "late": gettext_lazy("Giải quyết quá hạn"),
    "open": gettext_lazy("Đang giải quyết cuối kỳ"),
    "pending_in_time": gettext_lazy("Đang giải quyết, còn hạn"),
    "pending_late": gettext_lazy("Đang giải quyết, quá hạn"),
    "waiting": gettext_lazy("Đang chờ công dân bổ sung"),
    "processed": gettext_lazy("Đã giải quyết trong kỳ hoặc đang giải quyết cuối kỳ"),
    "in_time": gettext_lazy("Trước hạn, đúng hạn hoặc còn hạn"),
    "late_all": gettext_lazy("Quá hạn (đã hoặc đang giải quyết)"),
    "national_in_time": gettext_lazy("Trước hạn, đúng hạn hoặc còn hạn (cách tính của Cổng quốc gia)"),
    "national_late": gettext_lazy("Quá hạn (cách tính của Cổng quốc gia)"),
    "apologised_late": gettext_lazy("Quá hạn đã có thư xin lỗi"),
    "unapologised_late": gettext_lazy("Quá hạn chưa có thư xin lỗi"),
    "apology_kept": gettext_lazy("Đã xin lỗi, trả đúng hẹn mới"),
    "apology_missed": gettext_lazy("Đã xin lỗi, trễ cả hẹn mới"),
    "online": pgettext_lazy("report metric", "Nộp trực tuyến"),
    "fully_online": gettext_lazy("Nộp trực tuyến toàn trình"),
    "counter": pgettext_lazy("report metric", "Nộp trực tiếp"),
    "postal": pgettext_lazy("report metric", "Nộp qua bưu chính"),
    "supplemented": gettext_lazy("Phải bổ sung"),
    "supplemented_twice": gettext_lazy("Phải bổ sung từ 2 lần"),
    "decided": gettext_lazy("Đã có kết quả"),
    "electronic_result": gettext_lazy("Có kết quả điện tử"),
    "paper_decided": gettext_lazy("Đã có kết quả, thủ tục có kết quả là giấy tờ"),
    "paper_electronic_result": gettext_lazy("Có kết quả điện tử, thủ tục có kết quả là giấy tờ"),
    "digitised": gettext_lazy("Số hóa đầy đủ thành phần"),
    "not_digitised": gettext_lazy("Chưa số hóa đầy đủ"),
    "reused": gettext_lazy("Tái sử dụng dữ liệu đã số hóa"),
    "population": gettext_lazy("Dùng dữ liệu Cơ sở dữ liệu quốc gia về dân cư"),
    "citizen_store": gettext_lazy("Dùng dữ liệu từ kho dữ liệu của công dân"),
    "eligible": gettext_lazy("Thuộc thủ tục đủ điều kiện trực tuyến toàn trình"),
    "fully_online_eligible": gettext_lazy("Trực tuyến toàn trình, thủ tục đủ điều kiện"),
    "paid": gettext_lazy("Đã nộp phí, lệ phí"),
    "paid_online": pgettext_lazy("report metric", "Nộp phí, lệ phí trực tuyến"),
    "rated": gettext_lazy("Được đánh giá"),
    "very_satisfied": gettext_lazy("Rất hài lòng"),
    "satisfied": gettext_lazy("Hài lòng"),
    "dissatisfied": gettext_lazy("Chưa hài lòng"),
    "complained": gettext_lazy("Bị phản ánh hoặc đánh giá chưa hài lòng"),
}
METRICS = frozenset(METRIC_LABELS)


def _open_round(end_at: datetime):
    """Supplement rounds made after receipt and still unanswered at `end_at`."""
    return SupplementRequest.objects.filter(
        dossier_id=OuterRef("pk"), requested_at__gte=OuterRef("received_at"), requested_at__lt=end_at,
    ).filter(Q(replied_at__isnull=True) | Q(replied_at__gte=end_at))


def _rounds_by(end_at: datetime):
    """How many supplement rounds were requested after receipt and before `end_at`."""
    return Subquery(
        SupplementRequest.objects.filter(dossier_id=OuterRef("pk"), requested_at__gte=OuterRef("received_at"),
                                         requested_at__lt=end_at)
        .order_by().values("dossier_id").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


def metric_q(metric: str, end_at: datetime, start_at: datetime) -> Q:
    """The condition a dossier meets to be counted under `metric` in the window [start_at, end_at).

    The one definition behind a count (COUNT ... FILTER) and behind the list of its dossiers.
    """
    try:
        return _metric_rules(end_at, start_at)[metric]
    except KeyError:
        raise ValidationFailed(_("Chỉ tiêu không hợp lệ."), fields={"metric": [_("Chỉ tiêu không hợp lệ.")]}) from None


@lru_cache(maxsize=64)
def _open_state(end_at: datetime) -> dict:
    """The conditions on a dossier's state at `end_at` that the open family is made of, each as it reads for a
    dossier open then (the families' tests left out): `_metric_rules` ANDs them with the open family,
    `_open_rules` takes them as they are."""
    desk_due = Coalesce("receipt_due_at", "appointment_at")
    portal_due = Coalesce("portal_due_at", "receipt_due_at", "appointment_at")
    has_rounds = Q(supplement_count__gt=0)
    return {
        "portal_due": portal_due,
        "has_rounds": has_rounds,
        # Waiting for a supplement requested by the due time: never late while it waits (§6).
        "waiting": has_rounds & Q(Exists(_open_round(end_at).filter(
            requested_at__lte=Coalesce(OuterRef("receipt_due_at"), OuterRef("appointment_at"))))),
        "past_desk_due": Q(LessThan(desk_due, Value(end_at))),
        # The national reading (2.1). A round requested after the national due time and before the end implies
        # that due time is before the end: the cheap test first, so the look-ups run only for the dossiers past it.
        "twice": Q(supplement_count__gte=2) & Q(GreaterThanOrEqual(Coalesce(_rounds_by(end_at), 0), 2)),
        "past_portal_due": Q(LessThan(portal_due, Value(end_at))),
        "national_waiting": Q(Exists(_open_round(end_at))),
        "national_waiting_late": Q(Exists(_open_round(end_at).filter(
            requested_at__gt=Coalesce(OuterRef("portal_due_at"), OuterRef("receipt_due_at"),
                                      OuterRef("appointment_at"))))),
        # The apology's facts as the dossier's row holds them (dossiers/0024: a copy of its one Apology row).
        "apologised": Q(apologised_at__lt=end_at),
        # Apologised and the apology's new date passed too (the open part of `apology_missed`).
        "apology_missed": Q(apologised_at__lt=end_at, apology_due_at__lt=end_at),
        # Complained about (a dissatisfied rating or a complaint), whenever: the first time is on the dossier
        # (dossiers/0026), so the open dossiers need no probe of the ratings and the feedback (161,440 of them for a
        # year at 10,000,000 dossiers).
        "complained": Q(complained_at__isnull=False),
    }


@lru_cache(maxsize=64)
def _open_rules(end_at: datetime) -> dict[str, Q]:
    """The counts of OPEN_BEFORE_COUNTED for the dossiers received before the window and not finished: each is
    `_metric_rules`' own condition with the families' values for such a dossier put in (open at the end: true;
    received or finished in the window: false), so that PostgreSQL does not test the families again for each of
    them in each count (80,720 rows at 10,000,000 dossiers). tests/reporting/test_live_parts.py compares the
    two readings for every metric."""
    o = _open_state(end_at)
    waiting = o["waiting"]
    pending_late = o["past_desk_due"] & ~waiting
    national_late = (o["twice"] | (o["past_portal_due"] & o["has_rounds"] & o["national_waiting_late"])
                     | (o["past_portal_due"] & ~(o["has_rounds"] & o["national_waiting"])))
    return {
        "pending_in_time": ~o["past_desk_due"] & ~waiting,
        "pending_late": pending_late,
        "waiting": waiting,
        "national_in_time": ~national_late,
        "national_late": national_late,
        "apologised_late": pending_late & o["apologised"],
        "apology_missed": o["apology_missed"],
        "complained": o["complained"],
    }


@lru_cache(maxsize=64)
def _metric_rules(end_at: datetime, start_at: datetime) -> dict[str, Q]:
    """Every metric's condition for one window, built once (a report asks for 20–40 of them, and building the
    sub-queries is most of a report's Python time). Django never changes a Q it is given, so they are shared.

    Each AND puts the cheap tests of the dossier row before a sub-query, and a sub-query is only asked where
    the row alone cannot answer: PostgreSQL stops an AND at the first FALSE (not at a NULL, hence the explicit
    `IS NOT NULL` of the finished family). The supplement sub-queries are asked only of dossiers with
    `supplement_count > 0`: the services add one to the count with every supplement request they write
    (dossiers/services/supplements.py, intake.py), so a dossier without rounds needs no look-up."""
    fam = _families(start_at, end_at)
    received, finished, open_ = fam["received"], fam["finished"], fam["open"]
    o = _open_state(end_at)
    has_rounds, apologised = o["has_rounds"], o["apologised"]
    waiting = open_ & o["waiting"]
    pending_late = open_ & o["past_desk_due"] & ~waiting
    pending_in_time = open_ & ~o["past_desk_due"] & ~waiting
    late = finished & Q(verdict=Verdict.LATE)
    late_all = late | pending_late
    in_time = (finished & Q(verdict__in=[Verdict.EARLY, Verdict.ON_TIME])) | waiting | pending_in_time
    processed = finished | open_
    national_late = processed & (
        o["twice"]
        | (finished & Q(GreaterThan(F("finished_at"), o["portal_due"])))
        | (open_ & o["past_portal_due"] & has_rounds & o["national_waiting_late"])
        | (open_ & o["past_portal_due"] & ~(has_rounds & o["national_waiting"]))
    )
    # Look-ups by the dossier's own key (an index probe for the rows that reach them), never a set of the
    # whole table: hashing every unscanned component or dissatisfied rating cost more than the rest of a
    # short window's query, whatever its scope (the unscanned ones have a partial index, reporting/0002).
    unscanned = DossierComponent.objects.filter(dossier_id=OuterRef("pk"), file="")
    digitised = Q(Exists(DossierComponent.objects.filter(dossier_id=OuterRef("pk")))) & ~Q(Exists(unscanned))
    decided = finished & Q(status__in=DECIDED_STATUSES)
    # An electronic result (4.1): a result file, or the result the portal signed (signing app, PAdES).
    electronic = Q(result_file__gt="")
    if apps.is_installed("signing"):
        from signing.selectors import has_signed_result_q

        electronic |= Q(has_signed_result_q())

    def sourced(source):
        return received & Q(Exists(DossierComponent.objects.filter(dossier_id=OuterRef("pk"), data_source=source)))

    paid = received & Q(paid_at__isnull=False, paid_at__lt=end_at)
    complained = o["complained"]
    synced = Q(pk__isnull=True)  # nothing, without the national app
    if apps.is_installed("national"):
        from national.selectors import held_q

        synced = held_q()
    eligible = received & Q(procedure__full_online_eligible=True)
    return {
        "received": received,
        "finished": finished,
        "early": finished & Q(verdict=Verdict.EARLY),
        "on_time": finished & Q(verdict=Verdict.ON_TIME),
        "late": late,
        "open": open_,
        "pending_in_time": pending_in_time,
        "pending_late": pending_late,
        "waiting": waiting,
        "processed": processed,
        "in_time": in_time,
        "late_all": late_all,
        "national_in_time": processed & ~national_late,
        "national_late": national_late,
        "national_in_time_open": open_ & ~national_late,
        "national_late_open": open_ & national_late,
        "apologised_late_open": pending_late & apologised,
        "apology_missed_open": open_ & o["apology_missed"],
        "apologised_late": late_all & apologised,
        "unapologised_late": late_all & ~apologised,
        "apology_kept": finished & apologised & Q(apology_due_at__gte=F("finished_at")),
        "apology_missed": (finished & apologised & Q(apology_due_at__lt=F("finished_at")))
        | (open_ & o["apology_missed"]),
        "online": received & Q(channel=Channel.ONLINE),
        "fully_online": received & Q(fully_online=True),
        "counter": received & Q(channel=Channel.COUNTER),
        "postal": received & Q(channel=Channel.POSTAL),
        "supplemented": received & Q(supplement_count__gt=0),
        "supplemented_twice": received & Q(supplement_count__gte=2),
        "decided": decided,
        "electronic_result": decided & electronic,
        "paper_decided": decided & Q(procedure__paper_result=True),
        "paper_electronic_result": decided & Q(procedure__paper_result=True) & electronic,
        "digitised": received & digitised,
        "not_digitised": received & ~digitised,
        "reused": sourced(ComponentSource.REUSED),
        "population": sourced(ComponentSource.POPULATION),
        "citizen_store": sourced(ComponentSource.CITIZEN_STORE),
        "eligible": eligible,
        "fully_online_eligible": eligible & Q(fully_online=True),
        "paid": paid,
        "paid_online": paid & Q(fee_paid_via=FeePayment.ONLINE),
        "rated": received & Q(rating__isnull=False),
        "very_satisfied": received & Q(rating__overall=Overall.VERY_SATISFIED),
        "satisfied": received & Q(rating__overall=Overall.SATISFIED),
        "dissatisfied": received & Q(rating__overall=Overall.DISSATISFIED),
        "complained": processed & complained,
        # The fact table's own counts (reporting/models.ReportMonth): paid by now, whatever the window's
        # end (a period subtracts those paid after it), held by the national portal, complained and open.
        "complained_open": open_ & complained,
        "paid_ever": received & Q(paid_at__isnull=False),
        "paid_online_ever": received & Q(paid_at__isnull=False, fee_paid_via=FeePayment.ONLINE),
        "synced": received & synced,
    }


# --- rows ----------------------------------------------------------------------------------------

ROW_COUNTS = (
    "received", "finished", "early", "on_time", "late", "pending_in_time", "pending_late", "waiting",
    "national_in_time", "national_late", "online", "fully_online", "counter", "postal", "apologised_late",
    "apology_kept", "apology_missed", "supplemented", "supplemented_twice",
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
    waiting: int = 0
    national_in_time: int = 0
    national_late: int = 0
    online: int = 0
    fully_online: int = 0
    counter: int = 0
    postal: int = 0
    apologised_late: int = 0
    apology_kept: int = 0
    apology_missed: int = 0
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
    def open(self) -> int:
        return self.pending_in_time + self.pending_late + self.waiting

    @property
    def processed(self) -> int:
        return self.finished + self.open

    @property
    def late_all(self) -> int:
        return self.late + self.pending_late

    @property
    def on_time_rate(self) -> Decimal | None:
        """The desk's own figure (Decree 61): finished early or on time over finished, in the period."""
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
        """The desk's reading (Decree 61) of the progress rate: early, on time or still in time (waiting
        included) over the dossiers processed (finished in the period or open at its end)."""
        return indicators.percent(self.early + self.on_time + self.pending_in_time + self.waiting, self.processed)

    @property
    def national_rate(self) -> Decimal | None:
        """The national reading (766 indicator 2.1) of the same rate."""
        return indicators.percent(self.national_in_time, self.processed)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.NUMBERS}

    def delta(self, name: str):
        """The change of a figure since the previous period (rates in percentage points)."""
        if self.previous is None:
            return None
        now, before = getattr(self, name), getattr(self.previous, name)
        return None if now is None or before is None else now - before


RATES = ("on_time_rate", "online_share", "apologised_late_share", "satisfaction_rate", "in_time_rate", "national_rate")

# Counts of the dossier row alone (no sub-query): cheap filtered counts.
ROW_ONLY = (
    "finished", "early", "on_time", "late", "online", "fully_online", "counter", "postal",
    "supplemented", "supplemented_twice",
)
RATING_COUNTS = ("rated", "very_satisfied", "satisfied", "dissatisfied")
TREND_NUMBERS = ("received", "finished", "early", "on_time", "late", "pending_in_time", "pending_late", "waiting",
                 "national_in_time", "national_late", "online")


def _aggregates(flt: ReportFilter, names: Iterable[str]) -> dict:
    start, end = flt.start_at, flt.received_end_at
    out = {}
    for name in names:
        if name == "supplement_rounds":
            out[name] = Coalesce(Sum("supplement_count", filter=metric_q("received", end, start)), 0)
        elif name in ("rated", *RATING_COUNTS):
            continue
        else:
            out[name] = Count("id", filter=metric_q(name, end, start))
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


def _window_aggregates(flt: ReportFilter, names: set[str], prefix: str = "") -> dict:
    wanted = [n for n in (*Row.NUMBERS, *OPEN_PARTS, *INDEX_COLUMNS) if n in names]
    aggregates = {prefix + k: v for k, v in _aggregates(flt, wanted).items()}
    if names & set(RATING_COUNTS):
        received = metric_q("received", flt.received_end_at, flt.start_at)
        ratings = Rating.objects.filter(dossier_id=OuterRef("pk"), created_at__gte=flt.start_at)
        for overall in ("very_satisfied", "satisfied", "dissatisfied"):
            aggregates[prefix + overall] = Count("id", filter=received & Q(Exists(ratings.filter(overall=overall))))
    return aggregates


def _with_rated(d: dict) -> dict:
    if "very_satisfied" in d:
        d["rated"] = d["very_satisfied"] + d["satisfied"] + d["dissatisfied"]
    return d


def _grouped(flt: ReportFilter, keys: dict, names: Iterable[str] = Row.NUMBERS, py_keys: dict | None = None) -> list[dict]:
    """Counts per combination of keys in one GROUP BY over the dossiers the window touches; with `py_keys`
    (the same keys as functions of an (agency, procedure, channel) row) closed months come from the
    monthly fact table and only the open month is read from the dossiers."""
    if py_keys is not None and not flt.live:
        found = _rollup_months_stamped(flt)
        if found is not None:
            return _from_rollup(flt, found[0], py_keys, names, found[1])
    return [_with_rated(d) for d in _live_grouped(flt, keys, set(names))]


def _grouped_each(flt: ReportFilter, keys: dict, py_keys: dict) -> dict[str, list[dict]]:
    """Counts per value of each key alone, not per combination of the keys: {key: rows} (a dashboard's units,
    fields and channels). Closed months come from the fact table grouped by each key apart (a province's
    agency x field x channel combinations were two thousand rows folded twice in Python for every page); a period
    read live is one statement grouped by all the keys, folded into each."""
    if not flt.live:
        found = _rollup_months_stamped(flt)
        if found is not None:
            each = _from_rollup_each(flt, found[0], [{k: fn} for k, fn in py_keys.items()], Row.NUMBERS, found[1])
            return dict(zip(py_keys, each, strict=True))
    rows = _grouped(flt, keys)
    out = {}
    for name in keys:
        folded: dict = {}
        _fold_into(folded, {name: operator.itemgetter(name)}, {}, rows)
        out[name] = [_with_rated(d) for d in folded.values()]
    return out


# --- the live counts in two parts ------------------------------------------------------------------
#
# The dossiers a window touches are of two disjoint kinds: those received or finished in it (or received before
# it and finished after it), which any count may take, and those received before it and not finished, open at
# its end, which only the open family can take: for them every count of the received or finished family is
# zero, and the metrics that mix the families reduce to their open part (`open_ & X` and `processed & X` are X,
# `late` and `apology_kept` are false, so `late_all` is `pending_late`). The unfinished ones are most of a short
# window's rows (a running month's: every dossier still in progress, 80,720 at 10,000,000 dossiers), so they are
# counted with the few conditions below instead of the forty of a full row, each still `metric_q`'s own
# (tests/reporting/test_live_parts.py walks every metric), from an index that holds every column they read.
OPEN_BEFORE_COUNTED = ("pending_in_time", "pending_late", "waiting", "national_in_time", "national_late",
                       "apologised_late", "apology_missed", "complained")
# The counts that equal one of those for a dossier received before the window and open at its end.
OPEN_BEFORE_SAME = {"national_in_time_open": "national_in_time", "national_late_open": "national_late",
                    "apologised_late_open": "apologised_late", "apology_missed_open": "apology_missed",
                    "complained_open": "complained", "late_all": "pending_late"}
# `processed` (finished or open) and `open` hold for every one of them: their number.
OPEN_BEFORE_ALL = ("processed", "open")
# The received and the finished family: none of them. Any other count is counted over them as it is.
OPEN_BEFORE_NONE = frozenset((
    "received", "finished", "early", "on_time", "late", "online", "fully_online", "counter", "postal", "supplemented",
    "supplemented_twice", "supplement_rounds", "rated", "very_satisfied", "satisfied", "dissatisfied", "decided",
    "electronic_result", "paper_decided", "paper_electronic_result", "digitised", "not_digitised", "reused",
    "population", "citizen_store", "eligible", "fully_online_eligible", "paid", "paid_online", "paid_ever",
    "paid_online_ever", "synced", "apology_kept",
))


def open_before(flt: ReportFilter) -> QuerySet:
    """The dossiers received before the window and not finished at all: open at its end, read by the covering
    index of the unfinished dossiers (reporting/0007) without visiting the table."""
    return _scoped(Dossier.objects.filter(received_at__lt=flt.start_at, finished_at__isnull=True), flt)


def received_or_finished(flt: ReportFilter) -> QuerySet:
    """The other dossiers the window touches: received in it, finished in it, or received before it and finished
    after its end (a period in the past)."""
    fam = _families(flt.start_at, flt.received_end_at)
    later = Q(received_at__lt=flt.start_at, finished_at__gte=flt.received_end_at)
    return _scoped(Dossier.objects.filter(fam["received"] | fam["finished"] | later), flt)


def _open_before_sources(full: dict, end: datetime) -> tuple[dict, dict]:
    """For the dossiers open before the window: the counts to ask (each condition once) and, per wanted count,
    which of them gives it (None: zero)."""
    asked, source = {}, {}
    for name, expression in full.items():
        if name in OPEN_BEFORE_NONE:
            source[name] = None
        elif name in OPEN_BEFORE_ALL:
            asked["_all"] = Count("id")
            source[name] = "_all"
        elif name in OPEN_BEFORE_COUNTED or name in OPEN_BEFORE_SAME:
            counted = OPEN_BEFORE_SAME.get(name, name)
            asked[counted] = Count("id", filter=_open_rules(end)[counted])
            source[name] = counted
        else:
            asked[name] = expression
            source[name] = name
    return asked, source


def _live_grouped(flt: ReportFilter, keys: dict, names: set[str], aggregates=None) -> list[dict]:
    """Counts per combination of keys over the dossiers the window touches, read live in its two parts (above,
    one statement) and added up by key. `aggregates(flt, names)` builds the full counts (`_window_aggregates`)."""
    aggregates = aggregates or _window_aggregates
    end = flt.received_end_at
    db = connections[router.db_for_read(Dossier) or DEFAULT_DB_ALIAS]  # where the ORM would read (the replica)
    if db.vendor == "postgresql":
        sql, params, columns = _live_statement(replace(flt, as_of=_END), tuple(keys.items()), frozenset(names),
                                               aggregates)
        params = [end if isinstance(p, datetime) and p == _END else p for p in params]
    else:  # the embedded quick start: its parameters are not the datetimes given
        sql, params, columns = _live_statement.__wrapped__(flt, tuple(keys.items()), frozenset(names), aggregates)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    merged: dict = {}
    width = len(keys)
    for row in rows:
        key = row[:width]
        acc = merged.get(key)
        if acc is None:
            merged[key] = {**dict(zip(keys, key, strict=True)),
                           **{n: int(v or 0) for n, v in zip(columns, row[width:], strict=True)}}
        else:
            for n, v in zip(columns, row[width:], strict=True):
                acc[n] += int(v or 0)
    if not keys and not merged:
        merged[()] = dict.fromkeys(columns, 0)
    return list(merged.values())


# Compiling the statement (up to forty filtered counts with their sub-queries) cost 40-60 ms of Python per report,
# every time, as a running period ends now: it is compiled once per shape with this stand-in for the window's
# end, and run with the real one (PostgreSQL, whose parameters are the datetimes given).
_END = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


@lru_cache(maxsize=256)
def _live_statement(flt: ReportFilter, key_items: tuple, names: frozenset, aggregates) -> tuple[str, tuple, tuple]:
    """The statement of `_live_grouped`: each part grouped by the keys, one after the other (UNION ALL), with the
    same columns: the keys, then every count (the open part's taken from the count it equals, or zero)."""
    keys = dict(key_items)
    grouping = keys or {"_k": Value(0, output_field=IntegerField())}  # no keys: one row of totals a part
    full = aggregates(flt, set(names))
    asked, source = _open_before_sources(full, flt.received_end_at)
    quote = connection.ops.quote_name
    columns = tuple(full)
    key_cols = [quote(k) for k in keys]
    sql, params = [], []
    for qs, counts, taken in ((received_or_finished(flt), full, {n: n for n in full}), (open_before(flt), asked, source)):
        if not counts:
            continue
        inner, inner_params = qs.annotate(**grouping).values(*grouping).annotate(**counts).order_by().query.sql_with_params()
        cols = [*key_cols, *(quote(taken[n]) if taken[n] else "0" for n in columns)]
        sql.append(f"SELECT {', '.join(cols)} FROM ({inner}) part")
        params += inner_params
    return " UNION ALL ".join(sql), tuple(params), columns


# --- the monthly fact table (reporting/models.ReportMonth) ----------------------------------------

OPEN_ONLY = ("pending_in_time", "pending_late", "waiting")
MIXED = ("national_in_time", "national_late", "apologised_late", "apology_missed")
OPEN_PARTS = tuple(f"{name}_open" for name in MIXED)
# The 766 counts the fact table holds besides the report columns (reporting/models.ReportMonth).
INDEX_COLUMNS = ("decided", "electronic_result", "digitised", "reused", "population", "citizen_store", "complained",
                 "complained_open", "paid_ever", "paid_online_ever", "synced")


def month_closed(first: date, now: datetime | None = None) -> bool:
    """Whether the month starting `first` is over (`periods.month_closed` in the portal's zone): only a
    closed month is rolled up into the fact table; the open month is always read live."""
    return periods.month_closed(first, now or timezone.now(), timezone.get_default_timezone())


def _rollup_months(flt: ReportFilter) -> list[date] | None:
    """The closed months of a whole-month period, when every one of them is built; None: read live."""
    found = _rollup_months_stamped(flt)
    return None if found is None else found[0]


def _rollup_months_stamped(flt: ReportFilter) -> tuple[list[date], tuple] | None:
    """The same months and their build stamps (what a cached sum over them is keyed by)."""
    from .models import ReportMonthBuilt

    p = flt.period
    if flt.month is not None or p.start.day != 1:
        return None
    # Whole closed months inside the period; a partial or open tail is read live.
    closed = [m for m in p.months() if month_closed(m, flt.as_of) and _month_end(m) <= p.end]
    if not closed:
        return None
    built = list(ReportMonthBuilt.objects.filter(month__in=closed).order_by("month").values_list("month", "id", "built_at"))
    if len(built) != len(closed):
        return None
    return closed, tuple((m.isoformat(), i, t.isoformat()) for m, i, t in built)


def _month_end(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


def _field_of() -> dict[int, int]:
    return dict(Procedure.objects.values_list("id", "field_id"))


def _from_rollup(flt: ReportFilter, months: list[date], py_keys: dict, names, stamp: tuple = ()) -> list[dict]:
    """Closed months summed from the fact table (the open counts of the period's last month only), the open
    month (if the period reaches it) counted live, then folded into the keys in Python."""
    return _from_rollup_each(flt, months, [py_keys], names, stamp)[0]


def _from_rollup_each(flt: ReportFilter, months: list[date], key_sets: list[dict], names,
                      stamp: tuple = ()) -> list[list[dict]]:
    """`_from_rollup` for several groupings of the same period at once (a dashboard's units, fields and channels):
    the closed months' sums grouped in SQL by what each grouping needs (cached apart), the open month read live
    once and folded into each."""
    from .models import ReportMonth

    last_closed = _month_end(months[-1]) == flt.period.end
    qs = _scoped(ReportMonth.objects.filter(month__in=months), flt)  # the fact table has the same columns
    last = Q(month=months[-1])
    aggregates = {}
    for name in (*ROW_COUNTS, "supplement_rounds"):
        if name == "rated":
            continue
        if name in OPEN_ONLY:
            if last_closed:  # else the live tail counts what is open at the period's end
                aggregates[name] = Coalesce(Sum(name, filter=last), 0)
        elif name in MIXED:
            closed_part = Coalesce(Sum(F(name) - F(f"{name}_open")), 0)
            aggregates[name] = closed_part + Coalesce(Sum(f"{name}_open", filter=last), 0) if last_closed else closed_part
        else:
            aggregates[name] = Coalesce(Sum(name), 0)
    # Group in SQL by only what the keys need (agency for units, field or procedure, channel).
    sql_cols = {"agency": "agency_id", "procedure": "procedure_id", "field": "procedure__field_id", "channel": "channel"}
    ident = (flt.agency_ids, flt.field_id, flt.procedure_id, flt.channel, last_closed, stamp)
    tail = None
    if not last_closed:
        after = months[-1]
        open_start = date(after.year + (after.month == 12), after.month % 12 + 1, 1)  # the months not yet closed
        window = replace(flt, period=Period(open_start, flt.period.end))
        # Grouped by the fact table's own key, the procedure's field found in Python: grouping by the field in
        # SQL joins the procedures, and with a misestimated procedure count PostgreSQL then reads the open
        # dossiers once per procedure (300 bitmap scans, 3x slower at 1,000,000 dossiers).
        tail = _grouped(window, {"a": F("agency_id"), "p": F("procedure_id"), "c": F("channel")}, names)
        fields = _field_of() if any(fn == "field" for keys in key_sets for fn in keys.values()) else {}
        for d in tail:
            d.update(agency_id=d["a"], procedure_id=d["p"], channel=d["c"], procedure__field_id=fields.get(d["p"]))
    results = []
    for py_keys in key_sets:
        cols = sorted({"agency_id" if callable(fn) else sql_cols[fn] for fn in py_keys.values()})
        out: dict = {}
        _fold_into(out, py_keys, sql_cols, _cached_sums(qs, cols, aggregates, ident))
        if tail is not None:
            _fold_into(out, py_keys, sql_cols, tail)
        results.append([_with_rated(out.get((), {}))] if not py_keys else [_with_rated(d) for d in out.values()])
    return results


def _fold_into(out: dict, py_keys: dict, sql_cols: dict, rows: list[dict]) -> None:
    """Add rows (all with the same names) into `out` by their key under `py_keys`, as vectors of their numbers."""
    if not rows:
        return
    getters = [fn if callable(fn) else operator.itemgetter(sql_cols[fn]) for fn in py_keys.values()]
    present = [name for name in Row.NUMBERS if name in rows[0]]
    by_key: dict = {}
    for d in rows:
        key = tuple(get(d) for get in getters)
        vals = [int(d[name] or 0) for name in present]
        before = by_key.get(key)
        by_key[key] = vals if before is None else list(map(operator.add, before, vals))
    for key, vals in by_key.items():
        acc = out.setdefault(key, dict(zip(py_keys, key, strict=True)))
        for name, value in zip(present, vals, strict=True):
            acc[name] = acc.get(name, 0) + value


SUMS_CACHE_SECONDS = 7 * 24 * 3600


def _cached_sums(qs: QuerySet, cols: list[str], aggregates: dict, ident: tuple) -> list[dict]:
    """The sums over closed months, cached (Django cache) under the filter, the grouping and the months' build
    stamps: a rebuild or a change the services write into one of the months moves its stamp, so a cached sum
    is never stale; the open month is never in it."""
    agency_ids, *rest = ident
    key = "report-months:" + hashlib.sha256(repr((
        sorted(agency_ids) if agency_ids is not None else None, *rest, cols, sorted(aggregates),
    )).encode()).hexdigest()
    rows = cache.get(key)
    if rows is None:
        rows = list(qs.order_by().values(*cols).annotate(**aggregates)) if cols else [qs.aggregate(**aggregates)]
        cache.set(key, rows, SUMS_CACHE_SECONDS)
    return rows


def _monthly(flt: ReportFilter, months: list[date], names: Iterable[str]) -> dict[date, dict]:
    """Each month as its own window (received in it, finished in it, open at its end), in one query."""
    names = set(names)
    aggregates, windows = {}, {}
    out = {} if flt.live or flt.month is not None else _monthly_from_rollup(flt, months)
    for i, m in enumerate(months):
        window = replace(flt, month=m)
        if m not in out and window.start_at < window.received_end_at:
            windows[m] = f"m{i}__"
            aggregates.update(_window_aggregates(window, names, f"m{i}__"))
    if not aggregates:
        return out
    live = replace(flt, period=Period(max(min(windows), flt.period.start), flt.period.end))
    data = touched_in(live).aggregate(**aggregates)
    out.update({m: _with_rated({k[len(p):]: v for k, v in data.items() if k.startswith(p)}) for m, p in windows.items()})
    return out


def _monthly_from_rollup(flt: ReportFilter, months: list[date]) -> dict[date, dict]:
    """The closed, built months of a trend from the fact table: each month is its own window, so its
    row is the plain sum of its facts."""
    from .models import ReportMonth, ReportMonthBuilt

    closed = [m for m in months if month_closed(m, flt.as_of) and _month_end(m) <= flt.period.end]
    built = set(ReportMonthBuilt.objects.filter(month__in=closed).values_list("month", flat=True))
    if not built:
        return {}
    qs = ReportMonth.objects.filter(month__in=sorted(built))
    if flt.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(flt.agency_ids))
    if flt.field_id is not None:
        qs = qs.filter(procedure__field_id=flt.field_id)
    if flt.procedure_id is not None:
        qs = qs.filter(procedure_id=flt.procedure_id)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    sums = {n: Coalesce(Sum(n), 0) for n in (*ROW_COUNTS, "supplement_rounds") if n != "rated"}
    out = {m: {n: 0 for n in sums} for m in built}
    for d in qs.order_by().values("month").annotate(**sums):
        out[d["month"]] = d
    return {m: _with_rated(d) for m, d in out.items()}


def _values(qs: QuerySet, keys: dict, aggregates: dict) -> list[dict]:
    """GROUP BY the keys, or one row of totals when there are none."""
    if not keys:
        return [qs.aggregate(**aggregates)]
    return list(qs.values(*keys).annotate(**aggregates).order_by())


def _bucket_map(tree: AgencyTree, unit: Unit | None, scope: set[int] | None) -> dict[int, int]:
    """Each receiving agency → the child unit (of `unit`) whose subtree holds it (folded in Python)."""
    out = {}
    for child in tree.kids(unit, scope):
        ids = tree.subtree(child.id)
        if scope is not None:
            ids &= scope
        for i in ids:
            out[i] = child.id
    return out


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
        "month": None,
    }[group_by]
    if group_by == "month":
        # Each month is its own window: received in it, finished in it, open at its end.
        months = flt.period.months() if flt.month is None else [flt.month]
        by_month = _monthly(flt, months, names)
        rows = [Row(key=m.strftime("%Y-%m"), label=m.strftime("%m/%Y")).add(by_month.get(m, {})) for m in months]
        totals = Row(key="total", label=_("Tổng cộng"))
        for d in _grouped(flt, {}, names, py_keys={}):
            totals.add(d)
        return Report(group_by, rows, totals, flt)
    data = _grouped(flt, {"k": key_expr}, names, py_keys={"k": group_by})
    if group_by == "channel":
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
        for d in _grouped(flt, {}, py_keys={}):
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
    buckets = _bucket_map(tree, unit, scope_ids)
    py_keys = {"unit": lambda d: buckets.get(d["agency_id"], d["agency_id"]), "part": breakdown_kind, "ch": "channel"}
    # Each grouping apart (units, fields or procedures, channels); the channels split every dossier, so their
    # sum is the total.
    current = _grouped_each(flt, keys, py_keys)
    by_unit, by_part, by_channel = ({d[name]: d for d in current[name]} for name in ("unit", "part", "ch"))
    totals_row = Row(key="total", label=_("Tổng cộng"))
    for d in current["ch"]:
        totals_row.add(d)
    # A closed previous period comes from the fact table's cached sums (_cached_sums): no query but the stamps.
    before = _grouped(replace(flt, period=previous_period), {"unit": keys["unit"]}, py_keys={"unit": py_keys["unit"]})
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
        touched_in(flt)
        .filter(metric_q(metric, flt.received_end_at, flt.start_at))
        .select_related("procedure", "agency", "apology")
        .order_by("received_at", "id")
    )


# --- Decision 766 --------------------------------------------------------------------------------

INDEX_DOSSIER_METRICS = (
    "received", "processed", "national_in_time", "national_late", "online", "fully_online_eligible", "eligible",
    "paid", "paid_online", "paper_decided", "paper_electronic_result", "digitised", "reused", "population",
    "citizen_store", "complained",
)

# The dossiers behind each rate: (numerator metric, denominator metric).
INDICATOR_LINKS = {
    "2.1": ("national_in_time", "processed"),
    "3.2": ("online", "received"),
    "3.3": ("fully_online_eligible", "eligible"),
    "3.6": ("paid_online", "paid"),
    "4.1": ("paper_electronic_result", "paper_decided"),
    "4.2": ("digitised", "received"),
    "4.3": ("reused", "received"),
    "4.4": ("citizen_store", "received"),
    "4.5b": ("population", "received"),
}


def procedure_counts(agency_ids: frozenset[int] | None, tree: AgencyTree | None = None,
                     flt: ReportFilter | None = None, paid_online_procedures: set[int] | None = None) -> dict[str, int]:
    """Published procedures the units perform (linked to them, or at their level), how many are online, how
    many carry a fee, and (with a filter) how many of those had a dossier paid online in the window."""
    qs = Procedure.objects.filter(status=ProcedureStatus.PUBLISHED)
    if agency_ids is not None:
        tree = tree or AgencyTree.load()
        levels = {tree.by_id[i].level for i in agency_ids if i in tree.by_id}
        cond = Q(agencies__id__in=sorted(agency_ids))
        for level in sorted(levels):
            cond |= Q(agency_levels__contains=level)
        qs = qs.filter(cond)
    aggregates = dict(
        procedures_published=Count("id", distinct=True),
        procedures_online=Count("id", distinct=True, filter=Q(online_mode__in=[OnlineMode.FULL, OnlineMode.PARTIAL])),
        procedures_with_fee=Count("id", distinct=True, filter=Q(fee_amount__gt=0)),
        # 4.5a: a procedure is connected to the population database when the catalogue marks one of its
        # components as held there (taken from it at intake instead of asked for, Decree 309/2026).
        procedures_population=Count("id", distinct=True, filter=Q(components__held_in=DataHolder.POPULATION)),
    )
    if flt is not None:
        paid_online = touched_in(flt).filter(metric_q("paid_online", flt.received_end_at, flt.start_at))
        aggregates["procedures_paid_online"] = Count(
            "id", distinct=True, filter=Q(fee_amount__gt=0, id__in=paid_online.values("procedure_id")))
    elif paid_online_procedures is not None:  # found in the fact table
        aggregates["procedures_paid_online"] = Count(
            "id", distinct=True, filter=Q(fee_amount__gt=0, id__in=sorted(paid_online_procedures)))
    return qs.order_by().aggregate(**aggregates)


def synced_count(flt: ReportFilter) -> int | None:
    """Indicator 1.4's numerator: dossiers received in the window that the national portal holds (a
    DongBoHoSoMC it accepted, or filed there: `national.selectors.held_q`), with the report's own filter,
    so that it is counted over exactly the dossiers of the denominator. None without the national app."""
    if not apps.is_installed("national"):
        return None
    from national.selectors import held_q

    return received_in(flt).filter(held_q()).count()


def feedback_counts(flt: ReportFilter) -> dict[str, int]:
    """Feedback figures of 5.2 and 5.3: due and answered on time; handled in the window, disliked answers,
    repeated complaints (a complaint about a dossier already complained about) and late answers."""
    start, end = flt.start_at, flt.received_end_at
    qs = Feedback.objects.exclude(status=FeedbackStatus.REFUSED)
    if flt.agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(flt.agency_ids))
    if flt.field_id is not None:
        qs = qs.filter(dossier__procedure__field_id=flt.field_id)
    if flt.procedure_id is not None:
        qs = qs.filter(dossier__procedure_id=flt.procedure_id)
    handled = Q(answered_at__gte=start, answered_at__lt=end)
    # Every count is of the feedback handled in the window: that range only (reporting/0010's index by answer
    # time), not every piece of feedback ever received with the window as a filter of each count.
    return qs.filter(handled).order_by().aggregate(
        feedback_handled=Count("id"),
        feedback_disliked=Count("id", filter=Q(answer_rating=Overall.DISSATISFIED)),
        # A complaint about a dossier complained about before: known when received (Feedback.is_repeat).
        feedback_repeated=Count("id", filter=Q(is_complaint=True, dossier__isnull=False, is_repeat=True)),
        feedback_late=Count("id", filter=Q(answered_at__gt=F("answer_due_at"))),
    )


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
    counts, paid_online_procedures = _index_counts(flt)
    if paid_online_procedures is None:
        counts.update(procedure_counts(flt.agency_ids, tree, flt))
    else:
        counts.update(procedure_counts(flt.agency_ids, tree, paid_online_procedures=paid_online_procedures))
    fb = feedback_summary(flt)
    counts.update(feedback_due=fb.due, feedback_on_time=fb.on_time, feedback_rated=fb.rated, feedback_satisfied=fb.satisfied)
    counts.update(feedback_counts(flt))
    if "synced" not in counts or not apps.is_installed("national"):
        counts["synced"] = synced_count(flt)
    return Index766(indicators.score(counts), counts, flt, unit)


# The live counts of a 766 tail (the months not in the fact table), per procedure, before the procedure's flags
# are folded in (_fold_index).
INDEX_LIVE = ("received", "processed", "national_in_time", "national_late", "online", "fully_online", "decided",
              "electronic_result", "digitised", "reused", "population", "citizen_store", "complained", "paid",
              "paid_online", "synced")


def _index_counts(flt: ReportFilter) -> tuple[dict, set[int] | None]:
    """The dossier counts of the 766 index: whole closed months from the fact table (grouped by procedure,
    folded with the procedures' flags in Python), the rest of the period live. Returns the counts and the
    procedures with a dossier paid online in the window (None: read live, procedure_counts finds them)."""
    found = None if flt.live else _rollup_months_stamped(flt)
    if found is None:
        return touched_in(flt).aggregate(**_aggregates(flt, INDEX_DOSSIER_METRICS)), None
    months, stamp = found
    from .models import ReportMonth

    last_closed = _month_end(months[-1]) == flt.period.end
    qs = _scoped(ReportMonth.objects.filter(month__in=months), flt)
    last = Q(month=months[-1])

    def summed(name):
        return Coalesce(Sum(name), 0)

    def mixed(name, open_name):  # finished in any month, plus open at the period's end (its last month)
        closed_part = Coalesce(Sum(F(name) - F(open_name)), 0)
        return closed_part + Coalesce(Sum(open_name, filter=last), 0) if last_closed else closed_part

    aggregates = {n: summed(n) for n in ("received", "online", "fully_online", "decided", "electronic_result",
                                         "digitised", "reused", "population", "citizen_store", "synced")}
    aggregates["paid"] = summed("paid_ever")
    aggregates["paid_online"] = summed("paid_online_ever")
    aggregates["processed"] = summed("finished")
    if last_closed:
        aggregates["processed"] = summed("finished") + Coalesce(
            Sum(F("pending_in_time") + F("pending_late") + F("waiting"), filter=last), 0)
    for name in ("national_in_time", "national_late"):
        aggregates[name] = mixed(name, f"{name}_open")
    aggregates["complained"] = mixed("complained", "complained_open")
    per_procedure: dict[int, dict] = defaultdict(lambda: dict.fromkeys(INDEX_LIVE, 0))

    def add(pid, d, sign=1):
        acc = per_procedure[pid]
        for k in INDEX_LIVE:
            acc[k] += sign * int(d.get(k) or 0)

    for d in _cached_sums(qs, ["procedure_id"], aggregates, (flt.agency_ids, flt.field_id, flt.procedure_id,
                                                            flt.channel, last_closed, stamp, "766")):
        add(d["procedure_id"], d)
    # Received in the rolled-up months, paid by now but not by the period's end.
    received_until = datetime.combine(_month_end(months[-1]) + timedelta(days=1), datetime.min.time(), tzinfo=tz())
    for d in _paid_after(flt, received_until):
        add(d["procedure_id"], d, -1)
    if not last_closed:
        after = months[-1]
        tail = replace(flt, period=Period(date(after.year + (after.month == 12), after.month % 12 + 1, 1), flt.period.end))
        for d in _live_grouped(tail, {"p": F("procedure_id")}, set(INDEX_LIVE), aggregates=_aggregates):
            add(d["p"], d)
    return _fold_index(per_procedure)


def _paid_after(flt: ReportFilter, received_until: datetime) -> list[dict]:
    """Per procedure, the dossiers received from the period's start until `received_until` and paid at or after
    the period's end: those whose receipt-to-payment span covers the end (a GiST index, reporting/0004)."""
    spans = RawSQL("tstzrange(dossiers_dossier.received_at, dossiers_dossier.paid_at, '[]') @> %s::timestamptz",
                   [flt.end_at], output_field=BooleanField())
    qs = Dossier.objects.filter(received_at__gte=flt.start_at, received_at__lt=received_until,
                                paid_at__gte=F("received_at")).filter(spans)
    return list(_scoped(qs, flt).values("procedure_id").annotate(
        paid=Count("id"), paid_online=Count("id", filter=Q(fee_paid_via=FeePayment.ONLINE))))


def _fold_index(per_procedure: dict[int, dict]) -> tuple[dict, set[int]]:
    """Sum the procedures' counts; the eligible (fully-online) and paper-result counts by the procedures' flags."""
    flags = {pid: (eligible, paper) for pid, eligible, paper in Procedure.objects.filter(id__in=list(per_procedure))
             .values_list("id", "full_online_eligible", "paper_result")}
    out = dict.fromkeys((*INDEX_DOSSIER_METRICS, "synced"), 0)
    paid_online = set()
    for pid, d in per_procedure.items():
        eligible, paper = flags.get(pid, (False, False))
        for k in ("received", "processed", "national_in_time", "national_late", "online", "digitised", "reused",
                  "population", "citizen_store", "complained", "paid", "paid_online", "synced"):
            out[k] += d[k]
        if eligible:
            out["eligible"] += d["received"]
            out["fully_online_eligible"] += d["fully_online"]
        if paper:
            out["paper_decided"] += d["decided"]
            out["paper_electronic_result"] += d["electronic_result"]
        if d["paid_online"] > 0:
            paid_online.add(pid)
    return out, paid_online


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
