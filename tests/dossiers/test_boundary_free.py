"""Any desk of the province (phi địa giới, Decree 309/2026): a boundary-free procedure of the first commune
taken at the second commune's desk: the desk gives the code and the receipt, the dossier goes to the
competent agency whose receipt starts the clock, both desks see it, the applicant is told where it is."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.models import Dossier, Status
from dossiers.selectors import visible_dossiers
from notices.models import Notice
from organisation.errors import NotAllowed, ValidationFailed
from procedures.models import Performer, StepRole

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
STEPS = [("Tiếp nhận", Performer.RECEIVING, StepRole.DESK, 4), ("Thẩm định", Performer.RECEIVING, StepRole.PROCESSING, 12),
         ("Phê duyệt", Performer.RECEIVING, StepRole.HEAD, 8)]


@pytest.fixture
def free(make_procedure, org):
    """Performed by the first commune only, accepted at any desk of the province."""
    procedure = make_procedure("2.000815", name="Chứng thực bản sao", agency_levels="", boundary_free=True,
                               steps=STEPS)
    procedure.agencies.add(org.commune)
    return procedure


def _take(staff, free, **extra):
    return services.intake(actor=staff.desk2, procedure=free, applicant=dict(APPLICANT), **extra)


def test_taken_at_the_second_commune_for_the_competent_one(staff, org, free):
    with time_machine.travel(MONDAY_9, tick=False):
        d = _take(staff, free)
    assert (d.status, d.agency, d.current_agency, d.intake_agency) == (Status.SUBMITTED, org.commune, org.commune,
                                                                       org.commune2)
    assert d.code.startswith(org.commune2.code + "-261123-") and d.register_no == 1
    assert d.received_at is None and d.submitted_at == MONDAY_9 and d.received_by == staff.desk2
    step = d.steps.get()
    assert (step.order, step.agency, step.finished_by) == (0, org.commune2, staff.desk2)
    sms = Notice.objects.get(event="forwarded", channel="sms")
    assert org.commune2.name in sms.body and org.commune.name in sms.body and d.code in sms.body
    assert Notice.objects.filter(event="forwarded_in", user=staff.desk).exists()
    # Both desks see it; the second commune cannot receive it for the first.
    assert visible_dossiers(staff.desk).filter(pk=d.pk).exists()
    assert visible_dossiers(staff.desk2).filter(pk=d.pk).exists()
    with pytest.raises(NotAllowed):
        services.receive(d, actor=staff.desk2)

    # The competent agency receives it the next day: the clock starts then, the code stays.
    tuesday = MONDAY_9 + timedelta(days=1)
    with time_machine.travel(tuesday, tick=False):
        d = services.receive(d, actor=staff.desk)
    assert d.status == Status.RECEIVED and d.received_at == tuesday
    assert d.code.startswith(org.commune2.code) and d.register_no == 1
    assert d.appointment_at == datetime(2026, 11, 27, 9, 0, tzinfo=TZ)  # 3 working days from Tuesday 09:00
    assert [(s.order, s.agency_id) for s in d.steps.order_by("order")] == [
        (0, org.commune2.pk), (1, org.commune.pk), (2, org.commune.pk), (3, org.commune.pk)]
    received = Notice.objects.get(event="received", channel="sms")
    assert org.commune.name in received.body and "27/11/2026" in received.body
    assert visible_dossiers(staff.desk2).filter(pk=d.pk).exists()


def test_not_boundary_free_stays_refused(staff, free):
    free.boundary_free = False
    free.save()
    with pytest.raises(ValidationFailed) as err:
        _take(staff, free)
    assert err.value.code == "agency_not_performing" and not Dossier.objects.exists()


def test_the_competent_agency_is_chosen_when_several_perform_it(staff, org, free):
    free.agencies.add(org.province)
    with pytest.raises(ValidationFailed) as err:
        _take(staff, free)
    assert "competent_agency" in err.value.fields and not Dossier.objects.exists()
    d = _take(staff, free, competent_agency=org.province)
    assert d.agency == org.province


def test_an_agency_that_does_not_perform_it_is_refused(staff, org, free):
    with pytest.raises(ValidationFailed) as err:
        _take(staff, free, competent_agency=org.province)
    assert "competent_agency" in err.value.fields and not Dossier.objects.exists()


@pytest.mark.parametrize("extra,field", [({"outcome": "supplement", "items": "CCCD"}, "outcome"),
                                         ({"received_at": MONDAY_9 - timedelta(hours=1)}, "received_at")])
def test_only_a_receipt_now(staff, free, extra, field):
    with time_machine.travel(MONDAY_9, tick=False), pytest.raises(ValidationFailed) as err:
        _take(staff, free, **extra)
    assert field in err.value.fields and not Dossier.objects.exists()


def test_a_province_procedure_from_a_commune_desk(staff, org, make_procedure):
    procedure = make_procedure("2.000488", agency_levels="province", boundary_free=True, steps=STEPS)
    d = services.intake(actor=staff.desk2, procedure=procedure, applicant=dict(APPLICANT))
    assert (d.agency, d.intake_agency) == (org.province, org.commune2)


# --- API ---------------------------------------------------------------------------------------------


def test_api_intake_and_both_desks_read_it(api, staff, org, free):
    body = {"procedure": free.code, "applicant": APPLICANT}
    response = api.as_user(staff.desk2).post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    assert response.json()["status"] == 1
    assert api.as_user(staff.desk).get(f"/api/v1/dossiers/{code}/").status_code == 200
    assert api.as_user(staff.desk2).get(f"/api/v1/dossiers/{code}/").status_code == 200
    # The competent agency receives it through the API's action.
    response = api.as_user(staff.desk).post(f"/api/v1/dossiers/{code}/actions/receive/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == 2


def test_api_bad_competent_agency_is_a_400_naming_it(api, staff, org, free):
    for value, code in (("no-such-agency", "unknown_agency"), (org.province.code, "agency_not_performing")):
        response = api.as_user(staff.desk2).post(
            "/api/v1/dossiers/", {"procedure": free.code, "applicant": APPLICANT, "competent_agency": value},
            format="json")
        assert response.status_code == 400
        assert "competent_agency" in response.json()["fields"] and response.json()["code"] == code
    assert not Dossier.objects.exists()


# --- the desk's screens --------------------------------------------------------------------------------


def test_desk_page_intake(client, staff, org, free):
    client.force_login(staff.desk2)
    assert f"/ho-so/tiep-nhan/{free.code}/" in client.get("/ho-so/tiep-nhan/").content.decode()
    page = client.get(f"/ho-so/tiep-nhan/{free.code}/").content.decode()
    assert "Thủ tục phi địa giới" in page and 'name="competent_agency"' in page
    data = {"full_name": "Trần Thị Bình", "id_type": "cccd", "id_number": "079123456780", "phone": "0912000111",
            "channel": "counter", "return_method": "desk", "decision": "receive", "competent_agency": org.commune.pk,
            "idempotency_key": "k-free"}
    for component in free.components.all():
        data[f"comp_{component.pk}"] = "on"
    response = client.post(f"/ho-so/tiep-nhan/{free.code}/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    d = Dossier.objects.get()
    assert (d.agency, d.intake_agency, d.status) == (org.commune, org.commune2, Status.SUBMITTED)
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and d.code in detail.content.decode()
    # The competent desk sees it waiting to be received.
    client.force_login(staff.desk)
    assert d.code in client.get(f"/ho-so/{d.code}/").content.decode()
    # Bad input: a competent agency that does not perform it, named next to the field.
    client.force_login(staff.desk2)
    response = client.post(f"/ho-so/tiep-nhan/{free.code}/", {**data, "competent_agency": org.province.pk,
                                                                "idempotency_key": "k-free-2"})
    assert response.status_code == 400 and Dossier.objects.count() == 1


def test_the_receiving_desk_prints_the_receipt_at_once(client, staff, org, free):
    from tests.dossiers.test_documents import pdf_text

    d = _take(staff, free)
    client.force_login(staff.desk2)
    assert f"/ho-so/{d.code}/in/receipt.pdf" in client.get(f"/ho-so/{d.code}/").content.decode()
    response = client.get(f"/ho-so/{d.code}/in/receipt.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content).split())
    assert org.commune2.name.upper() in text and "dự kiến" in text and d.code in text
    assert f"chuyển đến {org.commune.name}" in text
