"""Every read of dossiers: who may see which, the detail in a fixed number of queries, the filters.

Scope first: every list, search, detail, sub-resource and printed form starts from `visible_dossiers`,
so a dossier outside the caller's agencies answers exactly like one that does not exist (404).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import Notice
from organisation.errors import NotFound
from organisation.models import Agency, Department
from organisation.selectors import scoped_agency_ids, staff_pairs
from procedures.models import Procedure, ProcedureStep

from . import rules
from . import transitions as tt
from .models import (
    ONLINE_REFERENCE_PREFIX,
    Dossier,
    DossierComponent,
    Status,
    Step,
    SupplementRequest,
    TimelineEvent,
    Verdict,
)

# Statuses in which a passed appointment makes the dossier late (still in the administration's hands).
PENDING_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED)

_REFERENCE = re.compile(rf"^{re.escape(ONLINE_REFERENCE_PREFIX)}(\d+)$", re.IGNORECASE)


def visible_dossiers(user) -> QuerySet:
    """The dossiers `user` may see: the visibility fact (dossiers.visibility, the one definition of scope)."""
    from .visibility import visible_dossiers as visible

    return visible(user)


def is_staff_viewer(user) -> bool:
    """Staff see internal events, notices and every action; a citizen sees their public trail."""
    return bool(user and user.is_authenticated and (user.is_superuser or scoped_agency_ids(user)))


def dossier_list_queryset(qs: QuerySet | None = None) -> QuerySet:
    """The rows of a list with what each row shows, in one query."""
    qs = Dossier.objects.all() if qs is None else qs
    return qs.select_related("procedure", "agency", "current_agency")


def dossier_detail_queryset(qs: QuerySet | None = None) -> QuerySet:
    """Everything the detail shows in a constant number of queries (one per related list)."""
    qs = Dossier.objects.all() if qs is None else qs
    return qs.select_related(
        "procedure", "procedure__field", "agency", "agency__parent", "current_agency", "current_agency__parent",
        "received_by", "citizen", "apology", "apology__issued_by",
    ).prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("agency", "department", "assignee", "handed_by",
                                                               "finished_by")
                 .order_by("order")),
        Prefetch("events", queryset=TimelineEvent.objects.select_related("actor").order_by("at", "id")),
        # Ordered by their own columns: the models' default ordering starts with "dossier", which joins
        # the dossier table again only to sort by its received time.
        Prefetch("components", queryset=DossierComponent.objects.order_by("id")),
        Prefetch("supplements", queryset=SupplementRequest.objects.order_by("round")),
    )


# --- the detail and the list rows read without the ORM's query compiler ----------------------------
#
# The API's busiest reads (a dossier's detail, the intake's look-ups) cost more to build and compile as
# ORM queries than to run. `_Rows` writes the same SELECT out once per process from the models' metadata
# (every concrete column, so a field added later is read too) and turns each row into model instances
# with their relations cached exactly as select_related and prefetch_related leave them: the rest of
# the code (actions offered, representation) reads them as usual, and a relation not loaded here is
# simply fetched when touched.


@dataclass
class _Part:
    model: type
    alias: str
    parent: int | None  # index of the part it hangs from
    link: object  # the forward field, or the reverse one-to-one relation, joining it to its parent
    reverse: bool
    fields: list  # (attname, column expression, converters)
    pk_index: int


def _from_json(field):
    """How a value of `field` read back from PostgreSQL's JSON becomes what the ORM would hand over
    (JSON has no dates or decimals; decimals travel as text, see `_json_column`)."""
    from datetime import date
    from datetime import time as time_of_day
    from decimal import Decimal
    from uuid import UUID

    from django.db import models

    for kind, parse in ((models.DateTimeField, datetime.fromisoformat), (models.DateField, date.fromisoformat),
                        (models.TimeField, time_of_day.fromisoformat), (models.DecimalField, Decimal),
                        (models.UUIDField, UUID)):
        if isinstance(field, kind):
            return lambda value, col, connection, parse=parse: None if value is None else parse(value)
    return None


def _json_column(q, alias: str, field) -> str:
    from django.db import models

    column = f"{alias}.{q(field.column)}"
    return f"{column}::text" if isinstance(field, (models.DecimalField, models.UUIDField)) else column


def _json_fields(model, alias: str) -> list:
    """`_columns` for values read back from JSON."""
    return [(field.attname, field.get_col(alias), [c] if (c := _from_json(field)) else [])
            for field in model._meta.concrete_fields]


def _columns(model, alias: str) -> list:
    from django.db import connection

    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(alias)
        out.append((field.attname, col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


class _Rows:
    """SELECT of `model` and the relations on `paths` (select_related paths: "agency",
    "agency__parent", or "apology" for a reverse one-to-one), LEFT JOINed, compiled once per backend."""

    def __init__(self, model, paths: tuple[str, ...] = ()):
        self.model, self.paths = model, paths
        self._compiled: dict[str, tuple[str, list[_Part]]] = {}

    def _compile(self, connection) -> tuple[str, list[_Part]]:
        columns, source, parts = self._parts(connection, "r")
        return f"SELECT {columns} FROM {source}", parts

    def json_list(self, connection, fk: str, parent_pk: str, order: tuple[str, ...],
                  prefix: str) -> tuple[str, list[_Part]]:
        """A scalar subquery giving this model's rows whose `fk` is `parent_pk` as one JSON array of
        arrays (columns as `_build` expects them, read with `_from_json`), in `order`."""
        q = connection.ops.quote_name
        _columns_sql, source, parts = self._parts(connection, prefix, json=True)
        values = ", ".join(_json_column(q, p.alias, f) for p in parts for f in p.model._meta.concrete_fields)
        by = ", ".join(f"{prefix}0.{q(self.model._meta.get_field(name).column)}" for name in order)
        link = f"{prefix}0.{q(self.model._meta.get_field(fk).column)}"
        return (f"(SELECT json_agg(json_build_array({values}) ORDER BY {by}) FROM {source} "
                f"WHERE {link} = {parent_pk})"), parts

    def _parts(self, connection, prefix: str, json: bool = False) -> tuple[str, str, list[_Part]]:
        q = connection.ops.quote_name
        fields = _json_fields if json else _columns
        parts = [_Part(self.model, f"{prefix}0", None, None, False, fields(self.model, f"{prefix}0"),
                       [f.attname for f in self.model._meta.concrete_fields].index(self.model._meta.pk.attname))]
        index = {"": 0}
        joins = []
        for path in self.paths:
            head, _sep, name = path.rpartition("__")
            parent = parts[index[head]]
            field = parent.model._meta.get_field(name)
            alias = f"{prefix}{len(parts)}"
            target = field.related_model
            if field.concrete:  # forward foreign key / one-to-one
                on = f"{alias}.{q(target._meta.pk.column)} = {parent.alias}.{q(field.column)}"
            else:  # reverse one-to-one
                on = f"{alias}.{q(field.field.column)} = {parent.alias}.{q(parent.model._meta.pk.column)}"
            joins.append(f"LEFT OUTER JOIN {q(target._meta.db_table)} {alias} ON {on}")
            index[path] = len(parts)
            attnames = [f.attname for f in target._meta.concrete_fields]
            parts.append(_Part(target, alias, index[head], field, not field.concrete, fields(target, alias),
                               attnames.index(target._meta.pk.attname)))
        columns = ", ".join(f"{p.alias}.{q(f.column)}" for p in parts for f in p.model._meta.concrete_fields)
        return columns, f"{q(self.model._meta.db_table)} {prefix}0 {' '.join(joins)}", parts

    def col(self, name: str) -> str:
        from django.db import connection

        return f"r0.{connection.ops.quote_name(self.model._meta.get_field(name).column)}"

    def load(self, where: str, params, order: str = "") -> list:
        from django.db import DEFAULT_DB_ALIAS, connections

        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile(connection)
        sql, parts = compiled
        rows = _fetch(connection, f"{sql} WHERE {where}" + (f" ORDER BY {order}" if order else ""), params)
        return [self._build(row, parts, connection) for row in rows]

    @staticmethod
    def _build(row, parts: list[_Part], connection):
        objs: list = []
        start = 0
        for part in parts:
            values = row[start:start + len(part.fields)]
            start += len(part.fields)
            parent = objs[part.parent] if part.parent is not None else None
            if part.parent is not None and parent is None:
                objs.append(None)
                continue
            obj = None
            if values[part.pk_index] is not None:
                converted = []
                for (_attname, col, converters), value in zip(part.fields, values, strict=True):
                    for converter in converters:
                        value = converter(value, col, connection)
                    converted.append(value)
                obj = part.model.from_db(connection.alias, [f[0] for f in part.fields], converted)
            if parent is not None:
                if part.reverse:  # parent.apology, and apology.dossier back
                    part.link.set_cached_value(parent, obj)
                    if obj is not None:
                        part.link.field.set_cached_value(obj, parent)
                else:
                    part.link.set_cached_value(parent, obj)
            objs.append(obj)
        return objs[0]


def _fetch(connection, sql: str, params) -> list[tuple]:
    """Run one of these fixed reads and return its rows.

    On PostgreSQL as a prepared statement (psycopg binds the parameters on the server, prepares the
    statement on first use and keeps it for the connection's life): the detail's SELECT joins ten tables,
    and planning it cost PostgreSQL several times what running it does. Logged like any other query
    when queries are logged (tests' query budgets, DEBUG)."""
    if connection.vendor != "postgresql" or not getattr(settings, "DATABASE_PREPARED_READS", False):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's statement preparation off; its own cursors bind on the client and are
        # never prepared whatever this says, so this lets only the statements asked for below be prepared.
        raw.prepare_threshold = 2**30
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        rows = cursor.fetchall()
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- prepared, parameters {list(params)!r}",
                                       "time": f"{time.monotonic() - started:.3f}"})
    return rows


def _attach(parent, name: str, children: list) -> None:
    """Leave `children` as prefetch_related would: the related manager's own (filtered) queryset with its
    result cache filled, each child's foreign key to the parent cached."""
    manager = getattr(parent, name)
    for child in children:
        manager.field.set_cached_value(child, parent)
    qs = manager.all()
    qs._result_cache = children
    qs._prefetch_done = True
    if not hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache = {}
    parent._prefetched_objects_cache[manager.field.remote_field.cache_name] = qs


_DETAIL = _Rows(Dossier, ("procedure", "agency", "agency__parent", "current_agency", "current_agency__parent",
                          "received_by", "citizen", "apology", "apology__issued_by"))
_STEPS = _Rows(Step, ("agency", "department", "assignee", "handed_by", "finished_by"))
_EVENTS = _Rows(TimelineEvent, ("actor",))
_COMPONENTS = _Rows(DossierComponent)
_SUPPLEMENTS = _Rows(SupplementRequest)


_BY_KEY = _Rows(Dossier)
_PROCEDURE = _Rows(Procedure)
_PROCEDURE_STEPS = _Rows(ProcedureStep, ("agency",))
_AGENCY = _Rows(Agency)
_DEPARTMENT = _Rows(Department)


def _in(column: str, values) -> tuple[str, list]:
    """`column IN values` as one parameter (an array) on PostgreSQL, so the statement stays the same."""
    from django.db import connection

    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values)) or 'NULL'})", values


def dossier_by_idempotency_key(user, key: str) -> Dossier | None:
    """The dossier `user` made with this Idempotency-Key (at most one: a unique constraint)."""
    found = _BY_KEY.load(f"{_BY_KEY.col('created_by')} = %s AND {_BY_KEY.col('idempotency_key')} = %s", [user.pk, key])
    return found[0] if found else None


def procedure_by_code(code: str) -> Procedure | None:
    found = _PROCEDURE.load(f"{_PROCEDURE.col('code')} = %s", [code])
    return found[0] if found else None


def procedure_steps(procedure) -> list[ProcedureStep]:
    """The procedure's internal process in order, each step with its named agency."""
    return _PROCEDURE_STEPS.load(f"{_PROCEDURE_STEPS.col('procedure')} = %s", [procedure.pk],
                                 _PROCEDURE_STEPS.col("order"))


def department_named(agency, name: str):
    """The agency's department of this name, case aside (the ORM's `name__iexact`), the first by code."""
    from django.db import connection

    column = _DEPARTMENT.col("name")
    if connection.vendor == "postgresql":
        where, value = f"UPPER({column}::text) = UPPER(%s)", name
    else:  # SQLite's iexact, as the ORM writes it
        where, value = f"{column} LIKE %s ESCAPE '\\'", connection.ops.prep_for_like_query(name)
    found = _DEPARTMENT.load(f"{_DEPARTMENT.col('agency')} = %s AND {where}", [agency.pk, value],
                             _DEPARTMENT.col("code"))
    return found[0] if found else None


def active_agencies(ids) -> list[Agency]:
    """The active agencies among `ids`, by code."""
    where, params = _in(_AGENCY.col("id"), sorted(ids))
    return _AGENCY.load(f"{where} AND {_AGENCY.col('is_active')}", params, _AGENCY.col("code"))


_DETAIL_LISTS = ("steps", "events", "components", "supplements")


def remember_new_rows(dossier: Dossier, *, steps=(), events=(), components=(), supplements=()) -> None:
    """A service that has just written a new dossier leaves its rows on it, as the detail loads them:
    the answer to the intake is then built without reading back what was just written."""
    for name, rows in (("steps", sorted(steps, key=lambda s: s.order)), ("events", events),
                       ("components", components), ("supplements", supplements)):
        _attach(dossier, name, list(rows))
    Dossier.apology.related.set_cached_value(dossier, None)


def dossier_for_detail(dossier: Dossier) -> Dossier:
    """The dossier as the detail needs it: as it is when a service has just left its rows on it
    (`remember_new_rows`), else loaded afresh."""
    cached = getattr(dossier, "_prefetched_objects_cache", {})
    if all(name in cached for name in _DETAIL_LISTS):
        return dossier
    return load_dossier_detail(pk=dossier.pk)


def _load_steps(dossier: Dossier) -> list[Step]:
    cache = getattr(dossier, "_prefetched_objects_cache", {})
    if "steps" not in cache:
        _attach(dossier, "steps", _STEPS.load(f"{_STEPS.col('dossier')} = %s", [dossier.pk], _STEPS.col("order")))
    return list(dossier.steps.all())


_DETAIL_LISTS_READ = (("steps", _STEPS, ("order",), "s"), ("events", _EVENTS, ("at", "id"), "e"),
                     ("components", _COMPONENTS, ("id",), "c"), ("supplements", _SUPPLEMENTS, ("round",), "u"))
_detail_statement: dict[str, tuple] = {}


def _detail_in_one_statement(connection, column: str, value) -> Dossier | None:
    """PostgreSQL: the dossier, its relations and its four lists (as JSON arrays) in one prepared
    statement: one round trip instead of five, which on a busy two-core server is most of the cost."""
    compiled = _detail_statement.get(connection.vendor)
    if compiled is None:
        q = connection.ops.quote_name
        columns, source, parts = _DETAIL._parts(connection, "r")
        lists = [(name, *rows.json_list(connection, "dossier", f"r0.{q('id')}", order, prefix))
                 for name, rows, order, prefix in _DETAIL_LISTS_READ]
        sql = f"SELECT {columns}, {', '.join(sub for _name, sub, _parts in lists)} FROM {source}"
        compiled = _detail_statement[connection.vendor] = (sql, parts, [(name, p) for name, _sub, p in lists])
    sql, parts, lists = compiled
    rows = _fetch(connection, f"{sql} WHERE r0.{connection.ops.quote_name(column)} = %s", [value])
    if not rows:
        return None
    width = sum(len(part.fields) for part in parts)
    dossier = _Rows._build(rows[0][:width], parts, connection)
    for (name, child_parts), items in zip(lists, rows[0][width:], strict=True):
        _attach(dossier, name, [_Rows._build(item, child_parts, connection) for item in items or ()])
    return dossier


def load_dossier_detail(*, pk: int | None = None, code: str | None = None, user=None) -> Dossier | None:
    """The dossier with everything its detail shows (as `dossier_detail_queryset` loads it) in one
    query on PostgreSQL (five elsewhere), or None when there is no such dossier, or when `user` is
    given and may not see it."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_READS", False):
        dossier = _detail_in_one_statement(connection, "id" if pk is not None else "code",
                                           pk if pk is not None else code)
        return None if dossier is None or (user is not None and not can_see(user, dossier)) else dossier
    if pk is not None:
        found = _DETAIL.load(f"{_DETAIL.col('id')} = %s", [pk])
    else:
        found = _DETAIL.load(f"{_DETAIL.col('code')} = %s", [code])
    if not found:
        return None
    dossier = found[0]
    if user is not None and not can_see(user, dossier):
        return None
    _load_steps(dossier)
    _attach(dossier, "events", _EVENTS.load(f"{_EVENTS.col('dossier')} = %s", [dossier.pk],
                                            f"{_EVENTS.col('at')}, {_EVENTS.col('id')}"))
    _attach(dossier, "components", _COMPONENTS.load(f"{_COMPONENTS.col('dossier')} = %s", [dossier.pk],
                                                    _COMPONENTS.col("id")))
    _attach(dossier, "supplements", _SUPPLEMENTS.load(f"{_SUPPLEMENTS.col('dossier')} = %s", [dossier.pk],
                                                      _SUPPLEMENTS.col("round")))
    return dossier


def can_see(user, dossier: Dossier) -> bool:
    """`visible_dossiers` asked of one loaded dossier (the same fact, one indexed lookup)."""
    from .visibility import can_see as visible

    return visible(user, dossier)


def get_visible_detail(user, code: str) -> Dossier:
    """`get_visible_dossier(user, code, dossier_detail_queryset())` in one query on PostgreSQL (five
    elsewhere): the dossier is loaded with its lists, then the scope is asked of it (`can_see`)."""
    code = (code or "").strip()
    match = _REFERENCE.match(code)
    dossier = (load_dossier_detail(pk=int(match.group(1)), user=user) if match
               else load_dossier_detail(code=code, user=user) if code else None)
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def _by_reference(qs: QuerySet, code: str) -> QuerySet:
    code = (code or "").strip()
    match = _REFERENCE.match(code)
    if match:
        return qs.filter(pk=int(match.group(1)))
    return qs.filter(code=code)


def get_visible_dossier(user, code: str, queryset: QuerySet | None = None) -> Dossier:
    """The dossier with this code (or `TT-<id>` before it has one) if `user` may see it, else NotFound:
    the same answer whether it exists elsewhere or not at all."""
    base = visible_dossiers(user)
    if queryset is not None:
        base = queryset.filter(pk__in=base.values("pk"))
    dossier = _by_reference(base, code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


class _Named:
    __slots__ = ("code", "name")

    def __init__(self, code, name):
        self.code, self.name = code, name


class DossierRow:
    """One row of a dossier list: the columns the list shows, read as values (no model instance), with
    the attributes `dossier_is_late` and the list representation read from a Dossier."""

    __slots__ = ("pk", "code", "status", "channel", "applicant_name", "received_at", "appointment_at",
                 "finished_at", "returned_at", "is_late", "verdict", "version", "procedure", "agency",
                 "current_agency")
    # The values read for each row, in the order of `__init__`'s arguments.
    COLUMNS = ("pk", "code", "status", "channel", "applicant_name", "received_at", "appointment_at", "finished_at",
               "returned_at", "is_late", "verdict", "version", "procedure__code", "procedure__name", "agency__code",
               "agency__name", "current_agency__code")

    def __init__(self, pk, code, status, channel, applicant_name, received_at, appointment_at, finished_at,
                 returned_at, is_late, verdict, version, procedure_code, procedure_name, agency_code, agency_name,
                 current_agency_code):
        self.pk, self.code, self.status, self.channel = pk, code, status, channel
        self.applicant_name, self.received_at, self.appointment_at = applicant_name, received_at, appointment_at
        self.finished_at, self.returned_at, self.is_late = finished_at, returned_at, is_late
        self.verdict, self.version = verdict, version
        self.procedure = _Named(procedure_code, procedure_name)
        self.agency = _Named(agency_code, agency_name)
        self.current_agency = _Named(current_agency_code, None) if current_agency_code is not None else None


def late_q(now: datetime | None = None) -> Q:
    """Late: finished late, flagged late by the sweep, or still pending past its appointment."""
    now = now or timezone.now()
    return Q(verdict=Verdict.LATE) | Q(is_late=True, finished_at__isnull=True) | Q(
        finished_at__isnull=True, status__in=PENDING_STATUSES, appointment_at__lt=now
    )


def dossier_is_late(dossier: Dossier, now: datetime | None = None) -> bool:
    """The same rule as `late_q`, for one loaded dossier."""
    now = now or timezone.now()
    if dossier.verdict == Verdict.LATE:
        return True
    if dossier.finished_at is not None:
        return False
    if dossier.is_late:
        return True
    return dossier.status in PENDING_STATUSES and dossier.appointment_at is not None and dossier.appointment_at < now


def roles_for(dossier, user, action: str | None = None, pairs: set[tuple[int, str]] | None = None) -> set[str]:
    """The roles `user` holds for `action` on `dossier` (`rules.roles_held`), with the user's (agency, role)
    pairs read once per request (`organisation.selectors.staff_pairs`) unless given."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        pairs = ()
    elif pairs is None:
        pairs = staff_pairs(user)
    return rules.roles_held(user_id=user.pk, is_superuser=user.is_superuser, pairs=pairs,
                            citizen_id=dossier.citizen_id, agency_id=dossier.agency_id,
                            holding_agency_id=dossier.current_agency_id, action=action)


def apology_owed(dossier: Dossier, now: datetime | None = None) -> bool:
    """Whether the head may issue the apology now (`rules.apology_owed`, from the dossier as loaded)."""
    return rules.apology_owed(status=dossier.status, is_late=dossier.is_late, is_due_soon=dossier.is_due_soon,
                              due_soon_at=dossier.due_soon_at, appointment_at=dossier.appointment_at,
                              now=now or timezone.now())


def actions_available(dossier: Dossier, user) -> list[str]:
    """The actions `user` may take on `dossier` now: those the transition table allows them from its
    status and that the service would carry out as the dossier stands (a hand-over needs somewhere to go,
    an assignment a step being worked on, the fee is asked for once, the apology once and when owed).

    Reads the steps, supplements and apology as loaded: with `dossier_detail_queryset` it costs no query
    in the common cases.
    """
    pairs = staff_pairs(user)
    actions = [
        action for action in tt.ACTION_NAMES
        if action != "submit" and tt.allowed(action, dossier.status, roles_for(dossier, user, action, pairs))
    ]
    return [action for action in actions if _would_succeed(action, dossier, user, pairs)]


def _would_succeed(action: str, dossier: Dossier, user, pairs) -> bool:
    """The service's own conditions beyond the table (each mirrors a refusal in `dossiers.services`)."""
    if action == "apologize":
        return _apology_open(dossier)
    if action == "transfer":
        return can_transfer(dossier) and may_finish_current_step(dossier, user, pairs)
    if action == "assign":
        return current_step_of(dossier) is not None
    if action == "request-payment":
        return dossier.fee_amount is None
    if action == "supplement":
        open_round = open_supplement(dossier)
        target = rules.resume_target(received=dossier.received_at is not None,
                                     recorded_resume_status=open_round.resume_status if open_round else None)
        needs = tt.supplement_needs(target)
        if needs is None:
            return True
        needed_action, status = needs
        return tt.allowed(needed_action, status, roles_for(dossier, user, needed_action, pairs))
    return True


def _loaded_steps(dossier: Dossier) -> list[Step]:
    return sorted(dossier.steps.all(), key=lambda s: s.order)


def current_step_of(dossier: Dossier) -> Step | None:
    """The step being worked on, from the steps as loaded (prefetched by the detail queryset)."""
    return rules.current_step(_loaded_steps(dossier))


def open_supplement(dossier: Dossier):
    """The supplement round still waiting for the documents (the latest one), from the rounds as loaded."""
    waiting = [r for r in dossier.supplements.all() if r.replied_at is None]
    return max(waiting, key=lambda r: r.round) if waiting else None


def may_finish_current_step(dossier: Dossier, user, pairs) -> bool:
    """Whether `user` holds the step being worked on (`transitions.holds_step`), from the steps as loaded
    and the (agency, role) pairs of the request: departments are the service's to check."""
    current = current_step_of(dossier)
    if current is None:
        return True
    memberships = [(agency, role, None) for agency, role in pairs]
    return tt.holds_step(rules.step_holding(current), user.pk, memberships, superuser=user.is_superuser)


def can_transfer(dossier: Dossier) -> bool:
    """Whether `transfer` has somewhere to hand the dossier: a next step of its process, or, for a step
    being worked on in processing, another agency to send it to (liên thông)."""
    steps = _loaded_steps(dossier)
    current = current_step_of(dossier)
    after = current.order if current is not None else 0
    if any(s.order > after and s.started_at is None for s in steps):
        return True
    if dossier.status != Status.PROCESSING or current is None:
        return False
    return has_transfer_destination(dossier)


def has_transfer_destination(dossier: Dossier) -> bool:
    """`transfer_destinations(dossier).exists()`, answered from what is loaded when it can be."""
    holder = dossier.current_agency or dossier.agency
    if dossier.agency_id != holder.pk and dossier.agency.is_active:
        return True
    if any(s.agency_id != holder.pk and s.agency.is_active for s in dossier.steps.all()):
        return True
    parent = holder.parent
    if parent is not None and parent.is_active:
        return True
    return transfer_destinations(dossier).exists()


def transfer_destinations(dossier: Dossier) -> QuerySet:
    """Where a dossier may be routed (liên thông): the agencies above the one holding it, the agencies
    named by the procedure's steps, those already on its steps, and back to the receiving agency."""
    holder = dossier.current_agency or dossier.agency
    ids = {dossier.agency_id} | {a.pk for a in holder.ancestors()}
    ids |= {s.agency_id for s in dossier.procedure.steps.all() if s.agency_id}
    ids |= {s.agency_id for s in dossier.steps.all()}
    ids.discard(holder.pk)
    return Agency.objects.filter(pk__in=ids, is_active=True).order_by("level", "code")


def _apology_open(dossier: Dossier) -> bool:
    """The apology is offered once, and only when owed (late or within a working day of the appointment)."""
    try:
        dossier.apology  # noqa: B018 - a reverse one-to-one: raises when there is none
        return False
    except Dossier.apology.RelatedObjectDoesNotExist:
        pass
    return apology_owed(dossier)


def check_printable(dossier: Dossier, form: str) -> None:
    """NotFound for a printed form the dossier's state rules out before the forms module is asked: a
    dossier recorded at the counter but not received (supplement asked for, refused) has its code and
    no receipt (form 01) yet; a boundary-free one (phi địa giới) has the receipt of the desk that took it."""
    if form == "receipt" and dossier.received_at is None and dossier.intake_agency_id is None:
        raise NotFound(_("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận và hẹn trả kết quả."),
                       code="document_not_applicable")


def timeline_for(dossier: Dossier, user) -> QuerySet:
    """The dossier's trail; a citizen sees only the public events."""
    qs = TimelineEvent.objects.filter(dossier=dossier).select_related("actor").order_by("at", "id")
    if not is_staff_viewer(user):
        qs = qs.filter(public=True)
    return qs


def notices_for(dossier: Dossier) -> QuerySet:
    """The notices sent or queued about the dossier (staff only: they name the recipients)."""
    return Notice.objects.filter(dossier=dossier).order_by("created_at", "id")
