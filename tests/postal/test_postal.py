"""The postal service both ways against the stand-in: the result delivered by post closes the return; a
dossier collected from the applicant; tracking by authenticated callback and by polling, shown to the
citizen and the desk; the service down: nothing marked shipped, the order resent later."""

import hashlib
import hmac
from decimal import Decimal

import pytest
from django.conf import settings

from dossiers import services as dossier_services
from dossiers.models import Dossier, Status
from postal import services, states
from postal.models import PostalOrder, TrackingEvent
from procedures.models import Component, Field, Performer, Procedure, ProcedureStep, StepRole

PASSWORD = "Mot-Cua-2026!"
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678",
             "address": "Thôn 1, xã An Bình, tỉnh Demo"}


@pytest.fixture
def world(staff, org, make_user):
    org.commune.address = "Số 1 Lê Lợi, xã An Bình"
    org.commune.save()
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.004873", name="Xác nhận tình trạng hôn nhân", field=field, agency_levels="commune",
        time_limit_amount=Decimal(3), time_limit_unit="working_days", status="published", online_mode="full",
        result="Giấy xác nhận tình trạng hôn nhân")
    Component.objects.create(procedure=procedure, order=1, name="Tờ khai xác nhận tình trạng hôn nhân")
    for order, (name, role) in enumerate([("Tiếp nhận", StepRole.DESK), ("Thẩm định", StepRole.PROCESSING),
                                          ("Phê duyệt", StepRole.HEAD)], start=1):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                     role=role, allowance_hours=Decimal(8))
    citizen = make_user("0912345678", password=PASSWORD)
    return {"procedure": procedure, "citizen": citizen, "staff": staff, "org": org}


def submitted(world, **extra):
    return dossier_services.submit_online(citizen=world["citizen"], procedure=world["procedure"],
                                          agency=world["org"].commune, applicant=dict(APPLICANT), **extra)


def decided_by_post(world, capture):
    staff = world["staff"]
    d = submitted(world, return_method="post", return_address="Số 5 Trần Phú, xã An Bình")
    d = dossier_services.receive(d, actor=staff.desk)
    d = dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d = dossier_services.transfer(d, actor=staff.officer)
    with capture(execute=True):
        d = dossier_services.decide(d, actor=staff.head, result="Đã cấp giấy xác nhận")
    return d


def push(client, post, order_id, status, *, secret=None, event=None):
    """The stand-in's callback for one event, delivered through the test client."""
    event = event or post.advance(order_id, status)
    body = post.callback_body(order_id, event)
    signature = hmac.new((secret or settings.POSTAL_CALLBACK_SECRET).encode(), body, hashlib.sha256).hexdigest()
    return client.post("/buu-chinh/callback/", body, content_type="application/json",
                       HTTP_X_POSTAL_SIGNATURE=signature), event


def test_forward_only_states():
    assert states.advances("created", "collecting")
    assert not states.advances("delivering", "collecting")
    assert not states.advances("collected", "collected")
    assert not states.advances("delivered", "failed")
    assert states.advances("delivering", "failed")
    assert not states.advances("created", "teleported")
    assert not states.advances("created", "requested")


def test_result_delivered_by_post_closes_the_return(post, world, client, django_capture_on_commit_callbacks):
    d = decided_by_post(world, django_capture_on_commit_callbacks)
    order = PostalOrder.objects.get(dossier=d)
    assert order.direction == "deliver" and order.status == "created" and order.order_number == d.code
    sent = post.orders[order.carrier_order_id]
    assert sent["order_number"] == d.code and sent["service"] == "deliver"
    assert sent["receiver"] == {"name": "Nguyễn Văn An", "address": "Số 5 Trần Phú, xã An Bình", "phone": "0912345678"}
    assert sent["sender"]["address"] == "Số 1 Lê Lợi, xã An Bình" and d.code in sent["contents"]

    for status in ("collecting", "collected", "delivering"):
        response, _ = push(client, post, order.carrier_order_id, status)
        assert response.status_code == 200 and response.json()["result"] == "applied"
    assert Dossier.objects.get(pk=d.pk).status == Status.DECIDED
    client.force_login(world["citizen"])
    page = client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()
    assert "Đang phát" in page and order.carrier_order_id in page
    response, delivered = push(client, post, order.carrier_order_id, "delivered", event=None)
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.RETURNED and d.returned_at is not None
    assert order.carrier_order_id in d.events.get(action="return").note
    order.refresh_from_db()
    assert order.status == "delivered" and order.closed_at is not None

    # The same callback again, and an old one arriving late: recorded once, nothing moves back.
    again, _ = push(client, post, order.carrier_order_id, "delivered", event=delivered)
    assert again.json()["result"] == "duplicate"
    late, _ = push(client, post, order.carrier_order_id, "delivering")
    assert late.json()["result"] == "recorded"
    order.refresh_from_db()
    assert order.status == "delivered" and Dossier.objects.get(pk=d.pk).version == d.version
    client.force_login(world["staff"].desk)
    assert "Đã phát thành công" in client.get(f"/ho-so/{d.code}/").content.decode()


def test_callbacks_are_authenticated(post, world, client, django_capture_on_commit_callbacks):
    d = decided_by_post(world, django_capture_on_commit_callbacks)
    order = PostalOrder.objects.get(dossier=d)
    forged, _ = push(client, post, order.carrier_order_id, "delivered", secret="guessed")
    assert forged.status_code == 401
    unsigned = client.post("/buu-chinh/callback/", post.callback_body(order.carrier_order_id, post.orders[
        order.carrier_order_id]["events"][-1]), content_type="application/json")
    assert unsigned.status_code == 401
    assert Dossier.objects.get(pk=d.pk).status == Status.DECIDED
    assert not TrackingEvent.objects.filter(status="delivered").exists()
    # Signed, but for an order number that is not this order's.
    post.orders[order.carrier_order_id]["order_number"] = "000.00.00.H99-000000-0000"
    other, _ = push(client, post, order.carrier_order_id, "delivered")
    assert other.status_code == 404
    assert Dossier.objects.get(pk=d.pk).status == Status.DECIDED


def test_postal_submission_collected_tracked_by_polling(post, world, client):
    d = submitted(world)
    client.force_login(world["citizen"])
    page = client.get(f"/cong-dan/ho-so/{d.reference}/").content.decode()
    assert "Gửi giấy tờ qua bưu điện" in page
    client.post(f"/buu-chinh/ho-so/{d.reference}/thu-gom/", {"address": "ngắn"})
    assert not PostalOrder.objects.exists()
    client.post(f"/buu-chinh/ho-so/{d.reference}/thu-gom/", {"address": "Số 9 Nguyễn Huệ, xã An Bình"})
    order = PostalOrder.objects.get(dossier=d)
    assert order.direction == "collect" and order.status == "created"
    sent = post.orders[order.carrier_order_id]
    assert sent["service"] == "collect" and sent["sender"]["address"] == "Số 9 Nguyễn Huệ, xã An Bình"
    assert sent["receiver"]["name"] == world["org"].commune.name
    assert "Tờ khai xác nhận tình trạng hôn nhân" in sent["contents"]
    # A second request is refused.
    client.post(f"/buu-chinh/ho-so/{d.reference}/thu-gom/", {"address": "Số 9 Nguyễn Huệ, xã An Bình"})
    assert PostalOrder.objects.count() == 1

    post.advance(order.carrier_order_id, "collecting")
    post.advance(order.carrier_order_id, "collected")
    assert services.poll_open_orders() == {"applied": 1}
    order.refresh_from_db()
    assert order.status == "collected"
    post.advance(order.carrier_order_id, "delivering")
    post.advance(order.carrier_order_id, "delivered")
    assert services.poll_open_orders() == {"applied": 1}
    assert services.poll_open_orders() == {}  # closed orders are not polled
    order.refresh_from_db()
    assert order.status == "delivered"
    assert Dossier.objects.get(pk=d.pk).status == Status.SUBMITTED  # the desk receives it itself
    client.force_login(world["staff"].desk)
    page = client.get(f"/ho-so/{d.reference}/").content.decode()
    assert "Thu gom hồ sơ từ người nộp" in page and "Đã phát thành công" in page


def test_postal_service_down_nothing_shipped_and_resent_later(post, world, client,
                                                            django_capture_on_commit_callbacks):
    post.down = True
    d = submitted(world)
    client.force_login(world["citizen"])
    response = client.post(f"/buu-chinh/ho-so/{d.reference}/thu-gom/", {"address": "Số 9 Nguyễn Huệ, xã An Bình"},
                           follow=True)
    assert "Dịch vụ bưu chính hiện không phản hồi" in response.content.decode()
    order = PostalOrder.objects.get(dossier=d)
    assert order.status == "requested" and not order.carrier_order_id and order.last_error

    delivered = decided_by_post(world, django_capture_on_commit_callbacks)
    result_order = PostalOrder.objects.get(dossier=delivered)
    assert result_order.status == "requested"
    assert services.poll_open_orders() == {"unavailable": 2}
    post.down = False
    assert services.poll_open_orders() == {"sent": 2}
    assert set(PostalOrder.objects.values_list("status", flat=True)) == {"created"}
    assert Dossier.objects.get(pk=delivered.pk).status == Status.DECIDED


def test_only_a_dossier_returned_by_post_gets_a_delivery_order(post, world, django_capture_on_commit_callbacks):
    staff = world["staff"]
    d = submitted(world, return_method="online")
    d = dossier_services.receive(d, actor=staff.desk)
    d = dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d = dossier_services.transfer(d, actor=staff.officer)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.decide(d, actor=staff.head, result="Đã cấp")
    assert not PostalOrder.objects.exists()


def test_callback_over_http_from_the_stand_in(post, world, live_server, settings, django_capture_on_commit_callbacks):
    settings.POSTAL_CALLBACK_URL = f"{live_server.url}/buu-chinh/callback/"
    post.send_callbacks = True
    d = decided_by_post(world, django_capture_on_commit_callbacks)
    order = PostalOrder.objects.get(dossier=d)
    for status in states.ORDER[2:]:
        post.advance(order.carrier_order_id, status)
    assert [c["status"] for c in post.callbacks] == [200, 200, 200, 200]
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
