"""Data the state holds, on the online submission (Decree 309/2026): the person record prefills the applicant
from each source (population database with consent, VNeID claims, profile, previous dossier); components
the population database or an earlier dossier holds are taken from there instead of uploaded, recorded per
component (`data_source`); the population service down or slow never blocks the citizen."""

import datetime

import pytest
from django.utils import timezone

from dossiers.models import Dossier, DossierComponent
from organisation.errors import ValidationFailed
from population.models import LookupOutcome, PopulationLookup
from population.records import person_record
from population.services import consult_population, usable_lookup
from population.standin import StandInPopulation

from .conftest import login, pdf

pytestmark = pytest.mark.django_db

AN = "056090001234"  # the stand-in's demo person with a household


@pytest.fixture
def birth(online_procedure):
    """The birth registration with an identity paper the population database holds and a birth extract held in
    digitised records."""
    online_procedure.components.filter(name="Bản sao CCCD").update(held_in="population", required=True)
    online_procedure.components.create(order=3, name="Bản sao Giấy khai sinh của cha", kind="copy", held_in="reused",
                                       required=False)
    return online_procedure


def _page(browser, procedure, query=""):
    return browser.get(f"/cong-dan/nop-ho-so/{procedure.code}/{query}")


def _form(org, **extra):
    data = {"agency": org.commune.pk, "full_name": "Nguyễn Văn An", "id_number": AN, "phone": "0912345678",
            "email": "an@example.vn", "address": "Thôn 1", "summary": "", "return_method": "online",
            "action": "submit"}
    data.update(extra)
    return data


# --- the record, source by source -------------------------------------------------------------------


def test_record_from_the_profile(make_citizen):
    citizen = make_citizen(id_number="079123456789", date_of_birth=datetime.date(1990, 5, 12))
    record = person_record(citizen)
    assert (record["full_name"], record["id_number"], record["birth_date"]) == ("Nguyễn Văn An", "079123456789",
                                                                                "1990-05-12")
    assert record["sources"]["phone"] == "profile" and record["household"] == []


def test_record_of_an_account_without_a_profile(make_user):
    user = make_user(first_name="An", last_name="Nguyễn Văn", email="an@example.vn")
    record = person_record(user)
    assert (record["full_name"], record["email"]) == ("Nguyễn Văn An", "an@example.vn")


def test_record_from_the_previous_dossier_when_the_profile_is_empty(make_citizen, online_dossier):
    citizen = make_citizen(id_number="", email="", address="")
    online_dossier(citizen, applicant={"full_name": "Nguyễn Văn An", "id_number": "079123456789",
                                       "phone": "0912345678", "email": "lan-truoc@example.vn",
                                       "address": "Số 5 đường Lê Lợi"})
    record = person_record(citizen)
    assert (record["id_number"], record["email"], record["address"]) == ("079123456789", "lan-truoc@example.vn",
                                                                         "Số 5 đường Lê Lợi")
    assert {record["sources"][k] for k in ("id_number", "email", "address")} == {"previous_dossier"}


def test_record_from_vneid_claims_kept_at_log_in(db):
    from citizens.oidc import sync_user_from_claims

    user = sync_user_from_claims({"sub": "vneid-1", "name": "Lê Hoàng Nam", "citizen_id": "056088007890",
                                  "birthdate": "1988-07-21", "gender": "male", "access_token": "secret"})
    assert "access_token" not in user.citizen_profile.identity_claims
    record = person_record(user)
    assert (record["id_number"], record["gender"], record["sources"]["gender"]) == ("056088007890", "male", "vneid")


def test_record_from_the_population_database_with_consent(make_citizen, population):
    citizen = make_citizen(id_number=AN, full_name="An")
    lookup = consult_population(citizen=citizen, id_number=AN, consent=True, purpose="Đăng ký khai sinh")
    record = person_record(citizen, lookup=lookup)
    assert record["full_name"] == "Nguyễn Văn An" and record["sources"]["full_name"] == "population"
    assert record["birth_date"] == "1990-05-12" and record["gender"] == "male"
    assert [m["relation"] for m in record["household"]] == ["Chủ hộ", "Vợ", "Con"]
    assert record["phone"] == "0912345678"  # the population database holds no phone: the profile's
    # Another citizen cannot use that look-up.
    assert person_record(make_citizen(), lookup=lookup)["household"] == []


# --- consent -----------------------------------------------------------------------------------------


def test_no_consent_no_look_up(make_citizen, population):
    citizen = make_citizen()
    with pytest.raises(ValidationFailed) as err:
        consult_population(citizen=citizen, id_number=AN, consent=False, purpose="x")
    assert "consent" in err.value.fields
    assert population.calls == [] and not PopulationLookup.objects.exists()


def test_every_use_is_recorded_whatever_the_outcome(make_citizen, population):
    citizen = make_citizen()
    found = consult_population(citizen=citizen, id_number=AN, consent=True, purpose="Đăng ký khai sinh")
    missing = consult_population(citizen=citizen, id_number="000000000001", consent=True, purpose="x")
    population.configure(down=True)
    down = consult_population(citizen=citizen, id_number=AN, consent=True, purpose="x")
    assert [found.outcome, missing.outcome, down.outcome] == ["found", "not_found", "unavailable"]
    assert all(lookup.consented_at for lookup in (found, missing, down))
    assert population.calls[0]["purpose"] == "Đăng ký khai sinh"
    assert usable_lookup(citizen, found.pk) == found and usable_lookup(citizen, down.pk) is None
    later = timezone.now() + datetime.timedelta(hours=3)
    assert usable_lookup(citizen, found.pk, now=later) is None


def test_consent_page_step_prefills_and_takes_the_identity_paper_from_the_database(citizen, org, birth, population):
    browser = login(citizen)
    html = _page(browser, birth).content.decode()
    assert "Lấy thông tin từ Cơ sở dữ liệu dân cư" in html
    # Without the tick: a message next to the consent box, nothing looked up.
    response = browser.post(f"/cong-dan/nop-ho-so/{birth.code}/", _form(org, action="population"))
    assert response.status_code == 400 and population.calls == []
    assert "Vui lòng đồng ý" in response.content.decode()
    response = browser.post(f"/cong-dan/nop-ho-so/{birth.code}/",
                            _form(org, action="population", population_consent="on", full_name="An"))
    assert response.status_code == 302 and "dan_cu=" in response["Location"]
    html = browser.get(response["Location"]).content.decode()
    assert "Trần Thị Hoa (Vợ)" in html and 'value="Nguyễn Văn An"' in html
    assert "Lấy từ Cơ sở dữ liệu quốc gia về dân cư, không cần tải lên." in html
    lookup = PopulationLookup.objects.get()
    tokhai = birth.components.get(name="Tờ khai")
    response = browser.post(f"/cong-dan/nop-ho-so/{birth.code}/",
                            _form(org, population_lookup=lookup.pk, **{f"file_{tokhai.pk}": pdf()}))
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get(citizen=citizen)
    sources = dict(DossierComponent.objects.filter(dossier=dossier).values_list("name", "data_source"))
    assert sources == {"Tờ khai": "", "Bản sao CCCD": "population"}
    lookup.refresh_from_db()
    assert lookup.dossier == dossier
    # The look-up served that dossier: it does not fill a second one.
    assert usable_lookup(citizen, lookup.pk) is None


def test_someone_elses_look_up_is_ignored(citizen, other_citizen, org, birth, population):
    theirs = consult_population(citizen=other_citizen, id_number=AN, consent=True, purpose="x")
    tokhai = birth.components.get(name="Tờ khai")
    response = login(citizen).post(f"/cong-dan/nop-ho-so/{birth.code}/",
                                   _form(org, population_lookup=theirs.pk, **{f"file_{tokhai.pk}": pdf()}))
    assert response.status_code == 400  # the identity paper is required and was not taken from the database
    assert not Dossier.objects.exists()


def test_earlier_scan_is_reused_and_recorded(citizen, org, birth, population, online_dossier):
    first = online_dossier(citizen)
    extract = birth.components.get(name="Bản sao Giấy khai sinh của cha")
    DossierComponent.objects.create(dossier=first, component=extract, name=extract.name, kind="copy",
                                    file="dossiers/2026/11/khai-sinh-cha.pdf", original_filename="khai-sinh-cha.pdf")
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save("dossiers/2026/11/khai-sinh-cha.pdf", ContentFile(pdf().read()))
    browser = login(citizen)
    html = _page(browser, birth).content.decode()
    assert f"Dùng lại bản đã số hóa trong hồ sơ {first.reference}" in html
    tokhai, cccd = birth.components.get(name="Tờ khai"), birth.components.get(name="Bản sao CCCD")
    response = browser.post(f"/cong-dan/nop-ho-so/{birth.code}/",
                            _form(org, **{f"file_{tokhai.pk}": pdf(), f"file_{cccd.pk}": pdf("cccd.pdf")}))
    assert response.status_code == 302
    dossier = Dossier.objects.filter(citizen=citizen).latest("id")
    reused = DossierComponent.objects.get(dossier=dossier, component=extract)
    assert reused.data_source == "reused" and reused.file and reused.file.name != "dossiers/2026/11/khai-sinh-cha.pdf"


# --- down or slow: fill by hand, told why, nothing blocks ---------------------------------------------


def _down_then_by_hand(citizen, org, birth):
    browser = login(citizen)
    response = browser.post(f"/cong-dan/nop-ho-so/{birth.code}/",
                            _form(org, action="population", population_consent="on", summary="Khai sinh cho con"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "hiện không phản hồi" in html and "Khai sinh cho con" in html  # told why; what was typed is kept
    assert PopulationLookup.objects.get().outcome == LookupOutcome.UNAVAILABLE
    tokhai, cccd = birth.components.get(name="Tờ khai"), birth.components.get(name="Bản sao CCCD")
    response = browser.post(f"/cong-dan/nop-ho-so/{birth.code}/",
                            _form(org, **{f"file_{tokhai.pk}": pdf(), f"file_{cccd.pk}": pdf("cccd.pdf")}))
    assert response.status_code == 302
    dossier = Dossier.objects.get(citizen=citizen)
    assert set(dossier.components.values_list("data_source", flat=True)) == {""}


def test_population_service_stopped(citizen, org, birth, settings):
    server = StandInPopulation(settings.POPULATION_API_TOKEN).start()
    settings.POPULATION_SERVICE_URL = server.url
    server.stop()
    _down_then_by_hand(citizen, org, birth)


def test_population_service_slow(citizen, org, birth, population, settings):
    settings.POPULATION_TIMEOUT = 0.3
    population.configure(slow=2)
    _down_then_by_hand(citizen, org, birth)
