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
