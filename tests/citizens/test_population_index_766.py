"""Decision 766 reuse indicators computed from the facts the submissions record (through the reports' API):
4.5b counts the dossiers with a component taken from the population database, 4.3 those with a reused
digitised component, 4.4 those from the citizen's data store; every received dossier is in the denominator."""

import pytest
from django.utils import timezone

from citizens.services import submit_application
from dossiers import services as dossier_services
from dossiers.models import DossierComponent
from organisation.models import Role
from population.services import consult_population, usable_lookup

from .conftest import APPLICANT, pdf

pytestmark = pytest.mark.django_db


def test_reuse_indicators_from_the_recorded_facts(api, make_user, citizen, org, staff, online_procedure, population):
    tokhai = online_procedure.components.get(name="Tờ khai")
    cccd = online_procedure.components.get(name="Bản sao CCCD")
    cccd.held_in = "population"
    cccd.save()
    extract = online_procedure.components.create(order=3, name="Giấy khai sinh", kind="copy", held_in="reused",
                                                 required=False)

    def submit(files, lookup=None):
        return submit_application(citizen=citizen, procedure=online_procedure, agency=org.commune,
                                  applicant=dict(APPLICANT), return_method="online",
                                  files={tokhai.pk: pdf(), **files}, population_lookup=lookup)

    # 1. Typed by hand, every paper uploaded: no reuse.
    plain = submit({cccd.pk: pdf("cccd.pdf"), extract.pk: pdf("ks.pdf")})
    # 2. With consent: the identity paper comes from the population database.
    found = consult_population(citizen=citizen, id_number="056090001234", consent=True, purpose="test")
    from_population = submit({extract.pk: pdf("ks.pdf")}, lookup=usable_lookup(citizen, found.pk))
    # 3. The birth extract scanned for dossier 1 is reused; the identity paper uploaded.
    reused = submit({cccd.pk: pdf("cccd.pdf")})
    assert DossierComponent.objects.get(dossier=from_population, component=cccd).data_source == "population"
    assert DossierComponent.objects.get(dossier=reused, component=extract).data_source == "reused"
    assert set(plain.components.values_list("data_source", flat=True)) == {""}
    for dossier in (plain, from_population, reused):
        dossier_services.receive(dossier, actor=staff.desk)

    manager = make_user("quanly_xa_reuse", roles=[(org.commune, Role.MANAGER)])
    today = timezone.localdate()
    period = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    body = api.as_user(manager).get("/api/v1/reports/index-766/", period).json()
    items = {i["code"]: i for i in body["indicators"]}
    assert (items["4.5b"]["numerator"], items["4.5b"]["denominator"], items["4.5b"]["rate"]) == (1, 3, 33.3)
    assert (items["4.3"]["numerator"], items["4.3"]["denominator"], items["4.3"]["rate"]) == (1, 3, 33.3)
    assert (items["4.4"]["numerator"], items["4.4"]["rate"], items["4.4"]["points"]) == (0, 0.0, 0.0)
    assert items["4.5b"]["points"] == round(2 * 1 / 3, 2)
