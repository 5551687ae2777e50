"""Done means: a paid, fully-online dossier from submission to the signed electronic result, against the
stand-ins: submitted online, received, fee asked from the catalogue and paid through the payment stand-in
(status 6 → 4 on the verified confirmation), decided with a result file that is signed (PAdES) and
downloaded verified by the citizen, and the paper result delivered by the postal stand-in, closing the
return (9 → 10)."""

import hashlib
import hmac

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services as dossier_services
from dossiers.models import Dossier, Status
from payments import services as payment_services
from payments.models import Payment
from postal.models import PostalOrder
from signing import signer
from tests.payments.conftest import APPLICANT, citizen, fee_procedure, gateway  # noqa: F401
from tests.postal.conftest import post  # noqa: F401
from tests.signing.conftest import demo_pki, signing_on  # noqa: F401

PASSWORD = "Mot-Cua-2026!"


def test_paid_fully_online_dossier_to_the_signed_result_delivered_by_post(  # noqa: PLR0915
        gateway, post, signing_on, fee_procedure, citizen, staff, org, client,  # noqa: F811
        django_capture_on_commit_callbacks):
    from weasyprint import HTML

    d = dossier_services.submit_online(citizen=citizen, procedure=fee_procedure, agency=org.commune,
                                       applicant=dict(APPLICANT), return_method="post",
                                       return_address="Số 5 Trần Phú, xã An Bình")
    assert d.status == Status.SUBMITTED
    d = dossier_services.receive(d, actor=staff.desk)
    d = dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d = payment_services.request_fee(d, actor=staff.officer)
    assert d.status == Status.PAYMENT_REQUESTED

    client.login(username=citizen.username, password=PASSWORD)
    gateway.send_callbacks = False
    response = client.post(f"/thanh-toan/ho-so/{d.code}/thanh-toan-truc-tuyen/")
    payment = Payment.objects.get(dossier=d)
    assert response["Location"] == payment.payment_url
    client.get("/thanh-toan/ket-qua/", gateway.pay(payment.transaction_id))
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.PROCESSING and d.paid_at

    d = dossier_services.transfer(d, actor=staff.officer)
    result = SimpleUploadedFile("giay-xac-nhan.pdf", HTML(string="<h1>Trích lục cải chính hộ tịch</h1>").write_pdf(),
                                content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        d = dossier_services.decide(d, actor=staff.head, result="Đã cải chính hộ tịch", result_file=result)

    download = client.get(f"/cong-dan/ho-so/{d.code}/ket-qua/")
    assert download.status_code == 200 and download["X-Signature-Status"] == "valid"
    check = signer.verify(download.content)
    assert check.valid and check.signer == "UBND xã Diên Khánh (ký số demo)"
    page = client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()
    assert "Đã ký số bởi UBND xã Diên Khánh (ký số demo)" in page

    order = PostalOrder.objects.get(dossier=d, direction="deliver")
    for status in ("collecting", "collected", "delivering", "delivered"):
        event = post.advance(order.carrier_order_id, status)
        body = post.callback_body(order.carrier_order_id, event)
        signature = hmac.new(settings.POSTAL_CALLBACK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        client.post("/buu-chinh/callback/", body, content_type="application/json", HTTP_X_POSTAL_SIGNATURE=signature)
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.RETURNED
    assert {"confirm-payment", "decide", "return"} <= {e.action for e in d.events.all()}

    from payments.selectors import paid_online_q
    from signing.selectors import has_signed_result_q

    assert list(Dossier.objects.filter(paid_online_q()).values_list("pk", flat=True)) == [d.pk]
    assert list(Dossier.objects.filter(has_signed_result_q()).values_list("pk", flat=True)) == [d.pk]
