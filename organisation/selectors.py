"""Reads about who may see what: the agencies a staff account works for.

A request asks these questions many times (the scope of a list, the roles behind each offered action, the
staff-only parts of a detail), so the user's memberships are read once, as (agency id, role) pairs, and
kept on the user object for as long as that object lives: one request, one task. The bearer token
authentication has them from the cached token entry (`token_owner`), without a query.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Agency, AgencyLevel, Role, StaffMembership

# Attribute names on the user object; `dossiers.services.staff_pairs` reads the same cache.
PAIRS_ATTR = "_motcua_staff_pairs"
_SCOPE_ATTR = "_motcua_scopes"


def is_administrator(user) -> bool:
    """May open the admin: an active staff account that is a superuser or holds the administrator role
    (not every staff account: officers work in the portal's own pages)."""
    if user is None or not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    return user.is_superuser or any(role == Role.ADMINISTRATOR for _agency, role in staff_pairs(user))


def staff_pairs(user) -> set[tuple[int, str]]:
    """Every (agency id, role) the user holds, in one query; remembered on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, PAIRS_ATTR, None)
    if cached is None:
        cached = set(StaffMembership.objects.filter(user=user).values_list("agency_id", "role"))
        remember_staff_pairs(user, cached)
    return cached


def remember_staff_pairs(user, pairs: Iterable[tuple[int, str]]) -> None:
    """Keep pairs read elsewhere (with the token) so that no later question reads them again."""
    try:
        setattr(user, PAIRS_ATTR, set(pairs))
        setattr(user, _SCOPE_ATTR, {})
    except AttributeError:  # an object that takes no attributes: asked again next time
        pass


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or staff_pairs(user)))


def user_roles(user, agency_id: int | None = None) -> set[str]:
    """The roles a user holds (at one agency, or anywhere)."""
    if not user or not user.is_authenticated:
        return set()
    return {role for agency, role in staff_pairs(user) if agency_id is None or agency == agency_id}


def active_agencies_of(user, ids: Iterable[int]) -> list[Agency]:
    """The active agencies among `ids`, agencies the user works at, by code: from the cached token entry
    (`token_owner`) when the request came with a token, else in one query."""
    wanted = {int(pk) for pk in ids}
    known = getattr(user, _AGENCIES_ATTR, None) or {}
    if wanted <= known.keys():  # the rows as cached, made into agencies only when asked for
        rows = sorted((known[pk] for pk in wanted if known[pk]["is_active"]), key=lambda row: row["code"])
        return [_agency(row) for row in rows]
    return list(Agency.objects.filter(pk__in=sorted(wanted), is_active=True).order_by("code"))


def descendant_ids(agency_ids: Iterable[int]) -> set[int]:
    """The agencies and every agency under them, whatever the depth, in one recursive query (the ORM has
    no recursive CTE: raw SQL, on the connection the database router picks for reading agencies)."""
    from django.db import connections, router

    found = {int(pk) for pk in agency_ids}
    if not found:
        return found
    connection = connections[router.db_for_read(Agency) or "default"]
    q = connection.ops.quote_name
    table = q(Agency._meta.db_table)
    marks = ", ".join(["%s"] * len(found))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE tree(id) AS (SELECT {q('id')} FROM {table} WHERE {q('id')} IN ({marks}) "
            f"UNION SELECT a.{q('id')} FROM {table} a JOIN tree t ON a.{q('parent_id')} = t.id) SELECT id FROM tree",
            sorted(found),
        )
        return found | {row[0] for row in cursor.fetchall()}


def province_of(agency: Agency) -> Agency:
    """The province an agency belongs to: itself or its nearest province ancestor (the top one if none)."""
    chain = [agency, *agency.ancestors()]
    return next((a for a in chain if a.level == AgencyLevel.PROVINCE), chain[-1])


def province_agency_ids(agency: Agency) -> set[int]:
    """Every agency of `agency`'s province, the province included (phi địa giới: any desk of the province)."""
    return descendant_ids({province_of(agency).pk})


def scoped_agency_ids(user, roles: Iterable[str] | None = None) -> set[int] | None:
    """The ids of the agencies whose dossiers and figures the user may see; None means all (superuser).

    A manager or administrator sees their agencies and everything under them; other roles see the
    agencies they work at. The answer is remembered on the user object with the pairs; the caller gets
    its own copy.
    """
    if not user or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    wanted = None if roles is None else frozenset(roles)
    pairs = staff_pairs(user)
    scopes = getattr(user, _SCOPE_ATTR, None)
    if scopes is None:
        scopes = {}
        try:
            setattr(user, _SCOPE_ATTR, scopes)
        except AttributeError:
            pass
    scope = scopes.get(wanted)
    if scope is None:
        direct: set[int] = set()
        wide: set[int] = set()
        for agency_id, role in pairs:
            if wanted is not None and role not in wanted:
                continue
            (wide if role in (Role.MANAGER, Role.ADMINISTRATOR) else direct).add(agency_id)
        scope = frozenset(direct | user_descendant_ids(user, wide)) if wide else frozenset(direct)
        scopes[wanted] = scope
    return set(scope)


# --- the bearer token's owner, cached ------------------------------------------------------------
#
# Every API request asks who holds its token and what they may do. The answer (the user's columns but
# the password hash, when the token was issued, the (agency, role) pairs, the rows of those agencies (an
# intake takes its desk's agency from them: `active_agencies_of`) and, for a manager, the agencies under
# theirs) is kept in the shared cache under a hash of the token, so a request authenticates without a
# query. It is forgotten whenever it may change (`organisation.tokens`' receivers): a token deleted
# (revoked, expired, rotated), a user saved (deactivated, renamed, password changed), a membership
# added, changed or removed; an agency saved (added, renamed, moved, deactivated) or removed forgets
# every entry at once (the generation). Each is forgotten at once and again after the commit, so a request that read the old
# rows meanwhile cannot keep them. While Redis is away the cache is bypassed (each process's memory
# would miss the other processes' changes): the database answers, as it does on a miss.

# The entry's shape is in the key: entries of an older shape (before the agencies' rows) are not read.
TOKEN_KEY_PREFIX = "auth:token:v2:"
GENERATION_KEY = "auth:generation"
_DESCENDANTS_ATTR = "_motcua_descendants"
_AGENCIES_ATTR = "_motcua_agencies"


def _token_cache_key(key: str) -> str:
    import hashlib

    return TOKEN_KEY_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def _wide(pairs) -> frozenset[int]:
    return frozenset(agency for agency, role in pairs if role in (Role.MANAGER, Role.ADMINISTRATOR))


def user_descendant_ids(user, agency_ids: Iterable[int]) -> set[int]:
    """`descendant_ids`, remembered on the user object (and filled from the cached token entry)."""
    wanted = frozenset(int(pk) for pk in agency_ids)
    memo = getattr(user, _DESCENDANTS_ATTR, None)
    if memo is not None and wanted in memo:
        return set(memo[wanted])
    found = descendant_ids(wanted)
    try:
        if memo is None:
            memo = {}
            setattr(user, _DESCENDANTS_ATTR, memo)
        memo[wanted] = frozenset(found)
    except AttributeError:
        pass
    return found


class TokenOwner:
    """Who holds a token: the user (memberships remembered on it) and when the token was issued."""

    __slots__ = ("created", "key", "user")

    def __init__(self, key: str, created, user):
        self.key, self.created, self.user = key, created, user


def _generation(cache):
    """The current generation of the cached entries (made anew when the cache lost it)."""
    import time

    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    return value


def _owner_from_db(key: str) -> tuple[TokenOwner, dict] | None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None:
        return None
    user = token.user
    memberships = list(StaffMembership.objects.filter(user_id=user.pk).select_related("agency"))
    pairs = {(m.agency_id, m.role) for m in memberships}
    agencies = {m.agency_id: _columns(m.agency) for m in memberships}
    wide = _wide(pairs)
    descendants = {wide: frozenset(descendant_ids(wide))} if wide else {}
    fields = {name: value for name, value in _columns(user).items() if name != "password"}
    entry = {"created": token.created, "user": fields, "pairs": sorted(pairs), "descendants": descendants,
             "agencies": sorted(agencies.values(), key=lambda row: row["id"])}
    return _owner(key, entry, user), entry


def _columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _owner(key: str, entry: dict, user=None) -> TokenOwner:
    from django.contrib.auth import get_user_model

    if user is None:
        model = get_user_model()
        names = list(entry["user"])
        user = model.from_db("default", names, [entry["user"][name] for name in names])
    remember_staff_pairs(user, entry["pairs"])
    try:
        setattr(user, _DESCENDANTS_ATTR, dict(entry["descendants"]))
        setattr(user, _AGENCIES_ATTR, {row["id"]: row for row in entry["agencies"]})
    except AttributeError:
        pass
    return TokenOwner(key, entry["created"], user)


def _agency(row: dict) -> Agency:
    names = list(row)
    return Agency.from_db("default", names, [row[name] for name in names])


def token_owner(key: str) -> TokenOwner | None:
    """The holder of the API token `key` with their memberships, or None for no such token: from the
    shared cache (no query), else from the database (two queries, three for a manager) and cached."""
    from django.conf import settings
    from django.core.cache import cache

    from config.cache import is_degraded

    if is_degraded(cache):
        found = _owner_from_db(key)
        return found[0] if found else None
    cache_key = _token_cache_key(key)
    got = cache.get_many([cache_key, GENERATION_KEY])
    entry, generation = got.get(cache_key), got.get(GENERATION_KEY)
    if entry is not None and generation is not None and entry.get("generation") == generation:
        return _owner(key, entry)
    if generation is None:
        generation = _generation(cache)
    found = _owner_from_db(key)
    if found is None:
        return None
    owner, fresh = found
    fresh["generation"] = generation
    if entry is None:
        # add: a change that forgot the entry meanwhile and wrote it anew wins.
        cache.add(cache_key, fresh, settings.API_TOKEN_CACHE_SECONDS)
    else:  # an entry of an older generation: replaced, or every request would miss until it expires
        cache.set(cache_key, fresh, settings.API_TOKEN_CACHE_SECONDS)
    return owner


def _forget(keys: list[str]) -> None:
    from django.core.cache import cache
    from django.db import transaction

    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_token(key: str) -> None:
    """The cached owner of this token is forgotten (now and after the commit)."""
    _forget([_token_cache_key(key)])


def forget_user_tokens(user_id: int) -> None:
    """The cached owner of the user's tokens is forgotten (now and after the commit): one query."""
    from rest_framework.authtoken.models import Token

    _forget([_token_cache_key(key) for key in Token.objects.filter(user_id=user_id).values_list("key", flat=True)])


def forget_all_tokens() -> None:
    """Every cached token owner is forgotten: a new generation (after an agency is added, moved or removed)."""
    import time

    from django.core.cache import cache
    from django.db import transaction

    def bump():
        cache.set(GENERATION_KEY, time.time_ns(), None)

    bump()
    transaction.on_commit(bump)
