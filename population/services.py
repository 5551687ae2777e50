"""Reading the population database for a citizen who consented, and recording every use."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import ValidationFailed

from .models import LookupOutcome, PopulationLookup
from .service import PersonNotFound, PopulationUnavailable, population_service

_ID_NUMBER = re.compile(r"^\d{12}$")


def _answer(person) -> dict:
    """The protocol's shape of a `Person`, as stored on the look-up."""
    def day(value):
        return value.isoformat() if value else ""

    return {
        "id_number": person.id_number, "full_name": person.full_name, "birth_date": day(person.birth_date),
        "gender": person.gender, "permanent_address": person.permanent_address,
        "current_address": person.current_address,
        "household": {"code": person.household_code, "members": [
            {"id_number": m.id_number, "full_name": m.full_name, "birth_date": day(m.birth_date),
             "gender": m.gender, "relation": m.relation} for m in person.household]},
    }


def consult_population(*, citizen, id_number: str, consent: bool, purpose: str,
                       now: datetime.datetime | None = None) -> PopulationLookup:
    """Look the citizen up in the population database, with their consent, and record the use whatever the
    outcome. The service down, slow or refusing is not an error here: the look-up says `unavailable` and the
    citizen fills by hand."""
    errors: dict[str, list[str]] = {}
    if not consent:
        errors["consent"] = [_("Vui lòng đồng ý cho phép khai thác thông tin trong Cơ sở dữ liệu quốc gia về dân "
                               "cư, hoặc tự nhập thông tin.")]
    id_number = re.sub(r"\s", "", str(id_number or ""))
    if not _ID_NUMBER.match(id_number):
        errors["id_number"] = [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    now = now or timezone.now()
    data, outcome = {}, LookupOutcome.FOUND
    try:
        data = _answer(population_service().person(id_number, purpose=purpose))
    except PersonNotFound:
        outcome = LookupOutcome.NOT_FOUND
    except PopulationUnavailable:
        outcome = LookupOutcome.UNAVAILABLE
    with transaction.atomic():
        return PopulationLookup.objects.create(citizen=citizen, id_number=id_number, purpose=purpose[:255],
                                               consented_at=now, at=now, outcome=outcome, data=data)


def usable_lookup(citizen, lookup_id, *, now: datetime.datetime | None = None) -> PopulationLookup | None:
    """The citizen's own successful look-up, still fresh enough to fill a submission; else None."""
    try:
        pk = int(lookup_id)
    except (TypeError, ValueError):
        return None
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=settings.POPULATION_LOOKUP_VALID_MINUTES)
    return PopulationLookup.objects.filter(pk=pk, citizen=citizen, outcome=LookupOutcome.FOUND, at__gte=since,
                                           dossier__isnull=True).first()


def attach_to_dossier(lookup: PopulationLookup, dossier) -> None:
    """The dossier that used the look-up's data (called inside the submission's transaction)."""
    PopulationLookup.objects.filter(pk=lookup.pk).update(dossier=dossier)


def receive_at_desk(*, lookup: PopulationLookup | None, **intake):
    """The desk's intake (`dossiers.services.intake`, same arguments) of a dossier whose applicant the officer
    looked up in the population database at the counter, with the applicant's consent (`consult_population`
    with the officer as the account that asked): the dossier and the look-up it used, in one transaction."""
    from dossiers.services import intake as receive

    with transaction.atomic():
        dossier = receive(**intake)
        if lookup is not None:
            attach_to_dossier(lookup, dossier)
    return dossier
