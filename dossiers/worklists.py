"""Reads behind the officers' screens: the worklists (danh sách hồ sơ) per role, and the procedures a desk
may receive.

Every list starts from the dossiers the user may see (`dossiers.selectors.visible_dossiers`), so a tab can
narrow the scope but never widen it. Each list is one SQL query for the page plus one for the count,
whatever the number of rows; the tab counters are one aggregate query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Role
from procedures.models import Procedure
from procedures.text import fold

from .models import Dossier, Status, Step, Verdict

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
    from .services import staff_pairs  # cached on the user for the request

    if not user or not user.is_authenticated:
        return Scope(user=user)
    return Scope(user=user, pairs=set(staff_pairs(user)), everything=user.is_superuser)


def tabs_for(scope: Scope) -> list[Tab]:
    """Only the tabs that the user's roles use."""
    roles = scope.roles
    return [tab for tab in TABS if tab.roles & roles]


def visible(user) -> QuerySet[Dossier]:
    from .selectors import visible_dossiers

    return visible_dossiers(user)


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


def tab_filter(scope: Scope, key: str) -> Q:
    """The condition a dossier meets to be in a tab (on top of being visible)."""
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


def with_urgency(qs: QuerySet[Dossier], now: datetime | None = None) -> QuerySet[Dossier]:
    """Annotate `urgency` (LATE, DUE_SOON, IN_TIME, NO_DEADLINE), the rule of `selectors.late_q` as a rank.

    The sweep keeps `is_late` / `is_due_soon` current; the time comparisons cover the minutes between two
    sweeps. A finished dossier is late only by its verdict; one not received yet has no deadline.
    """
    from .selectors import PENDING_STATUSES

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
    q: str = ""
    status: int | None = None
    procedure: str = ""
    late: bool | None = None

    @classmethod
    def from_query(cls, params) -> Filters:
        status = params.get("status", "")
        late = params.get("late", "")
        return cls(
            q=params.get("q", "").strip()[:100],
            status=int(status) if status.isdigit() and int(status) in Status.values else None,
            procedure=params.get("procedure", "").strip()[:40],
            late={"1": True, "true": True, "0": False, "false": False}.get(late),
        )


def apply_filters(qs: QuerySet[Dossier], filters: Filters) -> QuerySet[Dossier]:
    """The search and filters of the dossier API (`selectors.filter_dossiers`), so both mean the same."""
    from .selectors import filter_dossiers

    return filter_dossiers(qs, status=filters.status, procedure=filters.procedure or None, late=filters.late,
                           q=filters.q or None)


def worklist(user, key: str, filters: Filters | None = None, *, scope: Scope | None = None,
             base: QuerySet[Dossier] | None = None, now: datetime | None = None) -> QuerySet[Dossier]:
    """The dossiers of one tab, most urgent first, ready to paginate (one query per page).

    `base` is the user's visible dossiers when the caller already has them (one scope lookup a request).
    """
    scope = scope or scope_for(user)
    base = visible(user) if base is None else base
    qs = with_urgency(base.filter(tab_filter(scope, key)), now)
    qs = apply_filters(qs, filters or Filters())
    return qs.select_related("procedure", "agency", "current_agency").order_by(
        "urgency", F("appointment_at").asc(nulls_last=True), "received_at", "id"
    )


def tab_counts(user, tabs: list[Tab], *, scope: Scope | None = None,
               base: QuerySet[Dossier] | None = None) -> dict[str, int]:
    """How many dossiers wait in each tab: one aggregate query."""
    scope = scope or scope_for(user)
    base = visible(user) if base is None else base
    aggregates = {tab.key.replace("-", "_"): Count("pk", filter=tab_filter(scope, tab.key)) for tab in tabs}
    if not aggregates:
        return {}
    row = base.order_by().aggregate(**aggregates)
    return {tab.key: row[tab.key.replace("-", "_")] for tab in tabs}


def intake_procedures(agency, q: str = "") -> QuerySet[Procedure]:
    """Published procedures in effect that an agency's desk receives: those naming the agency, or naming
    no agency but performed at its level, and the boundary-free ones of its province; matched with the
    catalogue's folded search."""
    from procedures.selectors import level_q, public_procedures

    from organisation.selectors import province_agency_ids

    # Boundary-free procedures (phi địa giới) performed anywhere in the province are received here too.
    elsewhere = Q(boundary_free=True) & (Q(agencies__in=sorted(province_agency_ids(agency))) | Q(agencies__isnull=True))
    qs = public_procedures().filter(Q(agencies=agency) | (Q(agencies__isnull=True) & level_q(agency.level)) | elsewhere)
    qs = Procedure.objects.filter(pk__in=qs.values("pk")).select_related("field")
    for word in fold(q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("field__name", "code")


def urgency_of(dossier, now: datetime | None = None) -> int:
    """The same rank as `with_urgency`, for a dossier already in memory."""
    from .selectors import PENDING_STATUSES, dossier_is_late

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
