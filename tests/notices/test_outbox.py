"""The outbox writer: one row per event, channel and recipient, written with the change it tells of."""

import re

import pytest
from django.utils import translation

from dossiers import services
from dossiers.models import Status
from notices.messages import CITIZEN_EVENTS, STAFF_EVENTS, render
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import NoticeRow, notify_citizen, notify_staff, write_notices

pytestmark = pytest.mark.django_db


def test_a_received_dossier_tells_the_applicant_by_email_and_sms(make_dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        d = make_dossier(Status.RECEIVED)
    rows = Notice.objects.filter(dossier=d, event="received").order_by("channel")
    assert [(n.channel, n.recipient, n.status) for n in rows] == [
        (NoticeChannel.EMAIL, "an@example.vn", NoticeStatus.QUEUED),
        (NoticeChannel.SMS, "0912345678", NoticeStatus.QUEUED),
    ]
    body = rows[0].body
    assert d.code in body and "Thời gian hẹn trả kết quả" in body and "4 số cuối" in body
    assert len(callbacks) == 1  # one publish for all the transaction's queued rows, after the commit


def test_the_same_event_is_written_once(make_dossier):
    d = make_dossier(Status.RECEIVED)
    again = notify_citizen(d, "received")
    assert len(again) == 2
    assert Notice.objects.filter(dossier=d, event="received").count() == 2


def test_a_citizen_account_gets_an_in_app_notice_written_as_sent(make_dossier, make_user):
    citizen = make_user()
    d = make_dossier(Status.RECEIVED)
    d.citizen = citizen
    notices = notify_citizen(d, "result_ready")
    in_app = next(n for n in notices if n.channel == NoticeChannel.IN_APP)
    assert in_app.user == citizen and in_app.status == NoticeStatus.SENT and in_app.sent_at is not None


def test_staff_notices_are_in_app_and_sent_at_once(make_dossier, staff, django_capture_on_commit_callbacks):
    d = make_dossier(Status.PROCESSING)
    with django_capture_on_commit_callbacks() as callbacks:
        notices = notify_staff([staff.officer, staff.head, staff.officer, None], d, "due_soon")
    assert sorted(n.user.username for n in notices) == ["chuyenvien", "lanhdao"]
    assert {n.status for n in notices} == {NoticeStatus.SENT} and not callbacks


def test_write_notices_is_one_insert_that_skips_existing_keys(make_dossier, staff, django_assert_num_queries,
                                                            django_capture_on_commit_callbacks):
    d = make_dossier(Status.PROCESSING)
    rows = [
        NoticeRow(event="late", channel=NoticeChannel.IN_APP, recipient="chuyenvien", subject="s", body="b",
                  dedupe_key=f"k:{i}", dossier_id=d.pk, user_id=staff.officer.pk)
        for i in range(50)
    ] + [NoticeRow(event="late", channel=NoticeChannel.EMAIL, recipient="an@example.vn", subject="s", body="b",
                   dedupe_key="k:mail", dossier_id=d.pk)]
    with django_assert_num_queries(1), django_capture_on_commit_callbacks() as callbacks:
        written = write_notices(rows)
    assert len(written) == 51 and len(callbacks) == 1  # one callback publishing the one queued row
    assert Notice.objects.get(dedupe_key="k:mail").status == NoticeStatus.QUEUED
    assert Notice.objects.get(dedupe_key="k:3").status == NoticeStatus.SENT
    assert write_notices(rows) == []
    assert Notice.objects.filter(dossier=d, event="late").count() == 51


def test_nothing_to_write_costs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert write_notices([]) == []


SAMPLE = {
    "code": "000.01.01.H99-261123-0001", "ref": "000.01.01.H99-261123-0001", "procedure": "Đăng ký khai sinh",
    "agency": "UBND xã An Bình", "received": "08:00 23/11/2026", "appointment": "17:00 25/11/2026",
    "returned": "09:00 26/11/2026", "reason": "Thiếu giấy tờ", "items": "Bản sao CCCD", "amount": "15.000",
    "old_appointment": "17:00 25/11/2026", "new_appointment": "16:00 27/11/2026", "step": "Thẩm định",
    "due": "11:30 24/11/2026", "deadline": "17:00 30/11/2026",
    "restart": "Thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ.",
    "desk": "UBND xã Phú Mỹ",  # the desk that took a boundary-free dossier (phi địa giới)
}


@pytest.mark.parametrize("event", sorted({*CITIZEN_EVENTS, *STAFF_EVENTS}))
def test_every_text_fills_all_its_blanks(event):
    subject, body = render(event, SAMPLE)
    assert "{" not in subject + body and "}" not in subject + body
    used = set(re.findall(r"{(\w+)}", str(dict(CITIZEN_EVENTS, **STAFF_EVENTS)[event][1])))
    for key in used:
        assert SAMPLE[key] in body


def test_citizens_hear_the_essentials_in_vietnamese():
    received = render("received", SAMPLE)[1]
    assert "000.01.01.H99-261123-0001" in received and "17:00 25/11/2026" in received
    assert "Bản sao CCCD" in render("supplement_requested", SAMPLE)[1]
    assert "15.000 đồng" in render("payment_requested", SAMPLE)[1]
    apology = render("apology", SAMPLE)[1]
    assert "xin lỗi" in apology and "16:00 27/11/2026" in apology and "Thiếu giấy tờ" in apology
    assert "đã có kết quả" in render("result_ready", SAMPLE)[1]


def test_notices_are_written_in_the_portals_language_whoever_clicks(make_dossier):
    with translation.override("en"):
        subject, _body = render("received", SAMPLE)
    assert subject == "Hồ sơ 000.01.01.H99-261123-0001 đã được tiếp nhận"


def test_amounts_are_grouped_the_vietnamese_way(make_dossier, staff):
    d = make_dossier(Status.PROCESSING)
    d = services.request_payment(d, actor=staff.officer, amount=1500000)
    body = Notice.objects.filter(dossier=d, event="payment_requested").first().body
    assert "1.500.000 đồng" in body
