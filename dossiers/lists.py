"""The staff lists at province scale: scope, filters, search, keyset pages and capped counts.

Every list (the API's `GET /api/v1/dossiers/`, the worklist tabs and their badges) is built here from the
visibility fact (dossiers.visibility): the user's scope and the filters staff use (status, late, due soon,
procedure, agency) are conditions on the fact's own columns, so that a page is an index-ordered top-N of
one agency's rows whatever the number of dossiers, and a count stops at `COUNT_CAP`:

- newest first (`order_newest`): by dossier id, descending; the API's pages continue with a keyset
  cursor (`Cursor`: "after id N" / "before id N", signed), never an OFFSET past the cap;
- most urgent first (`order_urgent`, the worklists): open dossiers by `urgency_at` (late first, then by
  appointment), then the others newest first.

The search (`q`) with a digit matches the code (or its beginning or end), the ID number (or its beginning)
and the phone in any written form (organisation.phones), each from an index of its own (pg_trgm and btree;
migration dossiers 0021_h15b_search_indexes). Without a digit it is the applicant's name, diacritics folded
(procedures.text.fold), from its first or its last words: a prefix range of the fact's name columns in the
user's agency (`name_fact_q`, migration 0023), not a trigram read of the whole province.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, router, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Reverse
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import DomainError, ValidationFailed
from organisation.phones import search_form
from procedures.text import fold

from .models import ONLINE_REFERENCE_PREFIX, Dossier, DossierVisibility, Status, Step
from .visibility import Key, _active, _rule_q, keys_for, keys_q, uses_fact

# A count stops here: "10 000+" rather than reading a whole province to say 9,214,337.
COUNT_CAP = getattr(settings, "DOSSIER_LIST_COUNT_CAP", 10_000)
# The worklist's tab badges stop sooner ("999+"): a badge tells how much waits, not where page 57 is, and
# each badge is one more count on every worklist page (at 10M dossiers a busy commune's tab holds tens of
# thousands, and counting 10,000 of them costs a quarter of a second each).
BADGE_CAP = getattr(settings, "DOSSIER_BADGE_COUNT_CAP", 999)
Q_MIN, Q_MAX = 3, 100
_DIGIT = re.compile(r"\d")
_REFERENCE = re.compile(rf"^{re.escape(ONLINE_REFERENCE_PREFIX)}(\d+)$", re.IGNORECASE)
_CURSOR_SALT = "dossiers.lists.cursor"


class ListTimedOut(DomainError):
    """A list's query ran past its time limit (`time_limited`): 503, try again or narrow the search."""

    status_code = 503
    default_code = "list_timeout"


@contextmanager
def time_limited():
    """The belt under the indexes: the list's queries run with a statement timeout
    (`settings.DOSSIER_LIST_STATEMENT_TIMEOUT_MS`, in their own transaction), so that no input, however
    odd, keeps a database backend busy for longer; and each is planned for its own values (below)."""
    limit = int(getattr(settings, "DOSSIER_LIST_STATEMENT_TIMEOUT_MS", 5000))
    # On the connection the lists read from: the router's choice (a replica for reports), not always default.
    alias = router.db_for_read(Dossier)
    if connections[alias].vendor != "postgresql":
        yield
        return
    # A list's best plan depends on its values: a name's prefix range ("thanh ha%" is a range of the name index
    # only when the planner sees it), a province's 7,000,000 rows or a commune's 30,000. Prepared (psycopg's
    # prepare_threshold, DATABASE_PREPARE_THRESHOLD), PostgreSQL may switch a statement to one generic plan for
    # all values after five runs: a province's "tất cả" tab searched by "thanh ha" then walked the province's rows
    # (237 ms at 10,000,000 dossiers instead of 41). The lists are planned for their values every time
    # (plan_cache_mode), which keeps what preparing saves besides (the parse).
    settings_sql = ["set_config('plan_cache_mode', 'force_custom_plan', true)"]
    if limit > 0:
        settings_sql.append(f"set_config('statement_timeout', '{limit}', true)")
    # SET LOCAL lasts until the outermost transaction ends: the list's own (the portal runs without
    # ATOMIC_REQUESTS), or, nested in another one (a test's), that one; a failure inside rolls the savepoint
    # back and the setting with it.
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(settings_sql))
            yield
    except OperationalError as exc:
        if type(exc.__cause__).__name__ != "QueryCanceled":
            raise
        raise ListTimedOut(_("Danh sách mất quá nhiều thời gian; hãy thu hẹp điều kiện tìm kiếm rồi thử lại."),
                           ) from None


def _bad(name: str, msg: str) -> ValidationFailed:
    return ValidationFailed(_("Tham số lọc không hợp lệ: %(msg)s") % {"msg": msg}, code="invalid_filter",
                            fields={name: [msg]})


@dataclass
class Filters:
    """What a list is narrowed to; every value already checked (`parse_filters`)."""

    status: list[int] = field(default_factory=list)
    procedure: str = ""
    agency: str = ""
    late: bool | None = None
    q: str = ""
    # The ids a code, ID number or phone `q` matches (`matched_first`), or the ids of the scope's rows a name
    # matches (`name_matched`), read once for the page and its count; `broad`: a name matching more rows than
    # NAME_MATCH_CAP (its rows are dense enough to be met walking the scope newest first).
    matched: list[int] | None = field(default=None, repr=False, compare=False)
    broad: bool = field(default=False, repr=False, compare=False)
    # For a broad name: how many distinct dossiers of the scope were seen to match it (`name_matched` reads
    # NAME_MATCH_CAP + 1 index entries), a floor of the list's total that `known_count` may answer with.
    broad_seen: int = field(default=0, repr=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.status or self.procedure or self.agency or self.late is not None or self.q)


def parse_filters(params, *, strict: bool = True) -> Filters:
    """`status` (1–10, several separated by commas), `procedure`, `agency` (codes), `late` (true/false) and
    `q` (3 to 100 characters) from a query string. `strict`: a bad value is a 400 naming the parameter (the
    API); otherwise it is left out (the screens show the list unfiltered and the form as typed)."""
    out = Filters()

    def bad(name, msg):
        if strict:
            raise _bad(name, msg)

    raw = (params.get("status") or "").strip()
    if raw:
        try:
            statuses = [int(part) for part in raw.split(",")]
            if len(statuses) > len(Status.values) or any(s not in Status.values for s in statuses):
                raise ValueError
            out.status = sorted(set(statuses))
        except ValueError:
            bad("status", _("Trạng thái phải là số từ 1 đến 10."))
    for name in ("procedure", "agency"):
        value = (params.get(name) or "").strip()
        if value:
            if len(value) > 60:
                bad(name, _("Mã quá dài."))
            else:
                setattr(out, name, value)
    late = (params.get("late") or "").strip().lower()
    if late:
        if late not in ("true", "false", "1", "0"):
            bad("late", _("Giá trị phải là true hoặc false."))
        else:
            out.late = late in ("true", "1")
    q = " ".join((params.get("q") or "").split())
    if q:
        if len(q) > Q_MAX:
            bad("q", _("Từ khóa quá dài (tối đa 100 ký tự)."))
        elif len(q) < Q_MIN:
            bad("q", _("Từ khóa phải có ít nhất 3 ký tự."))
        else:
            out.q = q
    return out


# --- scope and filters ------------------------------------------------------------------------------


def _fact_q(filters: Filters, ids: dict, now: datetime, prefix: str) -> Q:
    """The filters as conditions on the fact's columns."""
    condition = Q()
    if filters.status:
        condition &= Q(**{f"{prefix}status__in": filters.status})
    if filters.procedure:
        condition &= Q(**{f"{prefix}procedure_id": ids.get("procedure")})
    if filters.late is True:
        condition &= Q(**{f"{prefix}late_from__lte": now})
    elif filters.late is False:
        condition &= Q(**{f"{prefix}late_from__isnull": True}) | Q(**{f"{prefix}late_from__gt": now})
    return condition


def _dossier_q(filters: Filters, ids: dict, now: datetime) -> Q:
    """The same filters on the dossier's own columns."""
    from .selectors import late_q

    condition = Q()
    if filters.status:
        condition &= Q(status__in=filters.status)
    if filters.procedure:
        condition &= Q(procedure_id=ids.get("procedure"))
    if filters.late is True:
        condition &= late_q(now)
    elif filters.late is False:
        condition &= ~late_q(now)
    return condition


def name_query(q: str) -> str | None:
    """The folded name `q` looks for, or None: a query with a digit is a code, an ID number or a phone (no
    name has one), and one shorter than Q_MIN letters finds too much to mean anything."""
    if not q or _DIGIT.search(q):
        return None
    folded = fold(q)
    return folded if len(folded) >= Q_MIN else None


def name_fact_q(name: str) -> Q:
    """A name query on the fact's columns: the name starts with it (the family name first: "nguyen van",
    "tran thi ngoc a") or ends with it (the given name: "anh", "ngoc anh"; the first word typed may be cut
    short), each a prefix range of one agency's btree (migration dossiers 0023)."""
    first, last = name_fact_parts(name)
    return first | last


def name_fact_parts(name: str) -> tuple[Q, Q]:
    """The two halves of `name_fact_q`: the name's first words, its last ones."""
    return Q(name_key__startswith=name), Q(name_last__startswith=" ".join(reversed(name.split())))


# A phone query of this many digits is a whole number: found as described in search_q (dossiers/0027's indexes).
WHOLE_PHONE = 10


def search_q(q: str) -> Q:
    """`q` is a code (or its beginning or end, any case: "-0002"), a `TT-<id>` reference, an ID number (or its
    beginning) or a phone number in any written form (or 4+ of its digits) when it holds a digit; else the
    applicant's name (diacritics and case ignored), asked here of the dossier's folded name (SQLite, a
    citizen's own list): the staff's scopes on PostgreSQL ask the visibility fact instead (`name_fact_q`)."""
    name = name_query(q)
    if name is not None:
        return Q(applicant_search__contains=name)
    code = q.upper()
    condition = (Q(code__startswith=code) | Q(StartsWith(Reverse("code"), Value(code[::-1])))
                 | Q(national_code=q) | Q(applicant_id_number__startswith=q))
    match = _REFERENCE.match(q)
    if match and len(match.group(1)) <= 18:
        condition |= Q(pk=int(match.group(1)))
    phone = search_form(q)
    if phone and len(phone) >= WHOLE_PHONE:
        # A stored phone contains a query as long as itself only by equalling it, and none longer than itself:
        # equal (a btree), or longer and containing it (the trigram index of the few long phones, dossiers/0027).
        # The length is written into the statement so that PostgreSQL can match that partial index.
        longer = RawSQL(f'length("{Dossier._meta.db_table}"."applicant_phone") > {int(len(phone))}', [],
                        output_field=BooleanField())
        condition |= Q(applicant_phone=phone) | (Q(longer) & Q(applicant_phone__contains=phone))
    elif phone:
        condition |= Q(applicant_phone__contains=phone)
    return condition



def _ids(filters: Filters) -> dict:
    """The ids behind the codes filtered by: one small query each (an unknown code matches nothing)."""
    from organisation.models import Agency
    from procedures.models import Procedure

    ids: dict = {}
    if filters.procedure:
        ids["procedure"] = Procedure.objects.filter(code=filters.procedure).values_list("id", flat=True).first() or 0
    if filters.agency:
        ids["agency"] = Agency.objects.filter(code=filters.agency).values_list("id", flat=True).first() or 0
    return ids


def scoped(user, filters: Filters | None = None, *, extra: Q | None = None, fact_extra: Q | None = None,
           now: datetime | None = None, window: Window | None = None) -> QuerySet:
    """The dossiers `user` may see, narrowed by `filters` (and by `fact_extra`, a condition on the fact's
    columns, or `extra`, one on the dossier's): unordered, for `page_newest`, `count_capped` and the
    worklists. With one key the fact's conditions share one join, so that PostgreSQL walks one index of
    the key's agency in the order asked for. `window`: the rows the page reads (`page_newest`): a list
    narrowed by a name alone asks only for the name's matches inside it (read first by `name_matched`, or, for
    a broad but sparse name, from its own index entries: `name_window`)."""
    filters = filters or Filters()
    now = now or timezone.now()
    qs = Dossier.objects.all()
    if not _active(user):
        return qs.none()
    ids = _ids(filters)
    keys = keys_for(user)
    name = name_query(filters.q) if uses_fact() else None
    if keys is None and name is not None:
        keys = root_keys()  # everything is the rows of the top agencies: the name from their btrees
    on_fact = keys is not None and bool(keys) and uses_fact()
    if on_fact and name is not None:
        fact_extra = name_fact_q(name) & fact_extra if fact_extra is not None else name_fact_q(name)
        # The page's rows are the name's newest in its window (whose bounds are `fact_extra`, `page_newest`'s cursor).
        paged = window is not None and extra is None and _only_name(filters)
        if _name_matches(filters, keys, name) is not None:
            qs = qs.filter(ids_in(window.pick(filters.matched) if paged else filters.matched))
        elif paged and _sparse(keys, name, window.rows):
            qs = qs.filter(ids_in(name_window(keys, name, window)))
    if on_fact:
        if filters.agency:
            from organisation.selectors import scoped_agency_ids

            if ids["agency"] in scoped_agency_ids(user):
                keys = [Key(ids["agency"], False)]  # every dossier at it is in scope: its own rows
            else:
                qs = qs.filter(Exists(DossierVisibility.objects.filter(agency_id=ids["agency"], direct=True,
                                                                       dossier_id=OuterRef("pk"))))
        condition = _fact_q(filters, ids, now, "") & (fact_extra or Q())
        if len(keys) == 1:
            prefixed = _fact_q(filters, ids, now, "visibility__") & keys[0].q("visibility__")
            if fact_extra is not None:
                prefixed &= _prefix(fact_extra, "visibility__")
            qs = qs.filter(prefixed)
        else:
            qs = qs.filter(pk__in=DossierVisibility.objects.filter(keys_q(keys) & condition).values("dossier_id"))
    else:
        if keys is None:
            pass
        elif not keys:
            qs = qs.filter(citizen_id=user.pk)
        else:
            qs = qs.filter(_rule_q(user))
        if filters.agency:
            agency = ids["agency"]
            if uses_fact():
                qs = qs.filter(Exists(DossierVisibility.objects.filter(agency_id=agency, direct=True,
                                                                       dossier_id=OuterRef("pk"))))
            else:
                qs = qs.filter(Q(agency_id=agency) | Exists(Step.objects.filter(dossier=OuterRef("pk"),
                                                                                agency_id=agency)))
        qs = qs.filter(_dossier_q(filters, ids, now))
        if fact_extra is not None:
            qs = qs.filter(_fact_as_dossier(fact_extra))
    if extra is not None:
        qs = qs.filter(extra)
    if filters.q and on_fact and name is None:
        if filters.matched is None:  # once per request: the page and its count share it
            filters.matched = matched_first(filters.q)
        qs = qs.filter(ids_in(filters.matched))  # a list of ids, so that the planner knows how few
    elif filters.q and not on_fact:  # on the fact, a name is a condition of its rows (above)
        qs = qs.filter(search_q(filters.q))
    return qs


# A search by code, ID number or phone reads at most this many of its newest matches before the scope.
SEARCH_MATCH_CAP = getattr(settings, "DOSSIER_SEARCH_MATCH_CAP", 2_000)


def matched_first(q: str) -> list[int]:
    """The ids of the newest dossiers matching a code, ID number or phone `q` (at most SEARCH_MATCH_CAP),
    read first, on their own: a code matches one dossier, a phone one person's few, and the scope is then
    a probe of the fact per id. Asked as one condition with the scope (or as a subquery), PostgreSQL
    misjudged the OR of five indexes (3,001 rows for 1) and, under the page's LIMIT, walked a province's
    2,200,000 fact rows newest first to meet one code (1-2 s at 10,000,000 dossiers). Beyond the cap (a
    4-digit fragment shared by many phones) the page holds the newest matches among those read."""
    return list(Dossier.objects.filter(search_q(q)).order_by("-pk").values_list("pk", flat=True)[:SEARCH_MATCH_CAP])


def ids_in(ids: list[int]) -> RawSQL:
    """The dossier is one of `ids`: one array (`= ANY`) rather than one placeholder per id (thousands for a
    common name: compiling them cost more than the query). The array is written into the statement, so the
    planner still knows how many. PostgreSQL only (the fact's scopes)."""
    return RawSQL(f'"{Dossier._meta.db_table}"."id" = ANY(%s::bigint[])', [list(ids)], output_field=BooleanField())


# A search by name reads the ids of the scope's rows it matches first when there are at most this many.
NAME_MATCH_CAP = getattr(settings, "DOSSIER_NAME_MATCH_CAP", 10_000)


def _name_matches(filters: Filters, keys: list[Key], name: str) -> list[int] | None:
    """`name_matched` once per request (the page and its count share `filters`)."""
    if filters.matched is None and not filters.broad:
        filters.matched, seen = name_matched(keys, name)
        filters.broad = filters.matched is None
        filters.broad_seen = seen if filters.broad else 0
    return filters.matched


def name_matched(keys: list[Key], name: str) -> tuple[list[int] | None, int]:
    """The ids of the dossiers whose rows under `keys` match the folded `name` (`name_fact_q`), read first from
    the two name indexes, and how many distinct ones were read; the ids are None when the indexes hold more
    than NAME_MATCH_CAP entries for the name (a dossier may be met twice: by both halves, or by two rows of the
    scope, so the distinct ones may still be fewer). Asked as one query with the page's
    order, PostgreSQL may walk the scope newest first looking for the name (it did for a province's common name
    at 10,000,000 dossiers: 7,150 matches among 7,000,000 rows, 2.7 million rows read, 4 s); read first they
    are a few thousand index entries. A name broader than the cap is common enough for that walk to meet a page
    of it soon."""
    # Each half from its own index alone (an OR of the two would read a table page per match), stopping past the cap.
    ids = list(_name_halves(DossierVisibility.objects.filter(keys_q(keys)), name, repeats=True)[:NAME_MATCH_CAP + 1])
    distinct = set(ids)
    return (None if len(ids) > NAME_MATCH_CAP else sorted(distinct, reverse=True)), len(distinct)


WINDOW_MARGIN = 10


@dataclass(frozen=True)
class Window:
    """How many rows a page reads (its offset, its size and one more), from the newest end (below `after`, a
    `next` cursor's dossier) or from the oldest (above `before`, a `previous` cursor's)."""

    rows: int
    newest: bool = True
    after: int | None = None
    before: int | None = None

    def bounds(self) -> Q:
        """The cursor's condition on the fact's dossier id."""
        if self.after is not None:
            return Q(dossier_id__lt=self.after)
        return Q(dossier_id__gt=self.before) if self.before is not None else Q()

    @property
    def candidates(self) -> int:
        """How many ids a page asks for when they were read in a statement of their own: its rows and a margin,
        so that a few of them gone meanwhile (a name corrected, a dossier moved out of the scope) still leave the
        page its one row more, the one that tells there is a `next` page."""
        return self.rows + WINDOW_MARGIN

    def pick(self, ids: list[int]) -> list[int]:
        """Of `ids` (newest first, as `name_matched` gives them), the ones the page reads (`candidates`)."""
        inside = [pk for pk in ids if (self.after is None or pk < self.after)
                  and (self.before is None or pk > self.before)]
        return inside[:self.candidates] if self.newest else inside[-self.candidates:]


# Reading one of a name's index entries costs about 1/NAME_WALK_COST of one step of the walk newest first
# through the scope (a fact row's name read from the table): measured at 10,000,000 dossiers.
NAME_WALK_COST = getattr(settings, "DOSSIER_NAME_WALK_COST", 8)


def _sparse(keys: list[Key], name: str, rows: int) -> bool:
    """Whether a page of `rows` of a broad name is read sooner from the name's index entries (all of them:
    M index-only reads, newest kept) than by walking the scope newest first until that many match (about
    rows x S / M fact rows, S the scope's): M^2 <= NAME_WALK_COST x rows x S, from PostgreSQL's estimates of
    M and S (its statistics of the names, kept at 5,000 values by migration 0023). "thanh ha" among a
    province's 7,000,000 rows (~30,000 matches) is sparse; "nguyen" (a third of them) is not."""
    scope = DossierVisibility.objects.filter(keys_q(keys)).values("dossier_id")
    matches = _estimated_rows(scope.filter(name_fact_q(name)))
    return matches * matches <= NAME_WALK_COST * rows * _estimated_rows(scope)


def _estimated_rows(qs: QuerySet) -> int:
    """PostgreSQL's estimate of the rows of `qs` (its plan, not a count: a fraction of a millisecond)."""
    plan = qs.explain(format="json")
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def name_window(keys: list[Key], name: str, window: Window) -> list[int]:
    """The ids of the dossiers under `keys` matching `name` that the page's `window` reads, from the two name
    indexes alone (each index-only, their union without repeats, sorted by id): for a name too broad for
    `name_matched` but too sparse for the walk newest first (which met 100 of "thanh ha"'s 30,000 matches among
    a province's 7,000,000 rows only after ~25,000 rows, 137 ms)."""
    scope = DossierVisibility.objects.filter(keys_q(keys) & window.bounds())
    newest = "-dossier_id" if window.newest else "dossier_id"
    return list(_name_halves(scope, name, repeats=False).order_by(newest)[:window.candidates])


def _name_halves(scope: QuerySet, name: str, *, repeats: bool) -> QuerySet:
    """The dossier ids of `scope`'s rows matching `name`: its two halves (`name_fact_parts`), each read from its
    own index alone, as one UNION (ALL when `repeats` may stay)."""
    first, last = (scope.filter(part).values_list("dossier_id", flat=True) for part in name_fact_parts(name))
    return first.union(last, all=repeats)


def _only_name(filters: Filters) -> bool:
    return not (filters.status or filters.procedure or filters.agency or filters.late is not None)


def known_count(filters: Filters) -> Count | None:
    """The capped count of a list narrowed by nothing but a name, without counting, when its search told it:
    the scope's matches read first (`name_matched`: every one of them, so their number), or, for a broad
    name, more distinct dossiers of the scope than COUNT_CAP seen to match it ("more than COUNT_CAP" whatever
    else). Counting again read up to 10,001 of the name's rows through both name indexes and the fact's table
    (10 ms for a province's "Vũ Thanh Hà", 113-208 ms for "nguyen" or "thanh ha", at 10,000,000 dossiers).
    None otherwise."""
    if not _only_name(filters) or name_query(filters.q) is None:
        return None
    if filters.broad and filters.broad_seen > COUNT_CAP:
        return Count(COUNT_CAP, True, COUNT_CAP)
    if filters.matched is not None:
        return Count.of(len(filters.matched), COUNT_CAP)
    return None


def root_keys() -> list[Key]:
    """Every dossier, as the rows of the agencies at the top (a superuser's scope, for a search on the fact)."""
    from organisation.models import Agency

    return [Key(pk, True) for pk in Agency.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True)]


def fact_rows(user, filters: Filters | None = None, *, fact_extra: Q | None = None,
              now: datetime | None = None) -> QuerySet | None:
    """The fact's own rows behind `scoped(user, filters, fact_extra=...)` when they alone answer it (one
    key, no search, no agency outside the key): counting them reads one index, without the dossiers.
    None when they do not."""
    filters = filters or Filters()
    keys = keys_for(user) if _active(user) else []
    name = name_query(filters.q)
    if not keys or len(keys) != 1 or (filters.q and name is None) or filters.agency or not uses_fact():
        return None
    condition = keys[0].q() & _fact_q(filters, _ids(filters), now or timezone.now(), "")
    if name is not None:
        condition &= name_fact_q(name)
    return DossierVisibility.objects.filter(condition & (fact_extra or Q()))


def scoped_rows(rows: Q, agencies: frozenset[int], filters: Filters | None = None, *,
                now: datetime | None = None) -> QuerySet:
    """The dossiers with a fact row meeting `rows` (a condition that names its agencies and keeps inside
    the user's scope by itself: a worklist tab's, dossiers.worklists.tab_rows), narrowed by `filters`.
    With one agency the condition and the filters share one join, so that PostgreSQL walks that agency's
    index in the order asked for."""
    filters = filters or Filters()
    ids = _ids(filters)
    condition = rows & _fact_q(filters, ids, now or timezone.now(), "")
    name = name_query(filters.q)
    if name is not None:
        condition &= name_fact_q(name)
    if len(agencies) == 1:
        qs = Dossier.objects.filter(_prefix(condition, "visibility__"))
    else:
        qs = Dossier.objects.filter(pk__in=DossierVisibility.objects.filter(condition).values("dossier_id"))
    if filters.agency:
        qs = qs.filter(Exists(DossierVisibility.objects.filter(agency_id=ids["agency"], direct=True,
                                                               dossier_id=OuterRef("pk"))))
    if filters.q and name is None:
        qs = qs.filter(search_q(filters.q))
    return qs


def fact_rows_of(rows: Q, agencies: frozenset[int], filters: Filters | None = None, *,
                 now: datetime | None = None) -> QuerySet | None:
    """The fact's own rows behind `scoped_rows(rows, agencies, filters)` when they alone answer it (no
    search, no agency filter), one per dossier; None when they do not."""
    filters = filters or Filters()
    name = name_query(filters.q)
    if (filters.q and name is None) or filters.agency:
        return None
    condition = rows & _fact_q(filters, _ids(filters), now or timezone.now(), "")
    qs = DossierVisibility.objects.filter(condition & name_fact_q(name) if name is not None else condition)
    return qs if len(agencies) == 1 else qs.values("dossier_id").distinct()


def _prefix(condition: Q, prefix: str) -> Q:
    """A copy of `condition` with every lookup under `prefix`."""
    out = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        out.children.append(_prefix(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]))
    return out


def _fact_as_dossier(condition: Q) -> Q:
    """A condition on the fact's columns in dossier terms, for the scopes that do not read the fact
    (superuser, citizen, SQLite)."""
    out = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            out.children.append(_fact_as_dossier(child))
            continue
        lookup, value = child
        if lookup.startswith("status"):
            out.children.append((lookup, value))
        elif lookup.startswith("dossier_id"):
            out.children.append(("pk" + lookup.removeprefix("dossier_id"), value))
        elif lookup == "urgency_at__isnull":
            out.children.append(~_urgent_dossier_q() if value else _urgent_dossier_q())
        else:  # pragma: no cover - only the conditions above are used
            raise ValueError(lookup)
    return out


def _urgent_dossier_q() -> Q:
    """`urgency_at IS NOT NULL` on the dossier's columns (the expression of migration 0014)."""
    from .selectors import PENDING_STATUSES

    return Q(finished_at__isnull=True) & (
        Q(is_late=True) | Q(status__in=PENDING_STATUSES, appointment_at__isnull=False))


# --- counts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    value: int
    capped: bool
    cap: int = COUNT_CAP

    @classmethod
    def of(cls, n: int, cap: int) -> Count:
        """`n` rows counted up to `cap` + 1."""
        return cls(min(n, cap), n > cap, cap)

    def __str__(self) -> str:
        shown = self.cap if self.capped else self.value
        return f"{shown:,}{'+' if self.capped else ''}".replace(",", "\u202f")


def _capped(qs: QuerySet, cap: int) -> QuerySet:
    return qs.order_by().values("dossier_id" if qs.model is DossierVisibility else "pk")[:cap + 1]


def count_capped(qs: QuerySet, cap: int | None = None) -> Count:
    """How many rows, reading at most `cap` + 1 of them (COUNT_CAP unless said)."""
    cap = COUNT_CAP if cap is None else cap
    return Count.of(_capped(qs, cap).count(), cap)


def counts_capped(parts: list[tuple[QuerySet, int]]) -> list[Count]:
    """`count_capped` of each (queryset, cap), in one statement: the ORM compiles each capped count as it would
    for `count_capped`, and they are asked together as the columns of one row (a worklist page's badges and
    total were five queries, each a round trip and a cursor's work for one number). On the database the
    querysets read from (the router's), which must be the same for all. Under `time_limited` the statement
    timeout holds for them together: each is an index range stopping at its cap (a few ms at 10,000,000
    dossiers), far inside it."""
    if len(parts) < 2:
        return [count_capped(qs, cap) for qs, cap in parts]
    alias = parts[0][0].db
    columns, params = [], []
    for i, (qs, cap) in enumerate(parts):
        if qs.db != alias:
            raise ValueError("counts_capped: the querysets read from different databases")
        try:
            sql, part_params = _capped(qs, cap).query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # a condition that matches nothing (`.none()`, an empty IN)
            columns.append("0")
            continue
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")
        params.extend(part_params)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        row = cursor.fetchone()
    return [Count.of(n, cap) for n, (_, cap) in zip(row, parts, strict=True)]


# --- keyset pages, newest first -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after the dossier `after` (the next page) or before `before` (the previous)."""

    after: int | None = None
    before: int | None = None

    def encode(self) -> str:
        return signing.dumps({"a": self.after} if self.after is not None else {"b": self.before},
                             salt=_CURSOR_SALT)

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        msg = _("Con trỏ trang không hợp lệ: dùng đúng liên kết next hoặc previous của trang trước.")
        if len(raw) > 200:
            raise ValidationFailed(msg, code="invalid_cursor", fields={"cursor": [msg]})
        try:
            data = signing.loads(raw, salt=_CURSOR_SALT)
        except signing.BadSignature:
            raise ValidationFailed(msg, code="invalid_cursor", fields={"cursor": [msg]}) from None
        value = data.get("a", data.get("b")) if isinstance(data, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
            raise ValidationFailed(msg, code="invalid_cursor", fields={"cursor": [msg]})
        return cls(after=value) if "a" in data else cls(before=value)


@dataclass
class Page:
    rows: list
    next: Cursor | None
    previous: Cursor | None


def page_newest(build, size: int, *, cursor: Cursor | None = None, offset: int = 0,
                columns: tuple[str, ...] | None = None) -> Page:
    """One page newest first (by id), from a cursor or (the first pages) an offset. `build(fact_extra, window)`
    gives the scoped queryset (`scoped`) with `fact_extra`, the cursor's condition on the fact's dossier
    id, in the same join as the scope, and the `Window` the page reads. `columns`: the rows as value tuples (first the id) rather than model
    instances. One query."""
    backwards = cursor is not None and cursor.before is not None
    reads = Window(offset + size + 1, newest=not backwards, after=cursor.after if cursor else None,
                   before=cursor.before if cursor else None)
    if backwards:
        qs = build(Q(dossier_id__gt=cursor.before), reads).order_by("pk")
    elif cursor is not None:
        qs = build(Q(dossier_id__lt=cursor.after), reads).order_by("-pk")
    else:
        qs = build(None, reads).order_by("-pk")
    qs = qs.values_list(*columns) if columns else qs
    rows = list(qs[offset:offset + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    pk = (lambda row: row[0]) if columns else (lambda row: row.pk)
    if backwards:
        rows.reverse()
        previous = Cursor(before=pk(rows[0])) if more and rows else None
        return Page(rows, Cursor(after=pk(rows[-1]) if rows else cursor.before + 1), previous)
    following = Cursor(after=pk(rows[-1])) if more else None
    started = cursor is not None or offset > 0
    previous = Cursor(before=pk(rows[0])) if started and rows else None
    return Page(rows, following, previous)
