"""Which dossiers a staff member may see, read from the visibility fact (`DossierVisibility`).

The rule: staff see a dossier when it was received at, or routed to (a step at: liên thông, a transfer
back), one of the agencies they work at; a manager or administrator also sees what any agency under
theirs sees. A citizen sees their own dossiers, a superuser every one.

The fact holds a row (agency, dossier) for every agency that received or holds a step of the dossier
(`direct`) and for every agency above those, so that the rule is a lookup of rows:

- a membership in a "wide" role (manager, administrator) at agency A: the rows of A, whatever `direct`;
- any other membership at agency A: the rows of A that are `direct`.

Each membership is a *key*; a user with one key (nearly everyone) has every page of every list as an
index-ordered top-N of one agency's rows. Keys made redundant by a wide key above them are dropped.

The rows are written by PostgreSQL in the transaction of the write that makes them true (the triggers of
migration dossiers 0017_h15b_visibility: a new dossier, a new step, an update of a dossier's keys), and by
`grant_visibility` for a grant that is not a step (boundary-free intake). On SQLite (the quick start
without PostgreSQL) there are no triggers: the same rule is asked of the dossier and its steps instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from organisation.models import Role

from .models import Dossier, DossierVisibility, Step

WIDE_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR})
_KEYS_ATTR = "_motcua_visibility_keys"


@dataclass(frozen=True, order=True)
class Key:
    """The rows of `agency_id` (only the `direct` ones unless `wide`)."""

    agency_id: int
    wide: bool

    def q(self, prefix: str = "") -> Q:
        if self.wide:
            return Q(**{f"{prefix}agency_id": self.agency_id})
        return Q(**{f"{prefix}agency_id": self.agency_id, f"{prefix}direct": True})


def uses_fact() -> bool:
    """The fact is kept by PostgreSQL triggers; other databases ask the rule itself."""
    return connection.vendor == "postgresql"


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def keys_for(user) -> list[Key] | None:
    """The user's keys; None for a superuser (everything), [] for no staff membership. Remembered on the
    user object with its memberships (`organisation.selectors.staff_pairs`)."""
    from organisation.selectors import descendant_ids, staff_pairs, user_descendant_ids

    if not _active(user):
        return []
    if user.is_superuser:
        return None
    pairs = staff_pairs(user)
    cached = getattr(user, _KEYS_ATTR, None)
    if cached is not None and cached[0] == frozenset(pairs):
        return list(cached[1])
    wide = {agency for agency, role in pairs if role in WIDE_ROLES}
    direct = {agency for agency, role in pairs if role not in WIDE_ROLES} - wide
    if len(wide) > 1:  # a wide key under another wide one adds nothing
        wide = {a for a in wide if not any(a in descendant_ids({b}) for b in wide - {a})}
    covered = user_descendant_ids(user, wide) if wide and direct else set(wide)
    keys = sorted([Key(a, True) for a in wide] + [Key(a, False) for a in direct if a not in covered])
    try:
        setattr(user, _KEYS_ATTR, (frozenset(pairs), tuple(keys)))
    except AttributeError:
        pass
    return keys


def keys_q(keys: list[Key], prefix: str = "") -> Q:
    """The fact rows of any of `keys` (no row at all for no key): one `agency_id IN (...)` for the wide keys
    and one for the others (with `direct`), so that PostgreSQL probes each agency's index range rather than
    filtering a scan by an OR of agencies."""
    wide = sorted(key.agency_id for key in keys if key.wide)
    direct = sorted(key.agency_id for key in keys if not key.wide)
    condition = Q(**{f"{prefix}agency_id__in": wide})
    if direct:
        condition |= Q(**{f"{prefix}agency_id__in": direct, f"{prefix}direct": True})
    return condition


def _rule_q(user) -> Q:
    """The rule asked of the dossier and its steps (SQLite only: no index serves it)."""
    from organisation.selectors import scoped_agency_ids

    ids = sorted(scoped_agency_ids(user) or ())
    if not ids:
        return Q(pk__in=[])
    return Q(agency_id__in=ids) | Exists(Step.objects.filter(dossier=OuterRef("pk"), agency_id__in=ids))


def visible_dossiers(user) -> QuerySet:
    """Every dossier `user` may see (for looking one up, or narrowing a query by scope; the lists page
    through `dossiers.lists`)."""
    qs = Dossier.objects.all()
    if not _active(user):
        return qs.none()
    keys = keys_for(user)
    if keys is None:
        return qs
    if not keys:
        return qs.filter(citizen_id=user.pk)
    if not uses_fact():
        return qs.filter(_rule_q(user))
    return qs.filter(visible_expression(user))


def visible_expression(user):
    """`visible_dossiers`'s condition as an expression to annotate a dossier query with
    (`.annotate(visible_to_user=visible_expression(user))`), so that a read that loads the dossier anyway
    answers `can_see` in the same query. None when no query is needed (superuser, citizen, SQLite)."""
    keys = keys_for(user) if _active(user) else []
    if not keys or not uses_fact():
        return None
    return Exists(DossierVisibility.objects.filter(keys_q(keys), dossier_id=OuterRef("pk")))


def can_see(user, dossier: Dossier) -> bool:
    """`visible_dossiers` asked of one loaded dossier: the same fact, one indexed lookup (none when the
    dossier was loaded with `visible_expression` as `visible_to_user`)."""
    if not _active(user):
        return False
    keys = keys_for(user)
    if keys is None:
        return True
    if not keys:
        return dossier.citizen_id == user.pk
    known = getattr(dossier, "visible_to_user", None)
    if known is not None:
        return bool(known)
    from organisation.selectors import scoped_agency_ids

    if dossier.agency_id in (scoped_agency_ids(user) or ()):
        # Received in the user's scope (their agencies and, for a manager, those under them; remembered on
        # the user): its receiving agency's rows are always there, granted with the dossier. No query.
        return True
    if not uses_fact():
        return visible_dossiers(user).filter(pk=dossier.pk).exists()
    return DossierVisibility.objects.filter(keys_q(keys), dossier_id=dossier.pk).exists()


def grant_visibility(dossier: Dossier | int, agency) -> None:
    """Staff of `agency` (and the managers above it) may see `dossier` from now on: for a hand-over that is
    not a step at the agency (a step grants by itself), e.g. a dossier received across boundaries (phi địa
    giới) for another agency. Idempotent; call it inside the action's transaction."""
    if not uses_fact():
        return
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    agency_id = agency if isinstance(agency, int) else agency.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT dossiers_visibility_grant(%s, %s)", [dossier_id, agency_id])
