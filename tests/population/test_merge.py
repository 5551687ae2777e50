"""The person record's merge rule (pure): each field from the most trusted source that knows it."""

from hypothesis import given
from hypothesis import strategies as st

from population.merge import CLAIMS, ORDER, POPULATION, PREVIOUS, PROFILE, RECORD_FIELDS, merge_person

values = st.one_of(st.just(""), st.just("  "), st.text(alphabet="abcÂđ 0123", min_size=1, max_size=8))
part = st.fixed_dictionaries({}, optional={name: values for name in RECORD_FIELDS})
members = st.lists(st.fixed_dictionaries({"full_name": st.text(min_size=1, max_size=5),
                                          "relation": st.sampled_from(["Con", "Vợ", "Chủ hộ"])}), max_size=3)


def _clean(value):
    return " ".join(str(value or "").split())


@given(population=part, claims=part, profile=part, previous=part, household=members)
def test_each_field_from_the_first_source_that_knows_it(population, claims, profile, previous, household):
    population = {**population, "household": household}
    record = merge_person(population=population, claims=claims, profile=profile, previous=previous)
    given_parts = {POPULATION: dict(population), CLAIMS: claims, PROFILE: profile, PREVIOUS: previous}
    pop_address = (_clean(population.get("current_address")) or _clean(population.get("permanent_address"))
                   or _clean(population.get("address")))
    given_parts[POPULATION]["address"] = pop_address
    for name in RECORD_FIELDS:
        expected, source = "", None
        for candidate in ORDER[name]:
            if _clean(given_parts[candidate].get(name)):
                expected, source = _clean(given_parts[candidate].get(name)), candidate
                break
        assert record[name] == expected
        assert record["sources"].get(name) == source
    assert len(record["household"]) == len(household)
    assert record["sources"].get("household") == (POPULATION if household else None)


def test_nothing_known_is_an_empty_record():
    record = merge_person()
    assert all(record[name] == "" for name in RECORD_FIELDS)
    assert record["household"] == [] and record["sources"] == {}


def test_population_wins_identity_profile_wins_contact():
    record = merge_person(
        population={"full_name": "Nguyễn Văn An", "birth_date": "1990-05-12", "permanent_address": "Thường trú",
                    "current_address": ""},
        claims={"full_name": "Nguyen Van An", "phone": "0900000000", "gender": "male"},
        profile={"full_name": "An", "phone": "0912345678", "email": "", "address": "Nhà riêng"},
        previous={"email": "an@example.vn", "id_number": "056090001234"},
    )
    assert record["full_name"] == "Nguyễn Văn An" and record["sources"]["full_name"] == POPULATION
    assert record["address"] == "Thường trú" and record["sources"]["address"] == POPULATION
    assert record["gender"] == "male" and record["sources"]["gender"] == CLAIMS
    assert record["phone"] == "0912345678" and record["sources"]["phone"] == PROFILE
    assert record["email"] == "an@example.vn" and record["sources"]["email"] == PREVIOUS
    assert record["id_number"] == "056090001234" and record["sources"]["id_number"] == PREVIOUS
