"""The counter's look-up in the national population database (Decree 309/2026: data the state holds is not
asked again): with the applicant's consent the officer fills the intake from it, the components the database
holds are recorded as taken from it (Decision 766, 4.5b), the look-up names the dossier; without consent
nothing is looked up; the service down or the person unknown, the officer types by hand."""

import pytest

from dossiers.models import Dossier
from population.models import PopulationLookup

pytestmark = pytest.mark.django_db

AN = "056090001234"  # the stand-in's demo person with a household


@pytest.fixture
def identity_held(procedure):
    """The procedure's first component is an identity paper the population database holds."""
    first = procedure.components.order_by("order").first()
    first.held_in = "population"
    first.save(update_fields=["held_in"])
    return first


def page_data(procedure, **overrides):
    data = {"full_name": "", "id_type": "cccd", "id_number": AN, "phone": "0912000111", "channel": "counter",
            "return_method": "desk", "idempotency_key": "desk-population-1"}
    data.update({f"comp_{c.pk}": "on" for c in procedure.components.all()})  # every paper is there
    data.update(overrides)
    return data


def test_consented_look_up_fills_the_intake_and_the_dossier_records_it(client, staff, procedure, identity_held,
                                                                       population):
    client.force_login(staff.desk)
    url = f"/ho-so/tiep-nhan/{procedure.code}/"
    assert "Lấy thông tin từ Cơ sở dữ liệu dân cư" in client.get(url).content.decode()
    # Without the applicant's consent: a message next to the box, nothing looked up or recorded.
    response = client.post(url, page_data(procedure, action="population"))
    assert response.status_code == 400 and population.calls == [] and not PopulationLookup.objects.exists()
    assert "Vui lòng đồng ý" in response.content.decode()
    # With it: the applicant filled from the database, the identity paper ticked as taken from it.
    response = client.post(url, page_data(procedure, action="population", population_consent="on"))
    html = response.content.decode()
    assert response.status_code == 200 and 'value="Nguyễn Văn An"' in html
    lookup = PopulationLookup.objects.get()
    assert (lookup.citizen, lookup.id_number, lookup.outcome) == (staff.desk, AN, "found")
    assert procedure.code in lookup.purpose and population.calls[0]["purpose"] == lookup.purpose
    assert f'name="population_lookup" value="{lookup.pk}"' in html
    assert '<option value="population" selected>' in html
    assert not Dossier.objects.exists()
    # Received with what the page now holds: the component's source and the look-up are on record.
    response = client.post(url, page_data(procedure, full_name="Nguyễn Văn An", population_lookup=lookup.pk,
                                          decision="receive", **{f"comp_{identity_held.pk}_source": "population"}))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.components.get(name=identity_held.name).data_source == "population"
    lookup.refresh_from_db()
    assert lookup.dossier == dossier
    assert len(population.calls) == 1  # the intake used the recorded answer, no second call


def test_unknown_person_or_service_down_leaves_the_officer_typing(client, staff, procedure, identity_held, population):
    client.force_login(staff.desk)
    url = f"/ho-so/tiep-nhan/{procedure.code}/"
    response = client.post(url, page_data(procedure, id_number="000000000001", action="population",
                                          population_consent="on", full_name="Lê Văn Bình"))
    html = response.content.decode()
    assert response.status_code == 200 and "Không tìm thấy số định danh" in html
    assert 'value="Lê Văn Bình"' in html  # what was typed stays
    population.configure(down=True)
    response = client.post(url, page_data(procedure, action="population", population_consent="on",
                                          full_name="Lê Văn Bình"))
    assert response.status_code == 200 and "Hiện không kết nối được" in response.content.decode()
    assert list(PopulationLookup.objects.order_by("id").values_list("outcome", flat=True)) == ["not_found",
                                                                                              "unavailable"]
    # An unusable look-up id (not found, or another account's) is ignored at intake, never an error.
    response = client.post(url, page_data(procedure, full_name="Lê Văn Bình", decision="receive",
                                          population_lookup=PopulationLookup.objects.first().pk))
    assert response.status_code == 302
    assert not PopulationLookup.objects.filter(dossier__isnull=False).exists()


def test_a_malformed_id_number_is_named_next_to_the_box(client, staff, procedure, population):
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/",
                           page_data(procedure, id_number="12345", action="population", population_consent="on"))
    assert response.status_code == 400 and "đúng 12 chữ số" in response.content.decode()
    assert population.calls == []
