"""Reads about who may see what: the agencies a staff account works for."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Agency, Role, StaffMembership


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.memberships.exists()))


def user_roles(user, agency_id: int | None = None) -> set[str]:
    """The roles a user holds (at one agency, or anywhere)."""
    if not user or not user.is_authenticated:
        return set()
    qs = StaffMembership.objects.filter(user=user)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return set(qs.values_list("role", flat=True))


def descendant_ids(agency_ids: Iterable[int]) -> set[int]:
    """The agencies and every agency under them, one query per level of depth."""
    found = set(agency_ids)
    frontier = set(found)
    while frontier:
        children = set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= children
        frontier = children
    return found


def scoped_agency_ids(user, roles: Iterable[str] | None = None) -> set[int] | None:
    """The ids of the agencies whose dossiers and figures the user may see; None means all (superuser).

    A manager or administrator sees their agencies and everything under them; other roles see the
    agencies they work at.
    """
    if not user or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    qs = StaffMembership.objects.filter(user=user)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    direct: set[int] = set()
    wide: set[int] = set()
    for agency_id, role in qs.values_list("agency_id", "role"):
        (wide if role in (Role.MANAGER, Role.ADMINISTRATOR) else direct).add(agency_id)
    return direct | descendant_ids(wide)
