"""Online payment against the stand-in gateway: the bill from the catalogue, the citizen sent to pay and
back, the confirmation verified before anything changes, forged and replayed confirmations refused and
logged, duplicates and late ones harmless, the gateway down or slow, reconciliation, the desk's cash."""

import logging
from urllib.parse import urlsplit

import pytest

from dossiers import services as dossier_services
from dossiers.models import Dossier, Status
from payments import services
from payments.gateway import config
from payments.models import Confirmation, FeeExemption, Outcome, Payment, PaymentStatus
from payments.tasks import reconcile_payments

PASSWORD = "Mot-Cua-2026!"


@pytest.fixture
def awaiting(processing_dossier, staff):
    """A dossier asked for its fee from the catalogue (15.000 + 8.000 đồng): status 6."""
    d = processing_dossier()
    return services.request_fee(d, actor=staff.officer)


@pytest.fixture
def citizen_client(client, citizen):
    client.login(username=citizen.username, password=PASSWORD)
    return client


def start(client, dossier):
    """The citizen presses "pay online": the URL of the gateway's page, and the payment."""
    response = client.post(f"/thanh-toan/ho-so/{dossier.reference}/thanh-toan-truc-tuyen/")
    assert response.status_code == 302, response.content
    return response["Location"], Payment.objects.filter(dossier=dossier).latest("id")


def back(client, confirmation):
    """The browser comes back from the gateway with the confirmation in the query string."""
    return client.get("/thanh-toan/ket-qua/", confirmation)


def resign(values):
    cfg = config()
    values = {k: v for k, v in values.items() if k != "checksum"}
    values["checksum"] = cfg.sign_confirmation(values)
    return values


def test_bill_from_catalogue_lines_and_exemption(processing_dossier, staff):
    d = services.request_fee(processing_dossier(), actor=staff.officer)
    assert d.status == Status.PAYMENT_REQUESTED and d.fee_amount == 23000
    assert [(line.name, line.due) for line in d.bill.lines.all()] == [
        ("Lệ phí cải chính hộ tịch", 15000), ("Phí cấp bản sao trích lục", 8000)]
    elder = FeeExemption.objects.get(name="Người cao tuổi")
    d2 = services.request_fee(processing_dossier(), actor=staff.officer, exemption_id=elder.pk)
    assert d2.fee_amount == 11500 and d2.bill.exemption_name == "Người cao tuổi"
    # Fully exempt: nothing to pay, nothing changes.
    poor = FeeExemption.objects.get(name="Hộ nghèo")
    d3 = processing_dossier()
    with pytest.raises(services.ValidationFailed):
        services.request_fee(d3, actor=staff.officer, exemption_id=poor.pk)
    assert Dossier.objects.get(pk=d3.pk).status == Status.PROCESSING


def test_paid_end_to_end_against_the_stand_in(gateway, awaiting, citizen_client):
    page = citizen_client.get(f"/thanh-toan/ho-so/{awaiting.reference}/")
    assert "23.000" in page.content.decode() and "Thanh toán trực tuyến" in page.content.decode()
    gateway.send_callbacks = False  # the test client serves no port; the return carries the confirmation
    url, payment = start(citizen_client, awaiting)
    assert url == f"{gateway.url}/pay/{payment.transaction_id}"
    assert payment.status == PaymentStatus.PENDING and payment.amount == 23000
    # The request reached the gateway signed and with the bill.
    sent = gateway.transactions[payment.transaction_id]
    assert sent["trans_amount"] == 23000 and sent["dossier_code"] == awaiting.code and len(sent["lines"]) == 2

    confirmation = gateway.pay(payment.transaction_id)
    response = back(citizen_client, confirmation)
    assert response.status_code == 302 and response["Location"] == f"/thanh-toan/ho-so/{awaiting.code}/"
    d = Dossier.objects.get(pk=awaiting.pk)
    assert d.status == Status.PROCESSING and d.paid_at is not None
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.credited and not payment.needs_refund
    assert payment.receipt_number == confirmation["receipt_no"]
    event = d.events.get(action="confirm-payment")
    assert event.from_status == 6 and event.to_status == 4 and payment.receipt_number in event.note
    receipt = citizen_client.get(f"/thanh-toan/bien-lai/{payment.transaction_id}/")
    assert receipt.status_code == 200 and payment.receipt_number in receipt.content.decode()
    assert "23.000" in citizen_client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()

    # The same confirmation again (callback after the return, a reload): harmless.
    version = d.version
    again = citizen_client.post("/thanh-toan/callback/", confirmation, content_type="application/json")
    assert again.status_code == 200 and again.json()["message"] == Outcome.DUPLICATE
    back(citizen_client, confirmation)
    assert Dossier.objects.get(pk=d.pk).version == version
    assert Payment.objects.filter(dossier=d, status="paid").count() == 1
    assert list(Confirmation.objects.order_by("id").values_list("outcome", flat=True)) == [
        "accepted", "duplicate", "duplicate"]


def test_callback_reaches_the_portal(gateway, awaiting, citizen, live_server, client, settings):
    """The stand-in's server-to-server callback, over HTTP, settles the dossier without the browser."""
    client.login(username=citizen.username, password=PASSWORD)
    response = client.post(f"/thanh-toan/ho-so/{awaiting.reference}/thanh-toan-truc-tuyen/",
                           SERVER_NAME=urlsplit(live_server.url).hostname, SERVER_PORT=urlsplit(live_server.url).port)
    payment = Payment.objects.get(dossier=awaiting)
    assert gateway.transactions[payment.transaction_id]["callback_url"].startswith(live_server.url)
    gateway.pay(payment.transaction_id)
    assert gateway.callbacks[-1]["status"] == 200, gateway.callbacks
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PROCESSING
    assert response.status_code == 302


def _refused(caplog, dossier, reason):
    d = Dossier.objects.get(pk=dossier.pk)
    assert d.status == Status.PAYMENT_REQUESTED and d.version == dossier.version and d.paid_at is None
    assert not Payment.objects.filter(dossier=dossier, status="paid").exists()
    logged = Confirmation.objects.latest("id")
    assert logged.outcome == Outcome.REFUSED and logged.reason == reason
    assert any(reason in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.parametrize("how", ["return", "callback"])
def test_forged_signature_refused(gateway, awaiting, citizen_client, caplog, how):
    gateway.send_callbacks = False
    _url, payment = start(citizen_client, awaiting)
    forged = dict(gateway.pay(payment.transaction_id))
    forged["checksum"] = "0" * 64
    if how == "return":
        response = back(citizen_client, forged)
        assert response.status_code == 302
    else:
        response = citizen_client.post("/thanh-toan/callback/", forged, content_type="application/json")
        assert response.status_code == 400 and response.json()["result_code"] == "97"
    _refused(caplog, awaiting, "bad_signature")
    # A confirmation signed with the request key (the wrong one) is as forged.
    cfg = config()
    wrong = {k: v for k, v in forged.items() if k != "checksum"}
    from payments import checksum

    wrong["checksum"] = checksum.compute(wrong, cfg.confirm_fields, cfg.request_key, cfg.algorithm)
    citizen_client.post("/thanh-toan/callback/", wrong, content_type="application/json")
    _refused(caplog, awaiting, "bad_signature")


def test_wrong_amount_refused(gateway, awaiting, citizen_client, caplog):
    gateway.send_callbacks = False
    _url, payment = start(citizen_client, awaiting)
    confirmation = gateway.pay(payment.transaction_id)
    back(citizen_client, resign({**confirmation, "trans_amount": "2300"}))
    _refused(caplog, awaiting, "wrong_amount")
    # Unsigned tampering with the amount is a bad signature.
    back(citizen_client, {**confirmation, "trans_amount": "1"})
    _refused(caplog, awaiting, "bad_signature")


def test_other_dossier_refused(gateway, awaiting, processing_dossier, staff, citizen_client, caplog):
    gateway.send_callbacks = False
    other = services.request_fee(processing_dossier(), actor=staff.officer)
    _url, payment = start(citizen_client, awaiting)
    confirmation = gateway.pay(payment.transaction_id)
    back(citizen_client, resign({**confirmation, "dossier_code": other.code}))
    _refused(caplog, awaiting, "other_dossier")
    assert Dossier.objects.get(pk=other.pk).status == Status.PAYMENT_REQUESTED


def test_replayed_gateway_transaction_refused(gateway, awaiting, processing_dossier, staff, citizen_client, caplog):
    """A gateway transaction that paid one dossier cannot pay another, even signed."""
    gateway.send_callbacks = False
    _url, first = start(citizen_client, awaiting)
    paid = gateway.pay(first.transaction_id)
    back(citizen_client, paid)
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PROCESSING

    other = services.request_fee(processing_dossier(), actor=staff.officer)
    _url, second = start(citizen_client, other)
    replay = resign({**paid, "transaction_id": second.transaction_id, "dossier_code": other.code})
    back(citizen_client, replay)
    _refused(caplog, other, "transaction_reused")
    second.refresh_from_db()
    assert second.status == PaymentStatus.PENDING


def test_unknown_transaction_refused(gateway, awaiting, citizen_client, caplog):
    back(citizen_client, resign({"client_id": config().client_id, "transaction_id": "MC-NOPE", "result_code": "00",
                                 "trans_amount": "23000", "dossier_code": awaiting.code,
                                 "gateway_transaction_id": "GW1"}))
    _refused(caplog, awaiting, "unknown_transaction")


def test_cancelled_at_the_gateway_then_paid_on_retry(gateway, awaiting, citizen_client):
    gateway.send_callbacks = False
    _url, first = start(citizen_client, awaiting)
    response = back(citizen_client, gateway.pay(first.transaction_id, success=False))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == PaymentStatus.CANCELLED
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PAYMENT_REQUESTED
    _url, second = start(citizen_client, awaiting)
    back(citizen_client, gateway.pay(second.transaction_id))
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PROCESSING


def test_second_payment_after_the_first_is_flagged_for_refund(gateway, awaiting, citizen_client):
    """Two tabs: both attempts paid at the gateway; the dossier is paid once, the second is to refund."""
    gateway.send_callbacks = False
    _url, first = start(citizen_client, awaiting)
    _url, second = start(citizen_client, awaiting)
    back(citizen_client, gateway.pay(first.transaction_id))
    back(citizen_client, gateway.pay(second.transaction_id))
    second.refresh_from_db()
    assert second.status == PaymentStatus.PAID and second.needs_refund and not second.credited
    assert Confirmation.objects.latest("id").outcome == Outcome.LATE
    assert Payment.objects.filter(dossier=awaiting, credited=True).count() == 1


def test_gateway_down_or_slow_citizen_told_and_can_retry(gateway, awaiting, citizen_client, settings):
    gateway.down = True
    response = citizen_client.post(f"/thanh-toan/ho-so/{awaiting.reference}/thanh-toan-truc-tuyen/", follow=True)
    assert "Cổng thanh toán hiện không phản hồi" in response.content.decode()
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PAYMENT_REQUESTED
    assert Payment.objects.get(dossier=awaiting).status == PaymentStatus.FAILED

    gateway.down = False
    settings.PAYMENT_GATEWAYS[settings.PAYMENT_GATEWAY]["timeout"] = 0.3
    gateway.delay = 1.0
    response = citizen_client.post(f"/thanh-toan/ho-so/{awaiting.reference}/thanh-toan-truc-tuyen/", follow=True)
    assert "Cổng thanh toán hiện không phản hồi" in response.content.decode()
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PAYMENT_REQUESTED

    gateway.delay = 0
    settings.PAYMENT_GATEWAYS[settings.PAYMENT_GATEWAY]["timeout"] = 2
    gateway.send_callbacks = False
    _url, payment = start(citizen_client, awaiting)
    back(citizen_client, gateway.pay(payment.transaction_id))
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PROCESSING


def test_reconciliation_settles_a_payment_whose_answers_were_lost(gateway, awaiting, citizen_client):
    gateway.send_callbacks = False
    _url, paid = start(citizen_client, awaiting)
    gateway.pay(paid.transaction_id)  # paid at the gateway; the citizen closed the tab, no callback came
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PAYMENT_REQUESTED
    gateway.down = True
    assert services.reconcile_pending(older_than_minutes=0)["unavailable"] == 1
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PAYMENT_REQUESTED
    gateway.down = False
    counts = reconcile_payments.run()
    assert counts["checked"] == 0  # not yet old enough for the scheduled run
    counts = services.reconcile_pending(older_than_minutes=0)
    assert counts["accepted"] == 1
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PROCESSING
    assert Confirmation.objects.latest("id").source == "query"


def test_desk_records_cash_or_bank_transfer(awaiting, processing_dossier, staff, client):
    client.force_login(staff.desk)
    response = client.post(f"/thanh-toan/quay/{awaiting.code}/ghi-nhan/", {"method": "bank_transfer"}, follow=True)
    assert "số chứng từ" in response.content.decode()
    assert Dossier.objects.get(pk=awaiting.pk).status == Status.PAYMENT_REQUESTED
    client.post(f"/thanh-toan/quay/{awaiting.code}/ghi-nhan/", {"method": "bank_transfer", "reference": "UNC 123"})
    d = Dossier.objects.get(pk=awaiting.pk)
    assert d.status == Status.PROCESSING
    payment = Payment.objects.get(dossier=d)
    assert payment.method == "bank_transfer" and payment.credited and payment.receipt_number
    # A citizen cannot record a payment.
    other = services.request_fee(processing_dossier(), actor=staff.officer)
    with pytest.raises(services.DomainError):
        services.record_offline_payment(other, actor=other.citizen, method="cash")
    assert Dossier.objects.get(pk=other.pk).status == Status.PAYMENT_REQUESTED


def test_online_confirmation_after_cash_is_late_and_harmless(gateway, awaiting, citizen_client, staff):
    gateway.send_callbacks = False
    _url, payment = start(citizen_client, awaiting)
    services.record_offline_payment(awaiting, actor=staff.desk, method="cash")
    d = Dossier.objects.get(pk=awaiting.pk)
    back(citizen_client, gateway.pay(payment.transaction_id))
    payment.refresh_from_db()
    assert payment.needs_refund and not payment.credited
    assert Dossier.objects.get(pk=d.pk).version == d.version


def test_desk_requests_fee_from_the_catalogue_page(processing_dossier, staff, client):
    d = processing_dossier()
    client.force_login(staff.officer)
    page = client.get(f"/ho-so/{d.code}/")
    assert "Yêu cầu nộp phí theo biểu phí" in page.content.decode()
    elder = FeeExemption.objects.get(name="Người cao tuổi")
    client.post(f"/thanh-toan/quay/{d.code}/yeu-cau/", {"exemption": elder.pk, "version": d.version})
    assert Dossier.objects.get(pk=d.pk).fee_amount == 11500


def test_other_citizen_cannot_pay_or_see(gateway, awaiting, make_user, client):
    other = make_user("0987654321", password=PASSWORD)
    client.force_login(other)
    assert client.get(f"/thanh-toan/ho-so/{awaiting.code}/").status_code == 404
    assert client.post(f"/thanh-toan/ho-so/{awaiting.code}/thanh-toan-truc-tuyen/").status_code == 404
    assert not Payment.objects.exists()


def test_generic_fee_request_gets_a_one_line_bill(gateway, processing_dossier, staff, citizen_client):
    d = dossier_services.request_payment(processing_dossier(), actor=staff.officer, amount=12000)
    gateway.send_callbacks = False
    _url, payment = start(citizen_client, d)
    assert payment.amount == 12000
    back(citizen_client, gateway.pay(payment.transaction_id))
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING
