"""Deadline tracking: the periodic sweep that warns and flags. The apology (phiếu xin lỗi, form 04) it
makes owed is an action of its own (`dossiers.services.apology`; when it is owed: `rules.apology_owed`).

The sweep
---------
`sweep()` runs four phases, each one transaction in which the flags and the notices commit together:

1. dossiers passing their due-soon point (`due_soon_at`, one working day before the appointment by
   default): `is_due_soon`, the apology becomes owed, `due_soon` to the officer and the heads;
2. dossiers passing their appointment: `is_late`, `late` to the officer and the heads;
3. steps passing their due-soon point: `step_due_soon` to the step's officer and the heads;
4. steps passing their due time: `step_late`.

Each phase is one statement: the UPDATE … RETURNING (on a SKIP LOCKED sub-select, so a dossier being
edited right now is simply taken by the next sweep), the history rows of the changed rows, joined to the
recipients; plus one INSERT of all its notices: a constant number of queries whatever the number of
dossiers. A sweep killed between two phases leaves the finished phases complete and the others
untouched; the next sweep does the rest.

The audit trail: every flag the sweep sets bumps the dossier's `version` (a step's flag bumps its
dossier's: the detail shows it) and is in django-simple-history's tables like any other change: a '~'
row per changed dossier and step, dated the sweep's `now`, change reason "deadline sweep", written by
the same statement (`_history`), not by a save per row. A step phase locks the steps' dossiers SKIP
LOCKED as well, so it never waits for a service holding one (nor a service for it). A sweep with nothing
new writes nothing.

Each selection (`_SELECTIONS`) is exactly the predicate of a partial index of the swept rows whose
flag is not yet set (dossiers.models) plus the time that index is keyed by, and no other index has
that time as a key (migration 0022_hB_sweep_plans), so a sweep costs the rows crossing a point now,
not the rows flagged or finished before, whatever a fresh ANALYZE samples. The locked ids are handed
to the UPDATE as an array (`id = ANY(ARRAY(…))`) and a step's dossier status is read per step, so the
planner looks rows up by primary key instead of hashing whole tables on its (much too high) estimate
of the rows crossing. Figures: bench/bench_sweep.py.

A phase takes the rows past a point whose flag is not yet set. The dossier services clear both flags
whenever they set a due time (receipt, a step started, the clock restarted by a supplement round,
the apology's new appointment), so a new due time is swept afresh, whatever the old one had reached.
A notice's dedupe key names the dossier (or step), the event, the due time it is about and the
recipient: a new due time gets its own warning once, and the same due time is never warned twice,
even if its flags were cleared again.

Which dossiers are swept: received (2), processing (4) and waiting for payment (6). A dossier waiting
for the applicant's supplement (5) is not: the clock is paused while the applicant holds the dossier,
and restarts (with a new appointment computed by the dossier services) when the documents arrive.
Submitted (1) has no appointment yet; decided (9) is finished in time or not by its decision time.

When the apology is owed
------------------------
domain.md §3 asks for the apology "at the latest one working day before the due time". So the apology
is owed as soon as a dossier still open passes its due-soon point (with the default
DUE_SOON_WORKING_HOURS = 8 that point is exactly one working day ahead): the sweep sets
`apology_opened_at` there, and the head may issue it from then on, before the due time. A dossier that
reaches its appointment without that first warning (a due-soon point never computed, a late entry)
gets `apology_opened_at` when it is flagged late. `apology_opened_at` is never cleared: it records when
the apology became owed, and "late dossiers apologised" is counted from the Apology rows.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.messages import fmt_time, render
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import NoticeRow, write_notices
from organisation.models import Agency, Role, StaffMembership
from procedures.models import Procedure

from .models import SWEPT_STATUSES, Apology, Dossier, Step, TimelineEvent

log = logging.getLogger(__name__)

# SWEPT_STATUSES (models): the statuses in which a dossier's clock runs (see the module docstring for 5 and
# the others); the partial indexes the sweep reads are limited to them.

# The change reason of the history rows the sweep writes.
HISTORY_REASON = "deadline sweep"


@dataclass
class SweepResult:
    """What one sweep changed: dossiers and steps flagged, notices written."""

    due_soon: int = 0
    late: int = 0
    step_due_soon: int = 0
    step_late: int = 0
    notices: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(**{k: v + getattr(other, k) for k, v in asdict(self).items()})


# --- SQL ------------------------------------------------------------------------------------------

def _tables() -> dict:
    return {
        "dossier": Dossier._meta.db_table,
        "step": Step._meta.db_table,
        "apology": Apology._meta.db_table,
        "procedure": Procedure._meta.db_table,
        "agency": Agency._meta.db_table,
        "membership": StaffMembership._meta.db_table,
        "user": get_user_model()._meta.db_table,
        "event": TimelineEvent._meta.db_table,
    }


# The swept statuses as SQL literals: the partial indexes' predicates name them so, and a predicate is
# only proved from the same constants in the query (never from a parameter of a generic plan).
_SWEPT_SQL = ", ".join(str(int(s)) for s in SWEPT_STATUSES)

# Each phase's selection: exactly the predicate of its partial index (dossiers.models) plus the time
# condition, which is the index's key. No other index has the time as a key after the open-and-unflagged
# condition (migration 0022 dropped the plain (status, due_soon_at) and (status, appointment_at) ones and
# limited the steps' (finished_at, due_at) to finished rows), so whatever ANALYZE samples the planner has
# one index that serves the query and reads only the rows crossing now.
_SELECTIONS = {
    "dossiers_due_soon": ("SELECT id FROM {dossier} WHERE status IN ({swept}) AND finished_at IS NULL "
                          "AND NOT is_due_soon AND due_soon_at <= %(now)s"),
    "dossiers_late": ("SELECT id FROM {dossier} WHERE status IN ({swept}) AND finished_at IS NULL "
                      "AND NOT is_late AND appointment_at <= %(now)s"),
    # A step's dossier status is read per step (by primary key): the planner's estimate of the rows
    # crossing is much too high, and a join would hash the dossier table.
    "steps_due_soon": ("SELECT s2.id, s2.dossier_id FROM {step} s2 WHERE s2.finished_at IS NULL "
                       "AND NOT s2.is_due_soon AND s2.due_soon_at <= %(now)s "
                       "AND (SELECT d2.status FROM {dossier} d2 WHERE d2.id = s2.dossier_id) IN ({swept})"),
    "steps_late": ("SELECT s2.id, s2.dossier_id FROM {step} s2 WHERE s2.finished_at IS NULL "
                   "AND NOT s2.is_late AND s2.due_at <= %(now)s "
                   "AND (SELECT d2.status FROM {dossier} d2 WHERE d2.id = s2.dossier_id) IN ({swept})"),
}
PHASES = tuple(_SELECTIONS)


def selection(phase: str, now: datetime) -> tuple[str, dict]:
    """The SELECT of the rows `phase` takes at `now`, and its parameters (bench/bench_sweep.py EXPLAINs it)."""
    return _SELECTIONS[phase].format(swept=_SWEPT_SQL, **_tables()), {"now": now}


def _history(model, source: str) -> str:
    """An INSERT of `model`'s history rows ('~', at the sweep's now, with its reason) from the CTE `source`,
    which returns the changed rows whole (`RETURNING *`): the rows django-simple-history writes on a save,
    without a save per row."""
    historical = model.history.model
    columns = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f'{source}."{c}"' for c in columns)
    return (f"INSERT INTO {historical._meta.db_table} ({names}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {values}, %(now)s, %(reason)s, '~', NULL FROM {source}")


# The flag update of a dossier phase, with the dossier's version bumped and its history row written in
# the same statement, joined to the people to tell: the officer of the dossier's current step (started
# and not finished: the latest such one, as `dossiers.services.current_step` has it) and every active
# head of the agency holding it. Every flagged dossier comes back at least once (LEFT JOINs), so the
# count is exact even when nobody is there to tell.
_DOSSIER_PHASE = """
WITH hit AS (
    UPDATE {dossier} d SET {set}, version = d.version + 1
    WHERE d.id = ANY(ARRAY({selection} FOR UPDATE SKIP LOCKED))
    RETURNING d.*
),
hist AS ({dossier_history}){extra}
SELECT hit.id, hit.code, hit.appointment_at, p.name, a.name, (ap.id IS NOT NULL), r.id, r.{username}, ({notify})
FROM hit
JOIN {procedure} p ON p.id = hit.procedure_id
JOIN {agency} a ON a.id = COALESCE(hit.current_agency_id, hit.agency_id)
LEFT JOIN {apology} ap ON ap.dossier_id = hit.id
LEFT JOIN LATERAL (
    SELECT u.id, u.{username} FROM {user} u
    WHERE u.is_active AND u.id IN (
        (SELECT s.assignee_id FROM {step} s
         WHERE s.dossier_id = hit.id AND s.started_at IS NOT NULL AND s.finished_at IS NULL
         ORDER BY s."order" DESC LIMIT 1)
        UNION
        SELECT m.user_id FROM {membership} m
        WHERE m.agency_id = COALESCE(hit.current_agency_id, hit.agency_id) AND m.role = %(head)s
    )
) r ON TRUE
ORDER BY hit.id, r.id
"""

# The sweep's own line in the timeline of a dossier flagged late (internal: not shown to the applicant).
_LATE_EVENT = """,
ev AS (
    INSERT INTO {event} (dossier_id, at, action, actor_id, actor_name, from_status, to_status, note, public)
    SELECT hit.id, %(now)s, 'late', NULL, %(system)s, hit.status, hit.status, %(late_note)s, FALSE FROM hit
)"""

# The same for steps: the step's own officer and the heads of the step's agency. A step has no version:
# its dossier's is bumped (the detail shows the step's flags), with the dossier's history row. The
# dossiers are locked like the steps, SKIP LOCKED: a step whose dossier a service holds right now waits
# for the next sweep, and the sweep never waits for a lock a service holds (nor the other way round).
_STEP_PHASE = """
WITH pick AS MATERIALIZED ({selection} FOR UPDATE OF s2 SKIP LOCKED),
held AS MATERIALIZED (
    SELECT d.id FROM {dossier} d WHERE d.id = ANY(ARRAY(SELECT dossier_id FROM pick)) FOR UPDATE SKIP LOCKED
),
hit AS (
    UPDATE {step} s SET {set}
    WHERE s.id = ANY(ARRAY(SELECT id FROM pick WHERE dossier_id = ANY(ARRAY(SELECT id FROM held))))
    RETURNING s.*
),
bumped AS (
    UPDATE {dossier} d SET version = d.version + 1 WHERE d.id = ANY(ARRAY(SELECT id FROM held))
    RETURNING d.*
),
step_hist AS ({step_history}),
dossier_hist AS ({dossier_history_bumped})
SELECT hit.id, hit.dossier_id, d.code, hit.name, hit.due_at, p.name, r.id, r.{username}, ({notify})
FROM hit
JOIN bumped d ON d.id = hit.dossier_id
JOIN {procedure} p ON p.id = d.procedure_id
LEFT JOIN LATERAL (
    SELECT u.id, u.{username} FROM {user} u
    WHERE u.is_active AND u.id IN (
        SELECT hit.assignee_id
        UNION
        SELECT m.user_id FROM {membership} m WHERE m.agency_id = hit.agency_id AND m.role = %(head)s
    )
) r ON TRUE
ORDER BY hit.id, r.id
"""


def _key_time(value: datetime | None) -> str:
    return str(int(value.timestamp())) if value else "none"


def _username_column() -> str:
    user_model = get_user_model()
    return user_model._meta.get_field(user_model.USERNAME_FIELD).column


def _run(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The joins to the people to tell are estimated generously, which pushes the plan's cost past
            # PostgreSQL's JIT threshold: compiling then costs ~0.3 s a phase for a statement that runs in
            # milliseconds (bench/bench_sweep.py). For this transaction only.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _params(now: datetime) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "now": now,
            "reason": HISTORY_REASON,
            "head": Role.HEAD.value,
            "system": _("Hệ thống"),
            "late_note": _("Quá hạn trả kết quả: cần phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)."),
        }


def _is_set_based(set_based: bool | None) -> bool:
    """The set-based statements are PostgreSQL's; elsewhere (the embedded SQLite demo) the phases go row
    by row through the ORM, with the same outcome."""
    return connection.vendor == "postgresql" if set_based is None else set_based


def sweep_dossiers_due_soon(now: datetime, *, set_based: bool | None = None) -> tuple[int, int]:
    """Phase 1 in one transaction; returns (dossiers flagged, notices written)."""
    if not _is_set_based(set_based):
        return _dossier_phase(lambda params: _dossier_rows_one_by_one(now, params, late=False), now, late=False,
                              set_based=False)
    sql = _DOSSIER_PHASE.format(
        # The apology opens here unless the dossier is already past its appointment: then it opens with
        # the late flag of the next phase.
        set="is_due_soon = TRUE, apology_opened_at = CASE WHEN d.appointment_at > %(now)s "
            "THEN COALESCE(d.apology_opened_at, %(now)s) ELSE d.apology_opened_at END",
        # The services clear the flag whenever they set a due time, so "not yet flagged" is exactly "not
        # yet warned about this due time".
        selection=selection("dossiers_due_soon", now)[0],
        dossier_history=_history(Dossier, "hit"),
        extra="",
        # A dossier already past its appointment hears "late" from the next phase, not "due soon".
        notify="hit.appointment_at > %(now)s",
        username=_username_column(),
        **_tables(),
    )
    return _dossier_phase(lambda params: _run(sql, params), now, late=False, set_based=True)


def sweep_dossiers_late(now: datetime, *, set_based: bool | None = None) -> tuple[int, int]:
    """Phase 2 in one transaction; returns (dossiers flagged, notices written)."""
    if not _is_set_based(set_based):
        return _dossier_phase(lambda params: _dossier_rows_one_by_one(now, params, late=True), now, late=True,
                              set_based=False)
    tables = _tables()
    sql = _DOSSIER_PHASE.format(
        set="is_late = TRUE, apology_opened_at = COALESCE(d.apology_opened_at, %(now)s)",
        selection=selection("dossiers_late", now)[0],
        dossier_history=_history(Dossier, "hit"),
        extra=_LATE_EVENT.format(**tables),
        notify="TRUE",
        username=_username_column(),
        **tables,
    )
    return _dossier_phase(lambda params: _run(sql, params), now, late=True, set_based=True)


def _dossier_phase(fetch, now: datetime, *, late: bool, set_based: bool) -> tuple[int, int]:
    with transaction.atomic():
        rows = fetch(_params(now))
        notices: list[NoticeRow] = []
        for dossier_id, code, appointment_at, procedure, holder, apologised, user_id, username, tell in rows:
            if not tell or user_id is None:
                continue
            event = "late" if late else "due_soon"
            # After the one allowed reset the officer hears that no second apology is possible.
            text = "late_after_apology" if late and apologised else event
            subject, body = render(text, {"code": code or f"#{dossier_id}", "procedure": procedure, "agency": holder,
                                          "appointment": fmt_time(appointment_at)})
            notices.append(NoticeRow(
                event=event, channel=NoticeChannel.IN_APP, recipient=username, subject=subject, body=body,
                dossier_id=dossier_id, user_id=user_id,
                dedupe_key=f"dossier:{dossier_id}:{event}:{_key_time(appointment_at)}:user:{user_id}",
            ))
        written = _write(notices, set_based=set_based)
    return len({row[0] for row in rows}), written


def _step_phase(now: datetime, *, late: bool, set_based: bool | None = None) -> tuple[int, int]:
    if late:
        event, set_, notify = "step_late", "is_late = TRUE", "TRUE"
    else:
        event, set_ = "step_due_soon", "is_due_soon = TRUE"
        notify = "hit.due_at IS NULL OR hit.due_at > %(now)s"
    set_based = _is_set_based(set_based)
    sql = _STEP_PHASE.format(set=set_, selection=selection("steps_late" if late else "steps_due_soon", now)[0],
                             step_history=_history(Step, "hit"), dossier_history_bumped=_history(Dossier, "bumped"),
                             notify=notify, username=_username_column(), **_tables())
    with transaction.atomic():
        rows = _run(sql, _params(now)) if set_based else _step_rows_one_by_one(now, late=late)
        notices = []
        for step_id, dossier_id, code, step_name, due_at, procedure, user_id, username, tell in rows:
            if not tell or user_id is None:
                continue
            subject, body = render(event, {"code": code or f"#{dossier_id}", "procedure": procedure,
                                           "step": step_name, "due": fmt_time(due_at)})
            notices.append(NoticeRow(
                event=event, channel=NoticeChannel.IN_APP, recipient=username, subject=subject, body=body,
                dossier_id=dossier_id, user_id=user_id,
                dedupe_key=f"step:{step_id}:{event}:{_key_time(due_at)}:user:{user_id}",
            ))
        written = _write(notices, set_based=set_based)
    return len({row[0] for row in rows}), written


def sweep_steps_due_soon(now: datetime, *, set_based: bool | None = None) -> tuple[int, int]:
    """Phase 3 in one transaction; returns (steps flagged, notices written)."""
    return _step_phase(now, late=False, set_based=set_based)


def sweep_steps_late(now: datetime, *, set_based: bool | None = None) -> tuple[int, int]:
    """Phase 4 in one transaction; returns (steps flagged, notices written)."""
    return _step_phase(now, late=True, set_based=set_based)


# --- the same phases row by row (SQLite) -----------------------------------------------------------

def _write(notices: list[NoticeRow], *, set_based: bool) -> int:
    """The notices written now (a key written before is skipped): one INSERT, or the ORM elsewhere."""
    if set_based:
        return len(write_notices(notices))
    if not notices:
        return 0
    seen = set(Notice.objects.filter(dedupe_key__in=[n.dedupe_key for n in notices])
               .values_list("dedupe_key", flat=True))
    now = timezone.now()
    fresh = [Notice(event=n.event, channel=n.channel, recipient=n.recipient[:255], subject=n.subject[:255],
                    body=n.body, dossier_id=n.dossier_id, user_id=n.user_id, dedupe_key=n.dedupe_key[:255],
                    status=NoticeStatus.SENT, sent_at=now)
             for n in notices if n.dedupe_key not in seen]
    Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _recipients(assignee_by_key: dict, agency_by_key: dict) -> dict:
    """Per key, the active users to tell: the given officer and the heads of the given agency."""
    heads: dict[int, set[int]] = {}
    for agency_id, user_id in StaffMembership.objects.filter(
        agency_id__in=set(agency_by_key.values()), role=Role.HEAD
    ).values_list("agency_id", "user_id"):
        heads.setdefault(agency_id, set()).add(user_id)
    wanted = {uid for uid in assignee_by_key.values() if uid} | {uid for ids in heads.values() for uid in ids}
    names = dict(get_user_model().objects.filter(pk__in=wanted, is_active=True)
                 .values_list("pk", get_user_model().USERNAME_FIELD))
    out = {}
    for key, agency_id in agency_by_key.items():
        ids = heads.get(agency_id, set()) | ({assignee_by_key[key]} if assignee_by_key.get(key) else set())
        out[key] = [(uid, names[uid]) for uid in sorted(ids) if uid in names] or [(None, None)]
    return out


def _dossier_rows_one_by_one(now: datetime, params: dict, *, late: bool) -> list[tuple]:
    """Phase 1 or 2 through the ORM, returning the rows the set-based statement returns."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce

    qs = Dossier.objects.filter(status__in=SWEPT_STATUSES, finished_at__isnull=True)
    qs = qs.filter(appointment_at__lte=now, is_late=False) if late else qs.filter(due_soon_at__lte=now,
                                                                                  is_due_soon=False)
    hits = list(qs.select_related("procedure", "agency", "current_agency")
                .select_for_update(skip_locked=True, of=("self",)).order_by("pk"))
    ids = [d.pk for d in hits]
    bump = {"version": F("version") + 1}
    if late:
        Dossier.objects.filter(pk__in=ids).update(is_late=True,
                                                  apology_opened_at=Coalesce(F("apology_opened_at"), Value(now)),
                                                  **bump)
        TimelineEvent.objects.bulk_create([
            TimelineEvent(dossier_id=d.pk, at=now, action="late", actor=None, actor_name=params["system"],
                          from_status=d.status, to_status=d.status, note=params["late_note"], public=False)
            for d in hits
        ])
    else:
        Dossier.objects.filter(pk__in=ids, appointment_at__gt=now, apology_opened_at__isnull=True).update(
            apology_opened_at=now)
        Dossier.objects.filter(pk__in=ids).update(is_due_soon=True, **bump)
    _write_history(Dossier, ids, now)
    officer: dict[int, int | None] = {}
    for dossier_id, assignee_id in (Step.objects.filter(dossier_id__in=ids, started_at__isnull=False,
                                                        finished_at__isnull=True)
                                    .order_by("dossier_id", "-order").values_list("dossier_id", "assignee_id")):
        officer.setdefault(dossier_id, assignee_id)
    apologised = set(Apology.objects.filter(dossier_id__in=ids).values_list("dossier_id", flat=True))
    holders = {d.pk: d.current_agency or d.agency for d in hits}
    people = _recipients(officer, {pk: holder.pk for pk, holder in holders.items()})
    rows = []
    for d in hits:
        tell = late or (d.appointment_at is not None and d.appointment_at > now)
        for user_id, username in people[d.pk]:
            rows.append((d.pk, d.code, d.appointment_at, d.procedure.name, holders[d.pk].name, d.pk in apologised,
                         user_id, username, tell))
    return rows


def _write_history(model, ids: list[int], now: datetime) -> None:
    """The history rows of the rows just changed by an UPDATE, as the set-based statements write them."""
    if ids:
        model.history.bulk_history_create(list(model.objects.filter(pk__in=ids)), update=True,
                                          default_change_reason=HISTORY_REASON, default_date=now)


def _step_rows_one_by_one(now: datetime, *, late: bool) -> list[tuple]:
    """Phase 3 or 4 through the ORM, returning the rows the set-based statement returns."""
    from django.db.models import F

    qs = Step.objects.filter(finished_at__isnull=True, dossier__status__in=SWEPT_STATUSES)
    qs = qs.filter(due_at__lte=now, is_late=False) if late else qs.filter(due_soon_at__lte=now, is_due_soon=False)
    hits = list(qs.select_related("dossier__procedure").select_for_update(skip_locked=True, of=("self",))
                .order_by("pk"))
    ids, dossier_ids = [s.pk for s in hits], sorted({s.dossier_id for s in hits})
    Step.objects.filter(pk__in=ids).update(**({"is_late": True} if late else {"is_due_soon": True}))
    Dossier.objects.filter(pk__in=dossier_ids).update(version=F("version") + 1)
    _write_history(Step, ids, now)
    _write_history(Dossier, dossier_ids, now)
    people = _recipients({s.pk: s.assignee_id for s in hits}, {s.pk: s.agency_id for s in hits})
    rows = []
    for s in hits:
        tell = late or s.due_at is None or s.due_at > now
        for user_id, username in people[s.pk]:
            rows.append((s.pk, s.dossier_id, s.dossier.code, s.name, s.due_at, s.dossier.procedure.name, user_id,
                         username, tell))
    return rows


def sweep(now: datetime | None = None, *, set_based: bool | None = None) -> SweepResult:
    """Flag and warn about every dossier and step whose due-soon point or deadline has passed by `now`.

    Idempotent: a second run at the same `now` changes nothing and writes nothing. Safe to run
    concurrently with itself and with the dossier services (SKIP LOCKED, unique notice keys).
    `set_based`: the PostgreSQL statements (the default there) or the row-by-row ORM phases (the
    default elsewhere, e.g. the embedded SQLite demo).
    """
    now = now or timezone.now()
    result = SweepResult()
    result.due_soon, n1 = sweep_dossiers_due_soon(now, set_based=set_based)
    result.late, n2 = sweep_dossiers_late(now, set_based=set_based)
    result.step_due_soon, n3 = sweep_steps_due_soon(now, set_based=set_based)
    result.step_late, n4 = sweep_steps_late(now, set_based=set_based)
    result.notices = n1 + n2 + n3 + n4
    if any(result.as_dict().values()):
        log.info("deadline sweep at %s: %s", now.isoformat(), result.as_dict())
    return result
