"""The person record from its sources: a pure rule (no Django), tested exhaustively.

A source is a partial record (any of RECORD_FIELDS, empty values meaning "not known there"). Each field is
taken from the first source, in that field's order of trust, that knows it:

- who the person is (ID number, name, date of birth, gender) and the household: the population database
  (read with consent) first, then the identity service's claims (VNeID vouches for them), then the profile,
  then the previous dossier;
- the address: the population database's current address, else its permanent address, then what the citizen
  keeps in the profile, then the previous dossier, then the claims;
- how to reach the person (phone, e-mail): the profile, the previous dossier, the claims (the population
  database does not hold them).

`sources` names where each non-empty field came from, so a page can say "from the population database".
"""

from __future__ import annotations

POPULATION, CLAIMS, PROFILE, PREVIOUS = "population", "vneid", "profile", "previous_dossier"
SOURCES = (POPULATION, CLAIMS, PROFILE, PREVIOUS)

RECORD_FIELDS = ("id_number", "full_name", "birth_date", "gender", "address", "permanent_address",
                 "current_address", "phone", "email")
IDENTITY_ORDER = (POPULATION, CLAIMS, PROFILE, PREVIOUS)
ORDER = {
    "id_number": IDENTITY_ORDER, "full_name": IDENTITY_ORDER, "birth_date": IDENTITY_ORDER,
    "gender": IDENTITY_ORDER,
    "address": (POPULATION, PROFILE, PREVIOUS, CLAIMS),
    "permanent_address": (POPULATION,), "current_address": (POPULATION,),
    "phone": (PROFILE, PREVIOUS, CLAIMS), "email": (PROFILE, PREVIOUS, CLAIMS),
}
HOUSEHOLD_FIELDS = ("id_number", "full_name", "birth_date", "relation")


def _clean(value) -> str:
    return " ".join(str(value or "").split())


def _population_address(population: dict) -> str:
    return _clean(population.get("current_address")) or _clean(population.get("permanent_address")) \
        or _clean(population.get("address"))


def merge_person(*, population: dict | None = None, claims: dict | None = None, profile: dict | None = None,
                 previous: dict | None = None) -> dict:
    given = {POPULATION: dict(population or {}), CLAIMS: dict(claims or {}), PROFILE: dict(profile or {}),
             PREVIOUS: dict(previous or {})}
    if given[POPULATION]:
        given[POPULATION]["address"] = _population_address(given[POPULATION])
    record: dict = {}
    sources: dict[str, str] = {}
    for name in RECORD_FIELDS:
        record[name] = ""
        for source in ORDER[name]:
            value = _clean(given[source].get(name))
            if value:
                record[name], sources[name] = value, source
                break
    household = []
    for source in (POPULATION, CLAIMS, PROFILE, PREVIOUS):
        members = given[source].get("household") or []
        if members:
            household = [{k: _clean(m.get(k)) for k in HOUSEHOLD_FIELDS} for m in members if isinstance(m, dict)]
            sources["household"] = source
            break
    record["household"] = household
    record["sources"] = sources
    return record
