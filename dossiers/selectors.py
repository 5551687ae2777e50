"""Every read of dossiers: who may see which, the detail in a fixed number of queries, the filters.

Scope first: every list, search, detail, sub-resource and printed form starts from `visible_dossiers`,
so a dossier outside the caller's agencies answers exactly like one that does not exist (404).
"""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace

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


# --- the detail in one query ----------------------------------------------------------------------
#
# The detail shows the dossier, its to-one relations (select_related) and four lists. On PostgreSQL the
# lists come in the same query, each as a JSON array built by an ORM subquery (`json_rows`), and are
# turned back into model instances left where prefetch_related leaves them (`rows_from_json`,
# `remember_list`): the rest of the code (actions offered, serializers, templates) reads them as usual.
# Elsewhere (SQLite, the quick start) the same lists are prefetched: five queries.

# The users named on steps and events: what their names and the detail need (no password hash). Any
# other attribute is loaded when touched, like `.only()`.
USER_FIELDS = ("id", "username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")
DETAIL_RELATED = ("procedure", "procedure__field", "agency", "agency__parent", "current_agency", "current_agency__parent",
                  "received_by", "citizen", "apology", "apology__issued_by", "form_definition")
# Per list: the model, the foreign key to the dossier, the order, and the to-one relations read with
# each row (None: every column of the related row; else those fields).
DETAIL_LISTS = {
    "steps": (Step, "dossier", ("order",), {"agency": None, "department": None, "assignee": USER_FIELDS,
                                            "handed_by": USER_FIELDS, "finished_by": USER_FIELDS}),
    "events": (TimelineEvent, "dossier", ("at", "id"), {"actor": USER_FIELDS}),
    "components": (DossierComponent, "dossier", ("id",), {}),
    "supplements": (SupplementRequest, "dossier", ("round",), {}),
}


def _json_value(field, path: str):
    """One column as JSON carries it: decimals and UUIDs as text (JSON numbers would lose digits)."""
    from django.db import models
    from django.db.models import F
    from django.db.models.functions import Cast

    if isinstance(field, (models.DecimalField, models.UUIDField)):
        return Cast(F(path), output_field=models.TextField())
    return F(path)


_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


def _json_row(**values):
    """JSONObject(**values), its keys (column names) written into the SQL as literals rather than bound
    as parameters: they are the statement's shape, not data. The detail then has a handful of parameters
    instead of one per column of its lists, and psycopg keeps its parsed form (operations.statements)."""
    from django.db.models import TextField
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import JSONObject

    row = JSONObject(**values)
    expressions = row.get_source_expressions()
    for i in range(0, len(expressions), 2):
        key = expressions[i].value
        if not _KEY.match(key):
            raise ValueError(f"not a column name: {key!r}")
        expressions[i] = RawSQL(f"'{key}'", (), output_field=TextField())
    row.set_source_expressions(expressions)
    return row


def _json_object(model, prefix: str = "", names=None):
    fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names or f.name in names]
    return _json_row(**{f.attname: _json_value(f, f"{prefix}{f.attname}") for f in fields})


def json_rows(model, fk: str, order: tuple[str, ...], relations: dict | None = None):
    """An ORM subquery giving the rows of `model` whose `fk` is the outer query's row, as one JSON array of
    objects (every column by attname, and each relation in `relations` as a nested object), in `order`;
    NULL when there is none. PostgreSQL only (JSONB_AGG)."""
    from django.contrib.postgres.aggregates import JSONBAgg
    from django.db.models import OuterRef, Subquery

    parts = {f.attname: _json_value(f, f.attname) for f in model._meta.concrete_fields}
    for name, names in (relations or {}).items():
        parts[name] = _json_object(model._meta.get_field(name).related_model, f"{name}__", names)
    return Subquery(model.objects.filter(**{fk: OuterRef("pk")}).order_by().values(fk)
                    .annotate(rows=JSONBAgg(_json_row(**parts), order_by=order)).values("rows"))


# The column types whose JSON form is text to parse (`Field.to_python`); every other column's JSON value
# (a string, number, boolean, nested JSON or null) is already the value the model holds.
_PARSED_TYPES = frozenset({"DateTimeField", "DateField", "TimeField", "DecimalField", "UUIDField", "DurationField"})
_LOADERS: dict[tuple, tuple[list[str], list]] = {}


def _loader(model, keys: tuple[str, ...]) -> tuple[list[str], list]:
    """The columns of `model` among a JSON row's keys, in the model's order, and each one's parser (None:
    taken as it is); worked out once per model and set of keys."""
    found = _LOADERS.get((model, keys))
    if found is None:
        fields = [f for f in model._meta.concrete_fields if f.attname in keys]
        found = _LOADERS[(model, keys)] = (
            [f.attname for f in fields],
            [f.to_python if f.get_internal_type() in _PARSED_TYPES else None for f in fields])
    return found


def _instance(model, data: dict, relations: dict, db: str, shared: dict):
    keys = tuple(data)
    names, parsers = _loader(model, keys)
    values = []
    for name, parse in zip(names, parsers, strict=True):
        value = data[name]
        values.append(value if parse is None or value is None else parse(value))
    obj = model.from_db(db, names, values)
    for name in relations:
        field = model._meta.get_field(name)
        related = None
        related_id = getattr(obj, field.attname)
        if related_id is not None:
            row = data[name]
            key = (field.related_model, related_id, tuple(row))
            related = shared.get(key)
            if related is None:
                related = shared[key] = _instance(field.related_model, row, {}, db, shared)
        field.set_cached_value(obj, related)
    return obj


def rows_from_json(model, rows, relations: dict | None = None, db: str = "default", shared: dict | None = None) -> list:
    """The model instances of a `json_rows` array, each relation cached on its row as select_related
    leaves it (a relation read with only some fields loads the others when touched).

    A related row that several rows name (the agency of every step, the officer who received, handed on
    and finished them, the actor of most events) is one instance, as prefetch_related leaves it: `shared`
    keeps them by model, id and the columns read, across the lists of one object (`finish_lists`)."""
    shared = {} if shared is None else shared
    return [_instance(model, data, relations or {}, db, shared) for data in rows or ()]


def remember_list(parent, name: str, children: list) -> None:
    """Leave `children` as prefetch_related leaves them: the related manager's queryset with its result
    cache filled, each child's foreign key to the parent cached."""
    manager = getattr(parent, name)
    for child in children:
        manager.field.set_cached_value(child, parent)
    qs = manager.all()
    qs._result_cache = children
    qs._prefetch_done = True
    if not hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache = {}
    parent._prefetched_objects_cache[manager.field.remote_field.cache_name] = qs


class CompiledRead:
    """A read written with the ORM, compiled to SQL once per process and database alias, then run with
    each call's values; the rows become model instances (select_related relations, annotations) through
    the ORM's own iterable and converters.

    The one mechanism beside plain querysets, for the hottest reads only (the detail, the public
    look-up, the intake's procedure and the departments its steps name): building and compiling the detail's queryset (its JSON lists, about 150 expressions) costs
    several times what running it does. It works with the database router (the alias is asked of it on
    every call, a compilation kept per alias) and behind PgBouncer (plain statements, nothing kept in a
    session; PostgreSQL prepares them only through `DATABASE_PREPARE_THRESHOLD`). `build(*markers)`
    returns the queryset with marker values where each call's values go; every marker must reach the
    SQL's parameters unchanged (a plain equality filter)."""

    def __init__(self, model, build, *markers):
        self.model, self.build, self.markers = model, build, markers
        self._compiled: dict[str, tuple] = {}

    def _compile(self, db: str) -> tuple:
        compiled = self._compiled.get(db)
        if compiled is None:
            qs = self.build(*self.markers)
            compiler = qs.query.get_compiler(using=db)
            sql, params = compiler.as_sql()
            slots = [[i for i, p in enumerate(params) if p == marker and type(p) is type(marker)]
                     for marker in self.markers]
            if not all(slots):
                raise ValueError("a marker did not reach the compiled parameters")
            # The columns' converters (asked of each of the ~180 selected expressions on every run
            # otherwise): the fields' own, which take the running connection as an argument.
            columns = [s[0] for s in compiler.select[:compiler.col_count]]
            converters = compiler.get_converters(columns)
            composite = compiler.has_composite_fields(columns)
            compiled = self._compiled[db] = (compiler, sql, tuple(params), slots, converters, composite)
        return compiled

    def __call__(self, *values) -> list:
        import copy

        from django.db import connections, router
        from django.db.models.query import ModelIterable

        db = router.db_for_read(self.model) or "default"
        compiler, sql, params, slots, converters, composite = self._compile(db)
        bound = list(params)
        for positions, value in zip(slots, values, strict=True):
            for i in positions:
                bound[i] = value
        run = copy.copy(compiler)
        run.connection = connections[db]
        run.as_sql = lambda *args, **kwargs: (sql, bound)
        run.get_converters = lambda expressions: converters
        run.has_composite_fields = lambda expressions: composite
        # What ModelIterable reads of a queryset (plain objects: making two classes per call cost more).
        rows = SimpleNamespace(model=self.model, db=db, _known_related_objects={},
                               query=SimpleNamespace(get_compiler=lambda using=None, connection=None,
                                                     elide_empty=True: run))
        return list(ModelIterable(rows))


_PK_MARK = -7_770_000_000_001
_CODE_MARK = "\x00code"


def _in_one_query(qs: QuerySet) -> bool:
    from django.db import connections

    return connections[qs.db].vendor == "postgresql"


def with_lists(qs: QuerySet, lists: dict) -> QuerySet:
    """`qs` with the related lists `lists` (name: (model, fk, order, relations), as DETAIL_LISTS): in the
    same query as JSON on PostgreSQL, prefetched elsewhere. `finish_lists` puts them in place."""
    if _in_one_query(qs):
        return qs.annotate(**{f"{name}_json": json_rows(model, fk, order, relations)
                              for name, (model, fk, order, relations) in lists.items()})
    return qs.prefetch_related(*[Prefetch(name, queryset=_list_queryset(model, order, relations))
                                 for name, (model, _fk, order, relations) in lists.items()])


def finish_lists(obj, lists: dict):
    """Turn the JSON lists of a `with_lists` row into prefetched lists (nothing to do when prefetched)."""
    shared: dict = {}
    for name, (model, _fk, _order, relations) in lists.items():
        attr = f"{name}_json"
        if hasattr(obj, attr):
            remember_list(obj, name, rows_from_json(model, getattr(obj, attr), relations, obj._state.db, shared))
            delattr(obj, attr)
    return obj


def detail_queryset(user=None) -> QuerySet:
    """The dossiers with everything their detail shows: in one query on PostgreSQL (the lists as JSON,
    the national sync state and, for `user`, whether they may see it), five elsewhere. Read where the
    database router sends the dossiers' reads."""
    from national.selectors import sync_annotations

    qs = with_lists(Dossier.objects.select_related(*DETAIL_RELATED).annotate(**sync_annotations()), DETAIL_LISTS)
    if user is not None:
        from .visibility import visible_expression

        condition = visible_expression(user)
        if condition is not None:
            qs = qs.annotate(visible_to_user=condition)
    return qs


def _list_queryset(model, order, relations) -> QuerySet:
    return model.objects.select_related(*relations).order_by(*order)


def _finish_detail(dossier: Dossier) -> Dossier:
    return finish_lists(dossier, DETAIL_LISTS)


def dossier_detail_queryset(qs: QuerySet | None = None) -> QuerySet:
    """The detail's related rows prefetched onto any dossier queryset (the register, printed forms)."""
    qs = Dossier.objects.all() if qs is None else qs
    return qs.select_related(*DETAIL_RELATED).prefetch_related(
        *[Prefetch(name, queryset=_list_queryset(model, order, relations))
          for name, (model, _fk, order, relations) in DETAIL_LISTS.items()])


_DETAIL_BY_PK = CompiledRead(Dossier, lambda pk: detail_queryset().filter(pk=pk)[:1], _PK_MARK)
_DETAIL_BY_CODE = CompiledRead(Dossier, lambda code: detail_queryset().filter(code=code)[:1], _CODE_MARK)


def load_dossier_detail(*, pk: int | None = None, code: str | None = None, user=None) -> Dossier | None:
    """The dossier with everything its detail shows (`detail_queryset`, compiled once: `CompiledRead`), or
    None when there is no such dossier, or when `user` is given and may not see it (`can_see`: no query
    for a dossier received in the user's scope, one for one routed to it). One query on PostgreSQL."""
    if pk is None:
        code = (code or "").strip()
        match = _REFERENCE.match(code)
        if match:
            pk = int(match.group(1))
        elif not code:
            return None
    found = _DETAIL_BY_PK(pk) if pk is not None else _DETAIL_BY_CODE(code)
    if not found:
        return None
    dossier = _finish_detail(found[0])
    if user is not None and not can_see(user, dossier):
        return None
    return dossier


def remember_new_rows(dossier: Dossier, *, steps=(), events=(), components=(), supplements=()) -> None:
    """A service that has just written a new dossier leaves its rows on it, as the detail loads them:
    the answer to the intake is then built without reading back what was just written."""
    for name, rows in (("steps", sorted(steps, key=lambda s: s.order)), ("events", events),
                       ("components", components), ("supplements", supplements)):
        remember_list(dossier, name, list(rows))
    Dossier.apology.related.set_cached_value(dossier, None)
    # Its national sync state too, when the procedure was read with whether it has a national code
    # (`procedure_for_intake`): its outbox rows are those its events wrote.
    mapped = getattr(dossier.procedure, "national_mapped", None)
    if mapped is not None:
        from national.selectors import remember_new_sync_state

        remember_new_sync_state(dossier, events, mapped=mapped)


def dossier_for_detail(dossier: Dossier) -> Dossier:
    """The dossier as the detail needs it: as it is when a service has just left its rows on it
    (`remember_new_rows`), else loaded afresh."""
    cached = getattr(dossier, "_prefetched_objects_cache", {})
    if all(name in cached for name in DETAIL_LISTS):
        return dossier
    return load_dossier_detail(pk=dossier.pk)


def can_see(user, dossier: Dossier) -> bool:
    """`visible_dossiers` asked of one loaded dossier (the same fact, one indexed lookup; none when the
    dossier was loaded by `detail_queryset(user)`)."""
    from .visibility import can_see as visible

    return visible(user, dossier)


def get_visible_detail(user, code: str) -> Dossier:
    """The dossier with this code (or `TT-<id>`) with everything its detail shows, if `user` may see it,
    else NotFound: the API's detail and the officers' dossier page both read it here."""
    dossier = load_dossier_detail(code=code, user=user)
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


# --- intake's reads ------------------------------------------------------------------------------


def dossier_by_idempotency_key(user, key: str) -> Dossier | None:
    """The dossier `user` made with this Idempotency-Key (at most one: a unique constraint)."""
    return Dossier.objects.filter(created_by=user, idempotency_key=key).first()


# The catalogue row an intake reads: the procedure, its internal process with each step's named agency,
# and whether it has a national code (the sync state of the intake's answer), in one query on PostgreSQL
# (the steps as JSON, like the detail's lists); the steps are prefetched elsewhere.
INTAKE_LISTS = {"steps": (ProcedureStep, "procedure", ("order",), {"agency": None})}


def _intake_procedure(code) -> QuerySet:
    from national.selectors import mapped_exists

    qs = Procedure.objects.annotate(national_mapped=mapped_exists("pk"))
    return with_lists(qs, INTAKE_LISTS).filter(code=code)[:1]


_PROCEDURE_FOR_INTAKE = CompiledRead(Procedure, _intake_procedure, _CODE_MARK)


def procedure_for_intake(code: str) -> Procedure | None:
    """The procedure of this code with what an intake reads of the catalogue (`INTAKE_LISTS`, and
    `national_mapped`), compiled once (`CompiledRead`); None when there is none."""
    found = _PROCEDURE_FOR_INTAKE(code) if code else []
    return finish_lists(found[0], INTAKE_LISTS) if found else None


def procedure_steps(procedure) -> list[ProcedureStep]:
    """The procedure's internal process in order, each step with its named agency: as loaded with it
    (`procedure_for_intake`), else in one query."""
    if "steps" in getattr(procedure, "_prefetched_objects_cache", {}):
        return sorted(procedure.steps.all(), key=lambda step: step.order)
    return list(ProcedureStep.objects.filter(procedure=procedure).select_related("agency").order_by("order"))


def _departments_asked(*markers) -> QuerySet:
    """The departments answering any of n asks (agency id, name; case aside), each row flagged with the
    asks it answers (`ask_<i>`), by code. `markers`: the n agency ids, then the n names."""
    from django.db.models import BooleanField, ExpressionWrapper

    n = len(markers) // 2
    asks = [Q(agency_id=markers[i], name__iexact=markers[n + i]) for i in range(n)]
    condition = asks[0]
    for ask in asks[1:]:
        condition |= ask
    flags = {f"ask_{i}": ExpressionWrapper(ask, output_field=BooleanField()) for i, ask in enumerate(asks)}
    return Department.objects.filter(condition).annotate(**flags).order_by("code")


# One compiled statement per number of asks (a procedure's steps name a few departments at most): building
# and compiling the ORs and flags cost ~1.5 ms of an intake's CPU, running them ~0.3 ms.
_DEPARTMENTS_ASKED: dict[int, CompiledRead] = {}


def departments_named(wanted: list[tuple[Agency, str]]) -> list[Department | None]:
    """For each (agency, name): the agency's department of this name, case aside, the first by code, or
    None; all of them in one query (none when nothing is asked). Each row says which asks it answers, so
    "case aside" is the database's, as in a query per ask. The statement is compiled once per number of
    asks (`CompiledRead`)."""
    from django.db import connections, router

    if not wanted:
        return []
    n = len(wanted)
    values = [*[agency.pk for agency, _name in wanted], *[name for _agency, name in wanted]]
    if connections[router.db_for_read(Department) or "default"].vendor != "postgresql":
        rows = _departments_asked(*values)  # SQLite's iexact escapes its value for LIKE: not a plain marker
    else:
        read = _DEPARTMENTS_ASKED.get(n)
        if read is None:
            markers = [_PK_MARK - i for i in range(n)] + [f"{_CODE_MARK}{i}" for i in range(n)]
            read = _DEPARTMENTS_ASKED[n] = CompiledRead(Department, _departments_asked, *markers)
        rows = read(*values)
    found: list[Department | None] = [None] * n
    for department in rows:
        for i in range(n):
            if found[i] is None and getattr(department, f"ask_{i}"):
                found[i] = department
    return found


def active_agencies(user, ids) -> list[Agency]:
    """The active agencies among `ids` (agencies `user` works at), by code: from the cached token entry
    when there is one (`organisation.selectors.active_agencies_of`)."""
    from organisation.selectors import active_agencies_of

    return active_agencies_of(user, ids)


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

    # What the list's serializer reads besides the columns, as the model says it.
    reference = Dossier.reference
    status_label = Dossier.status_label


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
