"""What more than one room of the citizens' services needs."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dossiers.models import Dossier
from organisation.errors import NotFound


def require_own(dossier: Dossier, citizen) -> Dossier:
    """The dossier when it is the signed-in citizen's own; anyone else's is 'not found'."""
    if citizen is None or not citizen.is_authenticated or dossier.citizen_id != citizen.pk:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def record_complaint(dossier_id: int, at) -> None:
    """The dossier was complained about at `at` (a dissatisfied rating, a complaint about it): its first time is
    kept on the dossier (`complained_at`, dossiers/0026) for the reports, in the caller's transaction. A copy of
    facts the rating and the feedback rows hold, not a change of the dossier: no version, no history row."""
    Dossier.objects.filter(pk=dossier_id, complained_at__isnull=True).update(complained_at=at)


def agency_roles(user, agency_id: int) -> frozenset[str]:
    """The staff roles `user` holds at one agency (every staff role for a superuser)."""
    from organisation.selectors import staff_pairs

    from ..transitions import STAFF_ROLES

    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser:
        return STAFF_ROLES
    return frozenset(role for agency, role in staff_pairs(user) if agency == agency_id)
