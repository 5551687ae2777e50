"""Reads of the national sync: a dossier's sync state, the "not synced / failed" filter, and the share of
dossiers synced per unit and period (Decision 766, indicator 1.4), which the reporting app may call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import OutboxEntry, ProcedureMapping
from .rules import NO_NATIONAL_CODE


class State:
    SYNCED = "synced"
    PENDING = "pending"
    FAILED = "failed"
    NO_NATIONAL_CODE = "no_national_code"
    NOT_SYNCED = "not_synced"
    NOT_YET = "not_yet"  # an online submission not received yet: sent whole when it is


LABELS = {
    State.SYNCED: _("Đã đồng bộ"),
    State.PENDING: _("Đang chờ đồng bộ"),
    State.FAILED: _("Đồng bộ lỗi"),
    State.NO_NATIONAL_CODE: _("Không thể đồng bộ: thủ tục chưa có mã quốc gia"),
    State.NOT_SYNCED: _("Chưa đồng bộ"),
    State.NOT_YET: _("Chưa tiếp nhận: sẽ đồng bộ khi tiếp nhận"),
}


@dataclass(frozen=True)
class SyncView:
    state: str
    synced_at: datetime | None
    held_since: datetime | None
    last_error: str
    attempts: int
    pending: int
    retry_at: datetime | None
    enabled: bool

    @property
    def label(self):
        return LABELS[self.state]

    def as_dict(self) -> dict:
        return {"state": self.state, "label": str(self.label), "enabled": self.enabled, "pending": self.pending,
                "synced_at": self.synced_at, "held_since": self.held_since, "last_error": self.last_error,
                "attempts": self.attempts, "retry_at": self.retry_at}


def has_national_code(procedure) -> bool:
    return ProcedureMapping.objects.filter(procedure=procedure).exclude(national_code="").exists()


_SYNC_VALUES = ("national_sync__held_since", "national_sync__synced_at", "national_sync__last_error",
                "national_sync__attempts", "national_sync__retry_at")


def _alias(name: str) -> str:
    return "sync_" + name.replace("__", "_")


def mapped_exists(procedure: str = "procedure_id") -> Exists:
    """Whether the procedure the outer query's `procedure` column names has a national code (as
    `has_national_code`), as an expression: for the detail's dossier, or the procedure an intake reads."""
    return Exists(ProcedureMapping.objects.filter(procedure_id=OuterRef(procedure)).exclude(national_code=""))


def sync_annotations() -> dict:
    """What `sync_state` reads, as annotations for a dossier query that loads the dossier anyway (the
    detail): the state then costs no query of its own."""
    from django.db.models import F

    return {
        _alias("pending"): Coalesce(Subquery(
            OutboxEntry.objects.filter(dossier_id=OuterRef("pk"), sent_at__isnull=True)
            .values("dossier_id").annotate(n=Count("pk")).values("n")[:1]), 0),
        _alias("mapped"): mapped_exists(),
        **{_alias(name): F(name) for name in _SYNC_VALUES},
    }


def outbox_services(dossier, event) -> tuple[str, ...]:
    """The national portal's calls one timeline event of `dossier` becomes: the outbox rows
    `services.record_dossier_event` writes for it (`rules.services_for`)."""
    known = bool(dossier.code or dossier.national_code)
    return rules.services_for(event.action, event.from_status, event.to_status, known=known)


def remember_new_sync_state(dossier, events, *, mapped: bool) -> None:
    """Leave on a dossier written in this very transaction what `sync_annotations` would read back, so its
    sync state costs no query: its outbox rows are those of its `events` (`outbox_services`), none sent
    yet, and it has no sync state row. `mapped`: whether its procedure has a national code."""
    setattr(dossier, _alias("pending"), sum(len(outbox_services(dossier, event)) for event in events))
    setattr(dossier, _alias("mapped"), mapped)
    for name in _SYNC_VALUES:
        setattr(dossier, _alias(name), None)


def sync_state(dossier) -> SyncView:
    """What staff see of one dossier's sync: from the dossier's `sync_annotations` when it was loaded with
    them, else in one query."""
    from dossiers.models import Dossier

    if hasattr(dossier, _alias("pending")):
        row = {name: getattr(dossier, _alias(name)) for name in ("pending", "mapped", *_SYNC_VALUES)}
    else:
        annotations = sync_annotations()
        row = (Dossier.objects.filter(pk=dossier.pk)
               .annotate(pending=annotations[_alias("pending")], mapped=annotations[_alias("mapped")])
               .values("pending", "mapped", *_SYNC_VALUES).first()) or {}
    pending = row.get("pending") or 0
    held = row.get("national_sync__held_since")
    if dossier.national_code and held is None:
        held = dossier.created_at  # filed on the national portal: it holds the dossier
    error = row.get("national_sync__last_error") or ""
    attempts = row.get("national_sync__attempts") or 0
    if not (dossier.code or dossier.national_code):
        kind = State.NOT_YET
    elif not row.get("mapped") and not dossier.national_code:
        kind = State.NO_NATIONAL_CODE
    elif pending and (attempts or error):
        kind = State.NO_NATIONAL_CODE if error == NO_NATIONAL_CODE else State.FAILED
    elif pending:
        kind = State.PENDING
    elif held is not None:
        kind = State.SYNCED
    else:
        kind = State.NOT_SYNCED
    return SyncView(state=kind, synced_at=row.get("national_sync__synced_at"), held_since=held,
                    last_error="" if error == NO_NATIONAL_CODE else error, attempts=attempts, pending=pending,
                    retry_at=row.get("national_sync__retry_at"), enabled=bool(settings.DVCQG_URL))


def _pending_q() -> Exists:
    return Exists(OutboxEntry.objects.filter(dossier_id=OuterRef("pk"), sent_at__isnull=True))


def held_q() -> Q:
    """The national portal holds the dossier: a DongBoHoSoMC was accepted, or it was filed there."""
    return Q(national_sync__held_since__isnull=False) | Q(national_code__isnull=False)


def filter_by_sync(qs: QuerySet, which: str) -> QuerySet:
    """`failed`: a change keeps failing; `unsynced`: received dossiers the national portal does not have
    up to date (never held, or changes waiting)."""
    if which == "failed":
        return qs.filter(_pending_q(), national_sync__attempts__gt=0)
    if which == "unsynced":
        known = Q(code__isnull=False) | Q(national_code__isnull=False)
        return qs.filter(known).filter(~held_q() | Q(_pending_q()))
    return qs


@dataclass(frozen=True)
class Share:
    received: int
    synced: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(100 * self.synced, self.received) if self.received else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(float(self.rate), 1)


def _received(agencies, start: datetime, end: datetime) -> QuerySet:
    from dossiers.models import Dossier

    qs = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if agencies is not None:
        qs = qs.filter(agency__in=agencies)
    return qs


def synced_share(agencies, start: datetime, end: datetime) -> Share:
    """Indicator 1.4: dossiers synced with a receipt date in [start, end) ÷ dossiers received then.
    `agencies`: ids or a queryset of agencies (None: all). One query."""
    counts = _received(agencies, start, end).aggregate(received=Count("pk"), synced=Count("pk", filter=held_q()))
    return Share(counts["received"], counts["synced"])


def synced_share_by_agency(agencies, start: datetime, end: datetime) -> list[dict]:
    """The same per receiving agency, with the agency's code and name. One query."""
    rows = (_received(agencies, start, end).values("agency_id", "agency__code", "agency__name")
            .annotate(received=Count("pk"), synced=Count("pk", filter=held_q())).order_by("agency__code"))
    return [{"code": r["agency__code"], "name": r["agency__name"], "share": Share(r["received"], r["synced"])}
            for r in rows]


def sync_state_json(dossier) -> dict:
    """The sync state as the API shows it (`national_sync` of the dossier detail, staff only)."""
    from rest_framework.fields import DateTimeField

    view = sync_state(dossier)
    field = DateTimeField()

    def iso(value):
        return field.to_representation(value) if value is not None else None

    return {"state": view.state, "label": str(view.label), "enabled": view.enabled, "pending": view.pending,
            "synced_at": iso(view.synced_at), "held_since": iso(view.held_since), "last_error": view.last_error,
            "attempts": view.attempts, "retry_at": iso(view.retry_at)}
