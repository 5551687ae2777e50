"""The three outcomes of the counter check (domain.md §3) are recorded: received (form 01), supplement
requested listing everything missing (form 02), refused with reasons (form 03).

A dossier sent away to be completed or refused still gets its code, its line in the register and its
trail; it is not received: no appointment until the complete dossier comes back, which receives it.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.deadlines import sweep
from dossiers.models import Dossier, Status, SupplementRequest, TimelineEvent
from dossiers.views import register_rows
from notices.models import Notice
from organisation.errors import ConcurrentChange, NotAllowed, ValidationFailed

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = "2026-11-23 09:00 +0700"
URL = "/api/v1/dossiers/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def incomplete(staff, procedure, **extra):
    return services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), outcome="supplement",
                           items="Giấy khai sinh (bản sao)\nẢnh 4x6", reason="Thiếu giấy tờ",
                           components=[{"name": "Tờ khai", "kind": "original"}], **extra)


@time_machine.travel(MONDAY_9, tick=False)
def test_an_incomplete_dossier_is_recorded_with_a_supplement_round_and_no_clock(staff, org, procedure):
    d = incomplete(staff, procedure)

    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert d.code == "000.01.01.H99-261123-0001"
    assert d.received_at is None and d.appointment_at is None and d.due_soon_at is None
    assert d.submitted_at == datetime(2026, 11, 23, 9, 0, tzinfo=VN) and d.received_by == staff.desk
    assert not d.steps.exists()
    assert d.supplement_count == 1
    sr = SupplementRequest.objects.get(dossier=d)
    assert (sr.round, sr.items, sr.reason, sr.requested_by, sr.resume_status) == (
        1, "Giấy khai sinh (bản sao)\nẢnh 4x6", "Thiếu giấy tờ", staff.desk, Status.RECEIVED)
    assert d.components.get().supplement_round == 0
    assert list(d.events.values_list("action", "from_status", "to_status")) == [("request-supplement", None, 5)]
    sms = Notice.objects.get(dossier=d, event="supplement_requested", channel="sms")
    assert d.code in sms.body and "Giấy khai sinh (bản sao); Ảnh 4x6" in sms.body
    assert not Notice.objects.filter(dossier=d, event="received").exists()
    # In the register of the day it came in, though not received.
    assert list(register_rows(org.commune, date(2026, 11, 23), date(2026, 11, 23))) == [d]
    # No deadline runs while the applicant completes it.
    assert sweep().as_dict()["notices"] == 0


def test_the_complete_dossier_is_received_when_it_comes_back(staff, org, procedure):
    with time_machine.travel(MONDAY_9, tick=False):
        d = incomplete(staff, procedure)
    with time_machine.travel("2026-11-25 10:00 +0700", tick=False):
        d = services.supplement_received(d, actor=staff.desk, components=[
            {"name": "Giấy khai sinh (bản sao)", "kind": "copy"}, {"name": "Ảnh 4x6", "kind": "original"}])

    assert d.status == Status.RECEIVED
    assert d.code == "000.01.01.H99-261123-0001"  # the code it got at the first visit
    assert d.received_at == datetime(2026, 11, 25, 10, 0, tzinfo=VN) and d.received_by == staff.desk
    # The clock starts now: 3 working days from Wednesday 10:00.
    assert d.appointment_at == d.original_appointment_at == datetime(2026, 11, 30, 10, 0, tzinfo=VN)
    assert d.supplement_wait_seconds == 0  # it never ran, nothing to subtract
    steps = list(d.steps.order_by("order"))
    assert len(steps) == 3 and steps[0].started_at == d.received_at and steps[1].started_at is None
    # Everything received is the dossier as received: the receipt (form 01) lists it all.
    assert sorted(d.components.values_list("name", "supplement_round")) == [
        ("Giấy khai sinh (bản sao)", 0), ("Tờ khai", 0), ("Ảnh 4x6", 0)]
    assert SupplementRequest.objects.get(dossier=d).replied_at == d.received_at
    assert list(d.events.values_list("action", "from_status", "to_status")) == [
        ("request-supplement", None, 5), ("supplement", 5, 2)]
    assert Notice.objects.filter(dossier=d, event="received", channel="sms").count() == 1

    with time_machine.travel("2026-11-25 10:30 +0700", tick=False):
        d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    assert d.status == Status.PROCESSING


@time_machine.travel(MONDAY_9, tick=False)
def test_only_the_desk_receives_the_completed_dossier(staff, procedure):
    d = incomplete(staff, procedure)
    for actor in (staff.officer, staff.head):
        with pytest.raises(NotAllowed):
            services.supplement_received(d, actor=actor, components=[{"name": "Ảnh 4x6"}])
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.received_at is None and d.version == 0
    assert SupplementRequest.objects.get(dossier=d).replied_at is None


@time_machine.travel(MONDAY_9, tick=False)
def test_a_dossier_in_processing_still_resumes_processing(staff, make_dossier):
    d = make_dossier(5)
    assert SupplementRequest.objects.get(dossier=d).resume_status == Status.PROCESSING
    d = services.supplement_received(d, actor=staff.officer, components=[{"name": "Bản sao CCCD"}])
    assert d.status == Status.PROCESSING and d.components.get().supplement_round == 1


@time_machine.travel(MONDAY_9, tick=False)
def test_a_refused_dossier_is_recorded_with_its_reasons(staff, org, procedure):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), outcome="refuse",
                        reason="Thủ tục không thuộc thẩm quyền của xã")

    assert d.status == Status.REFUSED and d.code == "000.01.01.H99-261123-0001"
    assert d.reason == "Thủ tục không thuộc thẩm quyền của xã"
    assert d.received_at is None and d.appointment_at is None and not d.steps.exists()
    assert d.finished_at == datetime(2026, 11, 23, 9, 0, tzinfo=VN) and d.verdict is None and not d.is_late
    event = d.events.get()
    assert (event.action, event.from_status, event.to_status, event.note) == (
        "refuse", None, 3, "Thủ tục không thuộc thẩm quyền của xã")
    assert "không thuộc thẩm quyền" in Notice.objects.get(dossier=d, event="refused", channel="sms").body
    assert list(register_rows(org.commune, date(2026, 11, 23), date(2026, 11, 23))) == [d]
    assert services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT)).code.endswith("-0002")


@pytest.mark.parametrize("kwargs,field", [
    ({"outcome": "supplement", "items": " \n "}, "items"),
    ({"outcome": "supplement", "items": []}, "items"),
    ({"outcome": "refuse", "reason": "  "}, "reason"),
    ({"outcome": "later"}, "outcome"),
])
def test_each_outcome_needs_its_words_and_a_failure_leaves_nothing(staff, procedure, kwargs, field):
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), **kwargs)
    assert list(info.value.fields) == [field]
    assert not Dossier.objects.exists() and not TimelineEvent.objects.exists() and not Notice.objects.exists()


def test_only_a_desk_officer_records_an_outcome(staff, procedure):
    for outcome, words in (("supplement", {"items": "Ảnh"}), ("refuse", {"reason": "Không đủ điều kiện"})):
        with pytest.raises(NotAllowed):
            services.intake(actor=staff.officer, procedure=procedure, applicant=dict(APPLICANT), outcome=outcome,
                            **words)
    assert not Dossier.objects.exists()


@time_machine.travel(MONDAY_9, tick=False)
def test_the_outcome_is_part_of_the_idempotent_body(staff, procedure):
    first = incomplete(staff, procedure, idempotency_key="k1")
    assert incomplete(staff, procedure, idempotency_key="k1").pk == first.pk
    with pytest.raises(ConcurrentChange):
        services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), outcome="refuse",
                        reason="Khác", components=[{"name": "Tờ khai", "kind": "original"}], idempotency_key="k1")
    assert Dossier.objects.count() == 1


# --- over the API ----------------------------------------------------------------------------------


@time_machine.travel(MONDAY_9, tick=False)
def test_api_intake_takes_the_outcome_and_prints_the_form(api, staff, procedure):
    client = api.as_user(staff.desk)
    body = {"procedure": procedure.code, "applicant": dict(APPLICANT), "outcome": "supplement",
            "items": ["Giấy khai sinh (bản sao)", "Ảnh 4x6"], "reason": "Thiếu"}
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == 5 and data["code"] and data["received_at"] is None and data["appointment_at"] is None
    assert data["supplements"][0]["items"] == "Giấy khai sinh (bản sao)\nẢnh 4x6"
    assert "supplement" in data["available_actions"]
    pdf = client.get(f"{URL}{data['code']}/documents/supplement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"{URL}{data['code']}/documents/receipt.pdf").status_code == 404

    refused = client.post(URL, {"procedure": procedure.code, "applicant": dict(APPLICANT), "outcome": "refuse",
                                "reason": "Không thuộc thẩm quyền"}, format="json")
    assert refused.status_code == 201 and refused.json()["status"] == 3
    pdf = client.get(f"{URL}{refused.json()['code']}/documents/refusal.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    missing = client.post(URL, {"procedure": procedure.code, "applicant": dict(APPLICANT), "outcome": "refuse"},
                          format="json")
    assert missing.status_code == 400 and missing.json()["fields"].keys() == {"reason"}
    wrong = client.post(URL, {"procedure": procedure.code, "applicant": dict(APPLICANT), "outcome": "maybe"},
                        format="json")
    assert wrong.status_code == 400 and "outcome" in wrong.json()["fields"]


def test_a_citizen_cannot_record_an_outcome(api, org, procedure, make_user):
    response = api.as_user(make_user()).post(URL, {
        "procedure": procedure.code, "agency": org.commune.code, "applicant": dict(APPLICANT), "outcome": "refuse",
        "reason": "x"}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["outcome"]
    assert not Dossier.objects.exists()


def test_the_schema_documents_the_outcome(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    schemas = schema["components"]["schemas"]
    intake = schemas["DossierIntakeRequest"]["properties"]
    outcome = intake["outcome"]
    refs = [part["$ref"] for part in [outcome, *outcome.get("allOf", [])] if "$ref" in part]
    enum = schemas[refs[0].rsplit("/", 1)[-1]]["enum"] if refs else outcome["enum"]
    assert enum == ["receive", "supplement", "refuse"]
    assert "form 02" in outcome["description"]
    assert {"items", "reason"} <= intake.keys()


# --- through the intake screen ---------------------------------------------------------------------


def screen_data(procedure, **overrides):
    data = {"full_name": "Trần Thị Bình", "id_type": "cccd", "id_number": "079123456780", "phone": "0912000111",
            "channel": "counter", "return_method": "desk", "idempotency_key": "screen-1"}
    first = procedure.components.order_by("order").first()
    data[f"comp_{first.pk}"] = "on"
    data.update(overrides)
    return data


@time_machine.travel(MONDAY_9, tick=False)
def test_the_screen_records_a_supplement_request_and_offers_form_02(client, staff, procedure):
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", screen_data(
        procedure, decision="supplement", missing_items="- Giấy khai sinh (bản sao)\n- Ảnh 4x6"))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.code
    assert response["Location"] == f"/ho-so/{d.code}/?vua-tiep-nhan=1"
    html = client.get(response["Location"]).content.decode()
    assert f'href="/ho-so/{d.code}/in/supplement.pdf"' in html and "mẫu 02" in html
    assert "/in/receipt.pdf" not in html
    pdf = client.get(f"/ho-so/{d.code}/in/supplement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # The applicant comes back with everything: the desk receives it from the dossier page.
    with time_machine.travel("2026-11-24 08:00 +0700", tick=False):
        page = client.post(f"/ho-so/{d.code}/thao-tac/supplement/",
                           {"version": 0, "received": ["- Giấy khai sinh (bản sao)", "- Ảnh 4x6"]})
        assert page.status_code == 302 and page["Location"] == f"/ho-so/{d.code}/?vua-tiep-nhan=1"
        d.refresh_from_db()
        assert d.status == Status.RECEIVED and d.received_at == datetime(2026, 11, 24, 8, 0, tzinfo=VN)
        assert "/in/receipt.pdf" in client.get(page["Location"]).content.decode()


@time_machine.travel(MONDAY_9, tick=False)
def test_the_screen_records_a_refusal_and_offers_form_03(client, staff, procedure):
    client.force_login(staff.desk)
    response = client.post(f"/ho-so/tiep-nhan/{procedure.code}/", screen_data(
        procedure, decision="refuse", refusal_reason="Không thuộc thẩm quyền giải quyết của xã"))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.REFUSED and d.reason == "Không thuộc thẩm quyền giải quyết của xã"
    html = client.get(response["Location"]).content.decode()
    assert f'href="/ho-so/{d.code}/in/refusal.pdf"' in html and "mẫu 03" in html
    pdf = client.get(f"/ho-so/{d.code}/in/refusal.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
