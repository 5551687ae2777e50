"""Each action: status, timestamps, steps, timeline and notices, written together or not at all."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import selectors, services
from dossiers.models import Status, SupplementRequest, TimelineEvent
from notices.models import Notice
from organisation.errors import ActionNotAllowed, ConcurrentChange, NotAllowed, ValidationFailed
from organisation.models import Role

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = "2026-11-23 08:00 +0700"  # 3 working days: appointment Thursday 26/11 08:00


def at(text):
    return time_machine.travel(f"{text} +0700", tick=False)


def snapshot(d):
    d.refresh_from_db()
    return (d.status, d.version, d.events.count(), Notice.objects.filter(dossier=d).count(),
            list(d.steps.order_by("order").values_list("started_at", "finished_at", "agency_id", "assignee_id")))


@pytest.fixture
def received(make_dossier):
    with at("2026-11-23 08:00"):
        return make_dossier(2)


def test_verdict_rule():
    due = datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    assert services.verdict_for(datetime(2026, 11, 25, 16, 0, tzinfo=VN), due) == "early"
    assert services.verdict_for(datetime(2026, 11, 26, 7, 0, tzinfo=VN), due) == "on_time"
    assert services.verdict_for(due, due) == "on_time"
    assert services.verdict_for(datetime(2026, 11, 26, 8, 0, 1, tzinfo=VN), due) == "late"
    assert services.verdict_for(due, None) is None


def test_transfer_from_the_desk_starts_the_first_processing_step(received, staff):
    with at("2026-11-23 15:00"):
        d = services.transfer(received, actor=staff.desk, assignee=staff.officer, expected_version=0)
    assert d.status == Status.PROCESSING and d.version == 1
    desk, appraisal, approval = d.steps.order_by("order")
    # The desk step was due at 14:00: handed over at 15:00 it is late.
    assert desk.finished_at == datetime(2026, 11, 23, 15, 0, tzinfo=VN) and desk.verdict == "late" and desk.is_late
    assert appraisal.started_at == desk.finished_at and appraisal.assignee == staff.officer
    assert appraisal.handed_by == staff.desk
    # 12 working hours from Monday 15:00: 2 h Monday, 8 h Tuesday, 2 h Wednesday → Wednesday 09:00.
    assert appraisal.due_at == datetime(2026, 11, 25, 9, 0, tzinfo=VN)
    assert approval.started_at is None
    event = d.events.last()
    assert (event.action, event.from_status, event.to_status) == ("transfer", 2, 4)
    assert "Thẩm định" in event.note
    notice = Notice.objects.get(dossier=d, event="assigned")
    assert notice.user == staff.officer and notice.channel == "in_app"


def test_transfer_to_the_next_step_and_no_further(received, staff):
    d = services.transfer(received, actor=staff.desk)
    d = services.transfer(d, actor=staff.officer, assignee=staff.head)
    steps = list(d.steps.order_by("order"))
    assert steps[1].finished_at and steps[1].verdict == "early"
    assert steps[2].started_at and steps[2].assignee == staff.head
    before = snapshot(d)
    with pytest.raises(ActionNotAllowed) as info:
        services.transfer(d, actor=staff.head)
    assert info.value.code == "no_next_step"
    assert snapshot(d) == before


def test_transfer_to_another_agency_moves_the_current_step(received, staff, org):
    d = services.transfer(received, actor=staff.desk)
    d = services.transfer(d, actor=staff.officer, to_agency=org.province, assignee=staff.province_officer,
                          note="Xin ý kiến tỉnh")
    steps = list(d.steps.order_by("order").select_related("agency"))
    assert [(s.order, s.name, s.agency.code) for s in steps] == [
        (1, "Tiếp nhận, chuyển hồ sơ", org.commune.code),
        (2, "Thẩm định", org.commune.code),
        (3, "Thẩm định", org.province.code),
        (4, "Phê duyệt", org.commune.code),
    ]
    assert steps[1].finished_at and steps[2].started_at and steps[2].finished_at is None
    assert steps[2].assignee == staff.province_officer and steps[2].note == "Xin ý kiến tỉnh"
    assert d.current_agency == org.province
    # The province hands it back to the commune's approval step.
    d = services.transfer(d, actor=staff.province_officer)
    assert d.current_agency == org.commune


def test_transfer_at_the_desk_to_another_agency(received, staff, org):
    d = services.transfer(received, actor=staff.desk, to_agency=org.province)
    step = d.steps.get(order=2)
    assert step.agency == org.province and step.started_at and d.current_agency == org.province


def test_transfer_to_an_officer_of_another_agency_changes_nothing(received, staff):
    before = snapshot(received)
    with pytest.raises(ValidationFailed) as info:
        services.transfer(received, actor=staff.desk, assignee=staff.desk2)
    assert list(info.value.fields) == ["assignee"]
    assert snapshot(received) == before  # the desk step is still open


def test_assign_by_the_head(make_dossier, staff, make_user, org):
    d = make_dossier(4)
    other = make_user(roles=[(org.commune, Role.PROCESSING_OFFICER)])
    with pytest.raises(NotAllowed):
        services.assign(d, actor=staff.officer, assignee=other)
    with pytest.raises(ValidationFailed):
        services.assign(d, actor=staff.head, assignee=staff.desk2)
    d = services.assign(d, actor=staff.head, assignee=other)
    assert d.steps.get(order=2).assignee == other
    event = d.events.last()
    assert event.action == "assign" and not event.public
    assert Notice.objects.filter(dossier=d, event="assigned", user=other).count() == 1


def test_supplement_rounds_restart_the_clock(received, staff):
    with at("2026-11-23 09:00"):
        d = services.transfer(received, actor=staff.desk, assignee=staff.officer)
    with at("2026-11-24 09:00"):
        d = services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD", "Ảnh 4x6"], reason="Thiếu")
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.supplement_count == 1
    sr = SupplementRequest.objects.get(dossier=d)
    assert (sr.round, sr.items, sr.replied_at) == (1, "Bản sao CCCD\nẢnh 4x6", None)
    with at("2026-11-25 10:00"):
        d = services.supplement_received(d, actor=staff.desk,
                                         components=[{"name": "Bản sao CCCD", "kind": "copy", "count": 1},
                                                     {"name": "Ảnh 4x6", "kind": "original", "count": 1}])
    assert d.status == Status.PROCESSING
    sr.refresh_from_db()
    assert sr.replied_at == datetime(2026, 11, 25, 10, 0, tzinfo=VN)
    # Waited Tuesday 09:00 → Wednesday 10:00: 6 working hours on Tuesday, 3 on Wednesday.
    assert d.supplement_wait_seconds == 9 * 3600
    # Decree 61: 3 working days again from Wednesday 10:00 → Monday 30/11 10:00.
    assert d.appointment_at == datetime(2026, 11, 30, 10, 0, tzinfo=VN)
    assert d.original_appointment_at == datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    step = d.steps.get(order=2)
    assert step.started_at == datetime(2026, 11, 23, 9, 0, tzinfo=VN)
    assert step.due_at == datetime(2026, 11, 26, 16, 0, tzinfo=VN)  # 12 h from Wednesday 10:00
    assert sorted(d.components.filter(supplement_round=1).values_list("name", flat=True)) == ["Bản sao CCCD", "Ảnh 4x6"]
    # A second round is its own notice.
    d = services.request_supplement(d, actor=staff.officer, items="Giấy xác nhận cư trú", reason="Thiếu")
    assert d.supplement_count == 2
    assert Notice.objects.filter(dossier=d, event="supplement_requested", channel="sms").count() == 2


def test_supplement_without_restart_keeps_the_appointment(make_dossier, staff):
    d = make_dossier(5)
    before = d.appointment_at
    d = services.supplement_received(d, actor=staff.desk, restart_clock=False, accept_incomplete=True,
                                     note="Công dân xuất trình bản chính tại quầy")
    assert d.appointment_at == before and d.status == Status.PROCESSING


def test_payment(make_dossier, staff):
    d = make_dossier(4)
    for bad in (0, -5, "abc", None):
        with pytest.raises(ValidationFailed) as info:
            services.request_payment(d, actor=staff.officer, amount=bad)
        assert list(info.value.fields) == ["amount"]
    d = services.request_payment(d, actor=staff.officer, amount=15000)
    assert d.status == Status.PAYMENT_REQUESTED and d.fee_amount == 15000
    assert "15.000" in Notice.objects.get(dossier=d, event="payment_requested", channel="sms").body
    d = services.confirm_payment(d, actor=staff.desk)
    assert d.status == Status.PROCESSING and d.paid_at is not None


@pytest.mark.parametrize("when,verdict", [
    ("2026-11-25 16:00", "early"),
    ("2026-11-26 07:30", "on_time"),
    ("2026-11-26 08:00", "on_time"),
    ("2026-11-26 09:00", "late"),
])
def test_decide_gives_the_verdict(received, staff, when, verdict):
    d = services.transfer(received, actor=staff.desk)
    with at(when):
        d = services.decide(d, actor=staff.head, result="Đã cấp giấy xác nhận")
    assert d.status == Status.DECIDED and d.verdict == verdict and d.is_late == (verdict == "late")
    assert d.finished_at == datetime.fromisoformat(f"{when}:00+07:00")
    assert d.result_text == "Đã cấp giấy xác nhận"
    assert not d.steps.filter(started_at__isnull=False, finished_at__isnull=True).exists()
    assert Notice.objects.filter(dossier=d, event="result_ready").exists()


def test_decide_needs_a_result_and_the_head(make_dossier, staff):
    d = make_dossier(4)
    with pytest.raises(ValidationFailed) as info:
        services.decide(d, actor=staff.head, result="  ")
    assert list(info.value.fields) == ["result"]
    with pytest.raises(NotAllowed):
        services.decide(d, actor=staff.officer, result="x")


def test_decide_with_an_electronic_result(make_dossier, staff):
    d = make_dossier(4)
    pdf = SimpleUploadedFile("ket-qua.pdf", b"%PDF-1.4\n%result\n%%EOF\n", content_type="application/pdf")
    d = services.decide(d, actor=staff.head, result="Bản điện tử", result_file=pdf)
    assert d.result_file.name.startswith("results/") and d.result_file.name.endswith(".pdf")
    d.result_file.storage.delete(d.result_file.name)


def test_decide_starts_the_desks_return_step(staff, make_procedure, make_dossier):
    p = make_procedure(steps=[("Thẩm định", "receiving", "processing_officer", 8),
                              ("Phê duyệt", "receiving", "head", 4),
                              ("Trả kết quả", "receiving", "desk_officer", 2)])
    d = make_dossier(4, procedure=p)
    d = services.transfer(d, actor=staff.officer)
    d = services.decide(d, actor=staff.head, result="x")
    appraisal, approval, give_back = d.steps.order_by("order")
    assert approval.finished_at == d.finished_at and give_back.started_at == d.finished_at
    assert give_back.finished_at is None and d.current_agency_id == d.agency_id
    d = services.return_result(d, actor=staff.desk)
    give_back.refresh_from_db()
    assert give_back.finished_at == d.returned_at and give_back.verdict in ("early", "on_time")


def test_return_only_at_the_receiving_desk(make_dossier, staff, org, make_user):
    d = make_dossier(9)
    with pytest.raises(NotAllowed):
        services.return_result(d, actor=staff.head)
    with pytest.raises(NotAllowed):
        services.return_result(d, actor=make_user(roles=[(org.province, Role.DESK_OFFICER)]))
    d = services.return_result(d, actor=staff.desk)
    assert d.status == Status.RETURNED and d.returned_at is not None
    assert Notice.objects.filter(dossier=d, event="returned").exists()


def test_refuse_needs_a_reason(make_dossier, staff):
    d = make_dossier(4)
    with pytest.raises(ValidationFailed) as info:
        services.refuse(d, actor=staff.officer, reason="")
    assert list(info.value.fields) == ["reason"]
    d = services.refuse(d, actor=staff.officer, reason="Không thuộc thẩm quyền")
    assert d.status == Status.REFUSED and d.finished_at and d.verdict == "early" and d.reason
    assert not d.steps.filter(started_at__isnull=False, finished_at__isnull=True).exists()
    assert "Không thuộc thẩm quyền" in Notice.objects.get(dossier=d, event="refused", channel="sms").body


def test_refuse_an_online_dossier_at_the_desk(staff, org, procedure, make_user):
    d = services.submit_online(citizen=make_user(), procedure=procedure, agency=org.commune,
                               applicant=dict(APPLICANT))
    d = services.refuse(d, actor=staff.desk, reason="Sai thẩm quyền")
    assert d.status == Status.REFUSED and d.code is None and d.finished_at


def test_withdraw_then_stop(staff, org, procedure, make_user):
    citizen = make_user()
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    d = services.receive(d, actor=staff.desk)
    with pytest.raises(NotAllowed):
        services.withdraw(d, actor=make_user(), reason="?")
    d = services.withdraw(d, actor=citizen, reason="Không cần nữa")
    assert d.status == Status.WITHDRAWAL_REQUESTED and d.finished_at is not None
    finished = d.finished_at
    assert Notice.objects.filter(dossier=d, event="withdrawn", user=citizen).exists()
    d = services.stop(d, actor=staff.desk, reason="Công dân rút hồ sơ")
    assert d.status == Status.STOPPED and d.finished_at == finished
    assert [e.action for e in d.events.all()] == ["submit", "receive", "withdraw", "stop"]


def test_stop_during_processing(make_dossier, staff):
    d = make_dossier(4)
    with pytest.raises(ValidationFailed):
        services.stop(d, actor=staff.head, reason=" ")
    d = services.stop(d, actor=staff.head, reason="Hồ sơ giả mạo")
    assert d.status == Status.STOPPED and d.finished_at and d.reason == "Hồ sơ giả mạo"
    assert Notice.objects.filter(dossier=d, event="stopped").exists()


def test_the_desk_may_close_a_withdrawal_but_not_stop_processing(make_dossier, staff):
    """The desk officer holds `stop` only to close a withdrawal (7 → 8); stopping processing is the head's."""
    d = make_dossier(4)
    before = snapshot(d)
    with pytest.raises(NotAllowed):
        services.stop(d, actor=staff.desk, reason="Dừng")
    assert snapshot(d) == before
    assert "stop" not in selectors.actions_available(d, staff.desk)
    assert "stop" in selectors.actions_available(d, staff.head)


@pytest.mark.parametrize("status,action,kwargs", [
    (2, services.decide, {"result": "x"}),
    (2, services.return_result, {}),
    (4, services.receive, {}),
    (4, services.confirm_payment, {}),
    (9, services.transfer, {}),
    (9, services.request_supplement, {"items": "x", "reason": "y"}),
    (10, services.withdraw, {}),
    (10, services.stop, {"reason": "x"}),
    (5, services.request_payment, {"amount": 1000}),
])
def test_wrong_status_is_409_and_changes_nothing(make_dossier, staff, status, action, kwargs):
    d = make_dossier(status)
    staff.desk.is_superuser = True  # every role: only the status can refuse
    before = snapshot(d)
    with pytest.raises(ActionNotAllowed) as info:
        action(d, actor=staff.desk, **kwargs)
    assert info.value.status_code == 409 and info.value.code == "action_not_allowed"
    assert snapshot(d) == before


def test_stale_version_is_409_and_changes_nothing(make_dossier, staff):
    d = make_dossier(4)
    assert d.version == 1
    before = snapshot(d)
    with pytest.raises(ConcurrentChange):
        services.request_payment(d, actor=staff.officer, amount=1000, expected_version=0)
    assert snapshot(d) == before
    d = services.request_payment(d, actor=staff.officer, amount=1000, expected_version=1)
    assert d.version == 2


def test_a_failing_action_leaves_no_event_and_no_notice(make_dossier, staff):
    d = make_dossier(4)
    bad = SimpleUploadedFile("ket-qua.pdf", b"not a pdf at all", content_type="application/pdf")
    events, notices = TimelineEvent.objects.count(), Notice.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - 415 from the upload check
        services.decide(d, actor=staff.head, result="x", result_file=bad)
    assert (TimelineEvent.objects.count(), Notice.objects.count()) == (events, notices)
    d.refresh_from_db()
    assert d.status == Status.PROCESSING


def test_timeline_names_the_actor(make_dossier, staff):
    staff.desk.first_name, staff.desk.last_name = "Lan", "Nguyễn Thị"
    staff.desk.save()
    d = make_dossier(2)
    # Vietnamese order: family name first (organisation.names.display_name).
    assert d.events.get().actor_name == "Nguyễn Thị Lan"


def test_returned_object_is_fresh(received, staff):
    stale = received
    d = services.transfer(stale, actor=staff.desk)
    assert d is not stale and d.status == Status.PROCESSING and stale.status == Status.RECEIVED
