"""Reads about who may see what: the agencies a staff account works for.

A request asks these questions many times (the scope of a list, the roles behind each offered action, the
staff-only parts of a detail), so the user's memberships are read once, as (agency id, role) pairs, and
kept on the user object for as long as that object lives: one request, one task. The bearer token
authentication loads them with the token, in the same query.
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


def descendant_ids(agency_ids: Iterable[int]) -> set[int]:
    """The agencies and every agency under them, whatever the depth, in one recursive query."""
    from django.db import connection

    found = {int(pk) for pk in agency_ids}
    if not found:
        return found
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
        scope = frozenset(direct | descendant_ids(wide)) if wide else frozenset(direct)
        scopes[wanted] = scope
    return set(scope)
