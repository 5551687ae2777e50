"""Reads behind the officers' screens: the worklists (danh sách hồ sơ) per role, and the procedures a desk
may receive.

Every tab starts from the dossiers the user may see (the visibility fact, `dossiers.lists.scoped`), so a
tab can narrow the scope but never widen it; the tab's statuses are a condition on the fact too. A page
costs the same whatever the number of dossiers: one or two index-ordered queries, and counts (the page's
and the tab badges') that stop at `lists.COUNT_CAP`, shown as "10 000+" (the badges at `lists.BADGE_CAP`, "999+").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Role
from organisation.selectors import province_agency_ids
from procedures.models import Procedure
from procedures.selectors import level_q, public_procedures
from procedures.text import fold

from . import lists
from .models import Dossier, DossierVisibility, Status, Step, Verdict
from .selectors import PENDING_STATUSES, dossier_is_late
from .services import staff_pairs

# Urgency ranks, the first sort key of every list: late first, then due soon, then in time.
LATE, DUE_SOON, IN_TIME, NO_DEADLINE = 0, 1, 2, 3


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    roles: frozenset[str]


STAFF_ROLES = frozenset({Role.DESK_OFFICER, Role.PROCESSING_OFFICER, Role.HEAD, Role.MANAGER, Role.ADMINISTRATOR})

TABS: tuple[Tab, ...] = (
    Tab("cho-tiep-nhan", _("Chờ tiếp nhận"), frozenset({Role.DESK_OFFICER})),
    Tab("can-xu-ly", _("Cần xử lý"), frozenset({Role.DESK_OFFICER, Role.PROCESSING_OFFICER})),
    Tab("cho-phe-duyet", _("Chờ phê duyệt"), frozenset({Role.HEAD})),
    Tab("cho-tra-ket-qua", _("Chờ trả kết quả"), frozenset({Role.DESK_OFFICER})),
    Tab("cho-bo-sung", _("Chờ bổ sung"), frozenset({Role.DESK_OFFICER, Role.PROCESSING_OFFICER, Role.HEAD})),
    Tab("tat-ca", _("Tất cả"), STAFF_ROLES),
)
TAB_BY_KEY = {tab.key: tab for tab in TABS}


@dataclass
class Scope:
    """Who the user is at which agency: `(agency_id, role)` pairs; `everything` for a superuser."""

    user: object
    pairs: set[tuple[int, str]] = field(default_factory=set)
    everything: bool = False

    @property
    def roles(self) -> set[str]:
        return {role for _agency, role in self.pairs} | (set(STAFF_ROLES) if self.everything else set())

    def agencies(self, *roles: str) -> set[int]:
        return {agency for agency, role in self.pairs if not roles or role in roles}


def scope_for(user) -> Scope:
    """One query: the user's memberships."""
    if not user or not user.is_authenticated:
        return Scope(user=user)
    return Scope(user=user, pairs=set(staff_pairs(user)), everything=user.is_superuser)


def tabs_for(scope: Scope) -> list[Tab]:
    """Only the tabs that the user's roles use."""
    roles = scope.roles
    return [tab for tab in TABS if tab.roles & roles]


def _agency_q(scope: Scope, lookup: str, *roles: str) -> Q:
    if scope.everything:
        return Q()
    ids = scope.agencies(*roles)
    return Q(**{f"{lookup}__in": ids}) if ids else Q(pk__in=[])


def _current_step_q(scope: Scope, step_roles: tuple[str, ...]) -> Q:
    """Dossiers whose open step is at one of my agencies and is mine: assigned to me, or unassigned and of
    a role I hold there."""
    open_steps = Step.objects.filter(dossier=OuterRef("pk"), started_at__isnull=False, finished_at__isnull=True)
    mine = Q(assignee=scope.user, role__in=step_roles)
    if scope.everything:
        unassigned = Q(assignee__isnull=True, role__in=step_roles)
    else:
        unassigned = Q(pk__in=[])
        for agency_id, role in scope.pairs:
            if role in step_roles:
                unassigned |= Q(agency_id=agency_id, role=role, assignee__isnull=True)
    return Q(Exists(open_steps.filter(mine | unassigned)))


# The statuses of each tab, a condition on the visibility fact (so that a tab reads one index range).
TAB_STATUSES = {
    "cho-tiep-nhan": (Status.SUBMITTED,),
    "can-xu-ly": (Status.RECEIVED, Status.PROCESSING),
    "cho-phe-duyet": (Status.PROCESSING,),
    "cho-tra-ket-qua": (Status.DECIDED,),
    "cho-bo-sung": (Status.SUPPLEMENT_REQUESTED,),
}


def tab_filter(scope: Scope, key: str) -> Q:
    """The condition a dossier meets to be in a tab (on top of being visible and in `TAB_STATUSES`)."""
    desk = (Role.DESK_OFFICER,)
    if key == "cho-tiep-nhan":
        return Q(status=Status.SUBMITTED) & _agency_q(scope, "agency_id", *desk)
    if key == "can-xu-ly":
        working = _current_step_q(scope, (Role.PROCESSING_OFFICER, Role.DESK_OFFICER))
        # Received at my desk and not handed on yet: the desk's own to-do.
        to_transfer = Q(status=Status.RECEIVED) & _agency_q(scope, "agency_id", *desk)
        return (Q(status=Status.PROCESSING) & working) | to_transfer
    if key == "cho-phe-duyet":
        return Q(status=Status.PROCESSING) & _current_step_q(scope, (Role.HEAD,))
    if key == "cho-tra-ket-qua":
        return Q(status=Status.DECIDED) & _agency_q(scope, "agency_id", *desk)
    if key == "cho-bo-sung":
        return Q(status=Status.SUPPLEMENT_REQUESTED) & (
            _agency_q(scope, "agency_id") | _agency_q(scope, "current_agency_id")
        )
    return Q()


# The roles whose work each tab shows (the fact's `todo_role`); "chờ bổ sung" shows any staff member of the
# receiving and the holding agency (`*`).
TAB_TODO_ROLES = {
    "cho-tiep-nhan": (Role.DESK_OFFICER,),
    "can-xu-ly": (Role.PROCESSING_OFFICER, Role.DESK_OFFICER),
    "cho-phe-duyet": (Role.HEAD,),
    "cho-tra-ket-qua": (Role.DESK_OFFICER,),
    "cho-bo-sung": ("*",),
}


@dataclass(frozen=True)
class TabRows:
    """A tab as rows of the visibility fact: `condition` on the fact's columns, naming `agencies`."""

    condition: Q
    agencies: frozenset[int]


def tab_rows(scope: Scope, key: str) -> TabRows | None:
    """The tab `key` as the fact's rows waiting for me (DossierVisibility.todo_role / todo_user_id): at each
    agency I work at, the rows of the tab's statuses whose work is for a role I hold there and for no one in
    particular, or for me. Inside my scope by construction: a `todo_role` is only ever on a `direct` row of
    the agency where the work is. None where the fact does not answer (a superuser's tabs, SQLite, "tất cả"):
    `tab_filter` asks the dossiers instead."""
    if scope.everything or not lists.uses_fact() or key not in TAB_TODO_ROLES:
        return None
    statuses, tab_roles = TAB_STATUSES[key], TAB_TODO_ROLES[key]
    condition, agencies = Q(agency_id__in=[]), set()
    for agency in sorted(scope.agencies()):
        held = {role for a, role in scope.pairs if a == agency}
        ours = [role for role in tab_roles if role == "*" or role in held]
        at = Q(todo_role__in=ours, todo_user_id__isnull=True) if ours else Q(agency_id__in=[])
        if key in ("can-xu-ly", "cho-phe-duyet"):  # a step assigned to me by name
            at |= Q(todo_role__in=tab_roles, todo_user_id=scope.user.pk)
        condition |= Q(agency_id=agency, status__in=statuses) & at
        agencies.add(agency)
    return TabRows(condition, frozenset(agencies))


def _tab(user, scope: Scope, key: str, filters: Filters | None, fact_extra: Q | None = None,
         now: datetime | None = None) -> QuerySet[Dossier]:
    """The tab's dossiers, unordered: from the fact's rows waiting for me where it answers (`tab_rows`);
    else the scope and the tab's statuses from the fact, then the tab's own condition (whose desk, whose
    step) on the dossiers."""
    rows = tab_rows(scope, key)
    if rows is not None:
        condition = rows.condition & fact_extra if fact_extra is not None else rows.condition
        return lists.scoped_rows(condition, rows.agencies, (filters or Filters()).as_list_filters(), now=now)
    statuses = TAB_STATUSES.get(key)
    condition = Q(status__in=statuses) if statuses else Q()
    if fact_extra is not None:
        condition &= fact_extra
    extra = tab_filter(scope, key)
    return lists.scoped(user, (filters or Filters()).as_list_filters(), extra=extra if extra else None,
                        fact_extra=condition if condition else None, now=now)


def _tab_rows(user, scope: Scope, key: str, filters: Filters | None, fact_extra: Q | None = None,
              now: datetime | None = None) -> QuerySet | None:
    """The fact's rows of a tab when they alone answer it (`tab_rows`, or `lists.fact_rows`: a tab with no
    condition of its own beyond its statuses), for counting from one index; else None."""
    rows = tab_rows(scope, key)
    if rows is not None:
        condition = rows.condition & fact_extra if fact_extra is not None else rows.condition
        return lists.fact_rows_of(condition, rows.agencies, (filters or Filters()).as_list_filters(), now=now)
    if tab_filter(scope, key):
        return None
    statuses = TAB_STATUSES.get(key)
    condition = Q(status__in=statuses) if statuses else Q()
    if fact_extra is not None:
        condition &= fact_extra
    return lists.fact_rows(user, (filters or Filters()).as_list_filters(), fact_extra=condition or None, now=now)


def with_urgency(qs: QuerySet[Dossier], now: datetime | None = None) -> QuerySet[Dossier]:
    """Annotate `urgency` (LATE, DUE_SOON, IN_TIME, NO_DEADLINE), the rule of `selectors.late_q` as a rank.

    The sweep keeps `is_late` / `is_due_soon` current; the time comparisons cover the minutes between two
    sweeps. A finished dossier is late only by its verdict; one not received yet has no deadline.
    """
    now = now or timezone.now()
    pending = list(PENDING_STATUSES)
    return qs.annotate(
        urgency=Case(
            When(verdict=Verdict.LATE, then=Value(LATE)),
            When(appointment_at__isnull=True, then=Value(NO_DEADLINE)),
            When(finished_at__isnull=False, then=Value(IN_TIME)),
            When(is_late=True, then=Value(LATE)),
            When(status__in=pending, appointment_at__lt=now, then=Value(LATE)),
            When(Q(status__in=pending) & (Q(is_due_soon=True) | Q(due_soon_at__lte=now)), then=Value(DUE_SOON)),
            When(status__in=pending, then=Value(IN_TIME)),
            default=Value(NO_DEADLINE),
            output_field=IntegerField(),
        )
    )


@dataclass
class Filters:
    """The worklist's search and filters, as typed (a bad value is left out: the list shows unfiltered)."""

    q: str = ""
    status: int | None = None
    procedure: str = ""
    late: bool | None = None

    @classmethod
    def from_query(cls, params) -> Filters:
        checked = lists.parse_filters({name: params.get(name, "") for name in ("q", "status", "procedure", "late")},
                                      strict=False)
        return cls(q=checked.q or " ".join(params.get("q", "").split())[:100],
                   status=checked.status[0] if len(checked.status) == 1 else None,
                   procedure=checked.procedure[:40], late=checked.late)

    # The list's filters, made once: the ids a search matched are kept on them (lists.Filters.matched), so that
    # a tab's page, its urgent part and its total read a name's or a phone's matches once, not once each.
    _list: lists.Filters | None = field(default=None, init=False, repr=False, compare=False)

    def as_list_filters(self) -> lists.Filters:
        if self._list is None:
            q = self.q if lists.Q_MIN <= len(self.q) <= lists.Q_MAX else ""
            self._list = lists.Filters(status=[self.status] if self.status else [], procedure=self.procedure,
                                       late=self.late, q=q)
        return self._list


# What a worklist row shows and ranks by (the template tag `worklist_rows`, `urgency_of`, the lateness risk): of
# the dossier's sixty columns, the page loads these (a page's rows were a third of its CPU).
ROW_FIELDS = ("code", "applicant_name", "applicant_phone", "status", "verdict", "submitted_at", "received_at",
              "appointment_at", "due_soon_at", "finished_at", "is_late", "is_due_soon", "procedure__name")


class UrgentList:
    """A tab's dossiers most urgent first, as the Paginator takes them (`count`, slices): the open ones by
    `urgency_at` (late first, then by appointment), then every other newest first. A page is one or two
    index-ordered top-N queries of ids and one load of their dossiers; `count` stops at lists.COUNT_CAP
    (`total().capped` says so) and is counted with the tabs' badges (`tab_counts`)."""

    def __init__(self, user, scope: Scope, key: str, filters: Filters | None, now: datetime | None = None):
        self.user, self.scope, self.key, self.filters = user, scope, key, filters
        self.now = now or timezone.now()
        rows = tab_rows(self.scope, key)
        self.single = (len(rows.agencies) == 1 if rows is not None
                       else lists.uses_fact() and len(lists.keys_for(user) or ()) == 1)
        self.counted: lists.Count | None = None  # the total, once counted (here or by `tab_counts`)

    @property
    def unfiltered(self) -> bool:
        """No search or filter narrows the tab: its total is the tab's badge."""
        return self.filters is None or self.filters == Filters()

    def _urgent_qs(self) -> QuerySet[Dossier]:
        qs = _tab(self.user, self.scope, self.key, self.filters, Q(urgency_at__isnull=False), self.now)
        if self.single:  # the fact's own order, from its index
            return qs.order_by("visibility__urgency_at", "pk")
        return with_urgency(qs, self.now).order_by("urgency", F("appointment_at").asc(nulls_last=True),
                                                  "received_at", "id")

    def _rest(self) -> QuerySet[Dossier]:
        return _tab(self.user, self.scope, self.key, self.filters, Q(urgency_at__isnull=True), self.now).order_by("-pk")

    def _part(self, urgent: bool, start: int, stop: int) -> list:
        """Rows [start:stop) of the urgent part or of the rest: dossier ids where one agency's fact rows alone
        answer the tab (an index-only top-N of the fact; their dossiers are loaded afterwards, one query for the
        page's two parts: `_load`), else the dossiers themselves. PostgreSQL would otherwise join every row of the
        tab to the dossier and its relations before sorting them (a busy commune's "chờ trả kết quả": thousands
        of joins for a page of 25)."""
        if stop <= start:
            return []
        rows = _tab_rows(self.user, self.scope, self.key, self.filters, Q(urgency_at__isnull=not urgent), self.now)
        if rows is None or rows.model is not DossierVisibility or rows.query.distinct:
            qs = self._urgent_qs() if urgent else self._rest()
            return list(qs.select_related("procedure").only(*ROW_FIELDS)[start:stop])
        order = ("urgency_at", "dossier_id") if urgent else ("-dossier_id",)
        return list(rows.order_by(*order).values_list("dossier_id", flat=True)[start:stop])

    @staticmethod
    def _load(items: list) -> list[Dossier]:
        """The page's dossiers in the order of `items`: dossiers (`_part` read them), or their ids, loaded in one
        query for the page's two parts."""
        if not items or not isinstance(items[0], int):
            return items
        found = Dossier.objects.select_related("procedure").only(*ROW_FIELDS).in_bulk(items)
        return [found[pk] for pk in items if pk in found]

    def total_rows(self) -> QuerySet:
        """What `total` counts: the whole tab, one index range read without looking at each row's urgency
        (counting "not urgent" directly read 10,000 rows of the fact's heap on a busy commune's "tất cả")."""
        return _either(_tab_rows(self.user, self.scope, self.key, self.filters, None, self.now),
                       lambda: _tab(self.user, self.scope, self.key, self.filters, None, self.now))

    def total(self) -> lists.Count:
        """The whole tab, stopping at COUNT_CAP (counted once: `tab_counts` counts it with the badges)."""
        if self.counted is None:
            self.counted = lists.count_capped(self.total_rows())
        return self.counted

    def _urgent_before(self, start: int) -> int:
        """How many of the tab are urgent, when there are at most `start` (a page past the urgent part), counted
        only as far as `start`: never the whole urgent part (a busy commune's urgent rows, 10,000 index entries at
        10,000,000 dossiers, were counted for every page)."""
        return lists.count_capped(_either(
            _tab_rows(self.user, self.scope, self.key, self.filters, Q(urgency_at__isnull=False), self.now),
            self._urgent_qs), start).value

    def count(self) -> int:
        return self.total().value

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop = index.start or 0, index.stop
        # The urgent part first: a short answer tells where it ends, so that a page needs no count of it; only
        # a page wholly past it (none of it left from `start`) counts how many there are, up to `start`.
        items = self._part(True, start, stop)
        if len(items) < stop - start:
            urgent = start + len(items) if items or not start else self._urgent_before(start)
            items += self._part(False, max(start - urgent, 0), stop - urgent)
        rows = self._load(items)
        for row in rows:
            row.urgency = urgency_of(row, self.now)
        return rows


def worklist(user, key: str, filters: Filters | None = None, *, scope: Scope | None = None,
             now: datetime | None = None) -> UrgentList:
    """The dossiers of one tab, most urgent first, ready to paginate (two or three queries per page)."""
    return UrgentList(user, scope or scope_for(user), key, filters, now)


def tab_counts(user, tabs: list[Tab], *, scope: Scope | None = None,
               shown: UrgentList | None = None) -> dict[str, lists.Count]:
    """How many dossiers wait in each tab, each count stopping at lists.BADGE_CAP ("999+"), with the total of
    the tab `shown` (stopping at lists.COUNT_CAP, kept for its pages; its badge when it is unfiltered): one
    statement (`lists.counts_capped`), each count an index range of the fact where it alone answers."""
    scope = scope or scope_for(user)
    parts: list[tuple[QuerySet, int]] = []
    keys: list[str | None] = []
    if shown is not None and not shown.counted:
        parts.append((shown.total_rows(), lists.COUNT_CAP))
        keys.append(None)
    own = shown.key if shown is not None and shown.unfiltered else None
    for tab in tabs:
        if tab.key != own:
            parts.append((_either(_tab_rows(user, scope, tab.key, None), lambda key=tab.key: _tab(user, scope, key, None)),
                          lists.BADGE_CAP))
            keys.append(tab.key)
    counts = {}
    for key, count in zip(keys, lists.counts_capped(parts), strict=True):
        if key is None:
            shown.counted = count
        else:
            counts[key] = count
    if own is not None and own in {tab.key for tab in tabs}:
        total = shown.total()
        counts[own] = lists.Count(min(total.value, lists.BADGE_CAP), total.capped or total.value > lists.BADGE_CAP,
                                  lists.BADGE_CAP)
    return counts


def _either(rows: QuerySet | None, otherwise) -> QuerySet:
    """`rows` when there are (the fact alone answers), else `otherwise()` (never a queryset's truth value,
    which would run it)."""
    return rows if rows is not None else otherwise()


def procedures_in(user) -> QuerySet[Procedure]:
    """The procedures of the dossiers the user may see (the "all" tab's procedure filter): read from the
    visibility fact's procedure index by skipping from one procedure to the next (one probe per procedure,
    not a read of every dossier)."""
    keys = lists.keys_for(user)
    if keys is None or not lists.uses_fact() or len(keys) != 1:
        return Procedure.objects.filter(pk__in=lists.scoped(user).values("procedure_id")).only("code", "name").order_by("code")
    from django.db import connection

    key = keys[0]
    direct = "" if key.wide else " AND direct"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE p(id) AS ("
            f" (SELECT procedure_id FROM dossiers_visibility WHERE agency_id = %s{direct}"
            "  ORDER BY procedure_id LIMIT 1)"
            " UNION ALL SELECT (SELECT procedure_id FROM dossiers_visibility"
            f"  WHERE agency_id = %s{direct} AND procedure_id > p.id ORDER BY procedure_id LIMIT 1)"
            " FROM p WHERE p.id IS NOT NULL) SELECT id FROM p WHERE id IS NOT NULL",
            [key.agency_id, key.agency_id])
        ids = [row[0] for row in cursor.fetchall()]
    return Procedure.objects.filter(pk__in=ids).only("code", "name").order_by("code")


def intake_procedures(agency, q: str = "") -> QuerySet[Procedure]:
    """Published procedures in effect that an agency's desk receives: those naming the agency, or naming
    no agency but performed at its level, and the boundary-free ones of its province; matched with the
    catalogue's folded search."""
    # Boundary-free procedures (phi địa giới) performed anywhere in the province are received here too.
    elsewhere = Q(boundary_free=True) & (Q(agencies__in=sorted(province_agency_ids(agency))) | Q(agencies__isnull=True))
    qs = public_procedures().filter(Q(agencies=agency) | (Q(agencies__isnull=True) & level_q(agency.level)) | elsewhere)
    qs = Procedure.objects.filter(pk__in=qs.values("pk")).select_related("field")
    for word in fold(q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("field__name", "code")


def urgency_of(dossier, now: datetime | None = None) -> int:
    """The same rank as `with_urgency`, for a dossier already in memory."""
    if getattr(dossier, "urgency", None) is not None:
        return dossier.urgency
    now = now or timezone.now()
    if dossier.verdict == Verdict.LATE:
        return LATE
    if dossier.appointment_at is None:
        return NO_DEADLINE
    if dossier.finished_at is not None:
        return IN_TIME
    if dossier_is_late(dossier, now):
        return LATE
    if dossier.status not in PENDING_STATUSES:
        return NO_DEADLINE
    if dossier.is_due_soon or (dossier.due_soon_at is not None and dossier.due_soon_at <= now):
        return DUE_SOON
    return IN_TIME
