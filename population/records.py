"""The person record of a citizen: what the state and the citizen already gave, merged once, so no form asks
for it again (Decree 309/2026). Shape (the paths electronic forms name, `person.full_name`,
`person.household[]`…):

    {id_number, full_name, birth_date (YYYY-MM-DD), gender, address, permanent_address, current_address,
     phone, email, household: [{id_number, full_name, birth_date, relation}], sources: {field: source}}

Sources, merged by `population.merge.merge_person`: the population database (only through a look-up the
citizen consented to, `population.services.consult_population`), the VNeID claims kept at the last log-in,
the citizen's profile, and the citizen's previous dossier (what was typed for it is not asked again).
"""

from __future__ import annotations

from django.db.models import Q

from .merge import merge_person
from .models import LookupOutcome, PopulationLookup


def _profile_part(profile) -> dict:
    if profile is None:
        return {}
    return {"id_number": profile.id_number, "full_name": profile.full_name,
            "birth_date": profile.date_of_birth.isoformat() if profile.date_of_birth else "",
            "phone": profile.phone, "email": profile.email, "address": profile.address}


def _claims_part(profile) -> dict:
    from citizens.oidc import profile_from_claims

    claims = getattr(profile, "identity_claims", None) or {}
    if not claims:
        return {}
    fields = profile_from_claims(claims)
    gender = str(claims.get("gender") or "").strip().lower()
    return {"id_number": fields["id_number"], "full_name": fields["full_name"],
            "birth_date": fields["date_of_birth"].isoformat() if fields["date_of_birth"] else "",
            "gender": gender if gender in ("male", "female", "other") else "",
            "phone": fields["phone"], "email": fields["email"], "address": fields["address"]}


def _previous_part(citizen) -> dict:
    from dossiers.models import Dossier, IdType

    last = (Dossier.objects.filter(Q(citizen=citizen) | Q(created_by=citizen))
            .order_by("-created_at", "-id")
            .only("applicant_name", "applicant_id_type", "applicant_id_number", "applicant_phone",
                  "applicant_email", "applicant_address").first())
    if last is None:
        return {}
    return {"full_name": last.applicant_name,
            "id_number": last.applicant_id_number if last.applicant_id_type == IdType.CCCD else "",
            "phone": last.applicant_phone, "email": last.applicant_email, "address": last.applicant_address}


def _population_part(lookup: PopulationLookup | None) -> dict:
    if lookup is None or lookup.outcome != LookupOutcome.FOUND:
        return {}
    data = dict(lookup.data or {})
    household = data.get("household") or {}
    data["household"] = household.get("members") or [] if isinstance(household, dict) else []
    return data


def person_record(citizen, *, lookup: PopulationLookup | None = None) -> dict:
    """The merged record of `citizen` (a user). `lookup`: a consented population look-up of theirs (see
    `population.services.usable_lookup`); without one the population database is not read."""
    from citizens.selectors import profile_for

    if lookup is not None and lookup.citizen_id != citizen.pk:
        lookup = None
    # An account without a profile (staff filing for themselves) gets one filled from the account, unsaved.
    profile = profile_for(citizen)
    return merge_person(population=_population_part(lookup), claims=_claims_part(profile),
                        profile=_profile_part(profile), previous=_previous_part(citizen))


def looked_up_record(lookup: PopulationLookup | None) -> dict:
    """The record from a population look-up alone: what the desk's intake prefills after the officer looked the
    applicant up at the counter (no profile or previous dossier: the officer is not the applicant)."""
    return merge_person(population=_population_part(lookup))


def applicant_fields(record: dict) -> dict:
    """The applicant fields a submission page shows today, from the record."""
    return {name: record.get(name, "") for name in ("full_name", "id_number", "phone", "email", "address")}
