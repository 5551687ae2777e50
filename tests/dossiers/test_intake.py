"""Counter intake and online submission: code, appointment, steps, checks, idempotency."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.models import Dossier, Status, TimelineEvent
from notices.models import Notice
from organisation.errors import ConcurrentChange, NotAllowed, ValidationFailed
from organisation.models import Department, Role
from procedures.models import Performer, ProcedureStep, StepRole, TimeUnit

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_8 = "2026-11-23 08:00 +0700"


@time_machine.travel(MONDAY_8, tick=False)
def test_intake_receives_at_once(staff, org, procedure):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), summary="Xin xác nhận",
                        components=[{"name": "Tờ khai", "kind": "original", "count": 2}])
    assert d.status == Status.RECEIVED
    assert d.code == "000.01.01.H99-261123-0001"
    assert d.agency == org.commune and d.current_agency == org.commune
    assert d.received_by == staff.desk and d.created_by == staff.desk
    assert d.received_at == datetime(2026, 11, 23, 8, 0, tzinfo=VN)
    # 3 working days (24 working hours) from Monday 08:00: Thursday 08:00.
    assert d.appointment_at == datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    assert d.original_appointment_at == d.appointment_at
    # One working day (8 h) before: Wednesday 08:00.
    assert d.due_soon_at == datetime(2026, 11, 25, 8, 0, tzinfo=VN)
    assert d.version == 0
    steps = list(d.steps.order_by("order"))
    assert [(s.name, s.role, s.allowance_seconds) for s in steps] == [
        ("Tiếp nhận, chuyển hồ sơ", "desk_officer", 4 * 3600),
        ("Thẩm định", "processing_officer", 12 * 3600),
        ("Phê duyệt", "head", 8 * 3600),
    ]
    # The desk step starts at once: 4 working hours from 08:00 is 13:30 + 0:30 = 14:00.
    assert steps[0].started_at == d.received_at and steps[0].due_at == datetime(2026, 11, 23, 14, 0, tzinfo=VN)
    assert steps[0].assignee == staff.desk
    assert steps[1].started_at is None and steps[2].started_at is None
    component = d.components.get()
    assert (component.name, component.kind, component.count, component.supplement_round) == ("Tờ khai", "original",
                                                                                              2, 0)
    event = d.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == ("receive", None, 2, staff.desk)
    notices = Notice.objects.filter(dossier=d)
    assert {(n.event, n.channel) for n in notices} == {("received", "email"), ("received", "sms")}
    assert d.code in notices.get(channel="sms").body


@time_machine.travel(MONDAY_8, tick=False)
def test_steps_at_other_agencies_and_departments(staff, org, make_procedure):
    Department.objects.create(agency=org.province, code="STP", name="Sở Tư pháp")
    p = make_procedure(steps=[("Thẩm định", Performer.RECEIVING, StepRole.PROCESSING, 8),
                              ("Ý kiến tỉnh", Performer.PARENT, StepRole.PROCESSING, 8),
                              ("Xã bên", Performer.AGENCY, StepRole.PROCESSING, 8)])
    ProcedureStep.objects.filter(procedure=p, order=2).update(department_name="sở tư pháp")
    ProcedureStep.objects.filter(procedure=p, order=3).update(agency=org.commune2)
    d = services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT))
    steps = list(d.steps.order_by("order").select_related("agency", "department"))
    assert [s.agency for s in steps] == [org.commune, org.province, org.commune2]
    assert steps[1].department.code == "STP" and steps[0].department is None
    # No desk step: nothing starts before the transfer.
    assert all(s.started_at is None for s in steps)


@time_machine.travel(MONDAY_8, tick=False)
def test_the_departments_of_every_step_are_read_in_one_query(staff, org, make_procedure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Department.objects.create(agency=org.commune, code="TP2", name="Tư pháp – Hộ tịch")
    Department.objects.create(agency=org.commune, code="TP1", name="TƯ PHÁP – HỘ TỊCH")  # the first by code
    Department.objects.create(agency=org.province, code="STP", name="Sở Tư pháp")
    Department.objects.create(agency=org.commune2, code="STP2", name="Sở Tư pháp")  # the same name elsewhere
    rows = [("Thẩm định", Performer.RECEIVING, StepRole.PROCESSING, 8),
            ("Ý kiến tỉnh", Performer.PARENT, StepRole.PROCESSING, 8),
            ("Phê duyệt", Performer.RECEIVING, StepRole.HEAD, 8),
            ("Không có phòng này", Performer.RECEIVING, StepRole.HEAD, 8)]
    named, plain = make_procedure(steps=rows), make_procedure(steps=rows)
    for order, name in ((1, "tư pháp – hộ tịch"), (2, "sở tư pháp"), (3, " Tư pháp – Hộ tịch "), (4, "Văn thư")):
        ProcedureStep.objects.filter(procedure=named, order=order).update(department_name=name)
    services.intake(actor=staff.desk, procedure=plain, applicant=dict(APPLICANT))  # the calendar read once
    with CaptureQueriesContext(connection) as with_departments:
        d = services.intake(actor=staff.desk, procedure=named, applicant=dict(APPLICANT))
    with CaptureQueriesContext(connection) as without:
        services.intake(actor=staff.desk, procedure=plain, applicant=dict(APPLICANT))
    assert len(with_departments) == len(without) + 1
    steps = list(d.steps.order_by("order").select_related("department"))
    assert [(s.department.agency_id, s.department.code) if s.department else None for s in steps] == [
        (org.commune.pk, "TP1"), (org.province.pk, "STP"), (org.commune.pk, "TP1"), None]


@time_machine.travel(MONDAY_8, tick=False)
def test_procedure_without_steps_gets_one_step_for_the_whole_limit(staff, make_procedure):
    p = make_procedure(amount=2, unit=TimeUnit.WORKING_DAYS)
    d = services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT))
    step = d.steps.get()
    assert step.allowance_seconds == 16 * 3600 and step.agency_id == d.agency_id


@time_machine.travel(MONDAY_8, tick=False)
def test_committed_shorter_time_is_used(staff, make_procedure):
    p = make_procedure(amount=3, committed_amount=Decimal(1))
    d = services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT))
    # One working day (8 h; the sessions give 7 h a day) from Monday 08:00: Tuesday 08:00.
    assert d.appointment_at == datetime(2026, 11, 24, 8, 0, tzinfo=VN)


@time_machine.travel(MONDAY_8, tick=False)
def test_backdated_receipt_counts_from_the_paper_time_and_is_noted(staff, procedure):
    friday = datetime(2026, 11, 20, 14, 0, tzinfo=VN)
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), received_at=friday)
    assert d.received_at == friday
    # Friday 14:00 + 24 working hours: Wednesday 14:00.
    assert d.appointment_at == datetime(2026, 11, 25, 14, 0, tzinfo=VN)
    event = d.events.get()
    assert event.at == friday and "14:00 20/11/2026" in event.note and "08:00 23/11/2026" in event.note


@time_machine.travel(MONDAY_8, tick=False)
def test_received_at_in_the_future_is_refused(staff, procedure):
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                        received_at=datetime(2026, 11, 23, 9, 0, tzinfo=VN))
    assert "received_at" in info.value.fields
    assert not Dossier.objects.exists()


def test_online_only_procedure_may_be_entered_for_a_citizen(staff, make_procedure):
    p = make_procedure(online_only=True, online_mode="full")
    d = services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT))
    assert d.status == Status.RECEIVED
    assert "trực tuyến" in d.events.get().note


@pytest.mark.parametrize("field,value", [
    ("full_name", ""),
    ("id_number", "12345"),
    ("id_number", "0791234567890"),
    ("id_number", "07912345678a"),
    ("phone", "912345678"),
    ("phone", "+8491234567"),
    ("phone", "09123456789"),
    ("email", "not-an-email"),
])
def test_bad_applicant_names_the_field(staff, procedure, field, value):
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=procedure, applicant={**APPLICANT, field: value})
    assert list(info.value.fields) == [f"applicant.{field}"]
    assert not Dossier.objects.exists() and not Notice.objects.exists()


@pytest.mark.parametrize("changes", [
    {"phone": "+84912345678"}, {"phone": "0912 345 678"}, {"id_type": "passport", "id_number": "B1234567"},
    {"phone": "", "email": "", "id_number": ""},
])
def test_good_applicant_variants(staff, procedure, changes):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant={**APPLICANT, **changes})
    assert d.status == Status.RECEIVED


def test_other_id_types_need_5_to_20_alphanumerics(staff, procedure):
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=procedure,
                        applicant={**APPLICANT, "id_type": "passport", "id_number": "B12"})
    assert "applicant.id_number" in info.value.fields


def test_agency_must_be_the_actors_desk(staff, org, procedure):
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=procedure, agency=org.commune2, applicant=dict(APPLICANT))
    assert list(info.value.fields) == ["agency"]


def test_agency_must_perform_the_procedure(staff, org, make_procedure, make_user):
    p = make_procedure(agency_levels="province")
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT))
    assert list(info.value.fields) == ["agency"]
    # Named among the procedure's agencies: performs it whatever the level.
    p.agencies.add(org.commune)
    assert services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT)).agency == org.commune


def test_unpublished_procedure_is_refused(staff, make_procedure):
    p = make_procedure(status="draft")
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=staff.desk, procedure=p, applicant=dict(APPLICANT))
    assert list(info.value.fields) == ["procedure"]


def test_only_desk_officers_receive(staff, procedure):
    for user in (staff.officer, staff.head, staff.manager):
        with pytest.raises(NotAllowed):
            services.intake(actor=user, procedure=procedure, applicant=dict(APPLICANT))
    assert not Dossier.objects.exists()


def test_officer_of_several_desks_must_choose(staff, org, procedure, make_user):
    user = make_user(roles=[(org.commune, Role.DESK_OFFICER), (org.commune2, Role.DESK_OFFICER)])
    with pytest.raises(ValidationFailed) as info:
        services.intake(actor=user, procedure=procedure, applicant=dict(APPLICANT))
    assert list(info.value.fields) == ["agency"]
    d = services.intake(actor=user, procedure=procedure, agency=org.commune2, applicant=dict(APPLICANT))
    assert d.code.startswith(org.commune2.code)


def test_idempotent_intake(staff, procedure, make_user, org):
    first = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), idempotency_key="abc")
    again = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), idempotency_key="abc")
    assert again.pk == first.pk and Dossier.objects.count() == 1
    assert Notice.objects.filter(event="received").count() == 2  # email + sms, once
    with pytest.raises(ConcurrentChange) as info:
        services.intake(actor=staff.desk, procedure=procedure, applicant={**APPLICANT, "full_name": "Người khác"},
                        idempotency_key="abc")
    assert info.value.code == "idempotency_conflict" and info.value.status_code == 409
    # The key belongs to its user: another desk officer's same key is another dossier.
    other = make_user(roles=[(org.commune, Role.DESK_OFFICER)])
    assert services.intake(actor=other, procedure=procedure, applicant=dict(APPLICANT),
                           idempotency_key="abc").pk != first.pk


@time_machine.travel(MONDAY_8, tick=False)
def test_online_submission_then_receipt(staff, org, procedure, make_user):
    citizen = make_user("congdan")
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    assert d.status == Status.SUBMITTED and d.code is None and d.reference == f"TT-{d.pk}"
    assert d.channel == "online" and d.citizen == citizen and d.submitted_at is not None
    assert d.received_at is None and d.appointment_at == datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    staff_notice = Notice.objects.get(event="submitted_online")
    assert staff_notice.user == staff.desk and staff_notice.channel == "in_app"
    assert Notice.objects.filter(event="submitted", user=citizen).exists()
    assert not d.steps.exists()

    with time_machine.travel("2026-11-24 10:00 +0700", tick=False):
        d = services.receive(d, actor=staff.desk, expected_version=0)
    assert d.status == Status.RECEIVED and d.code == "000.01.01.H99-261124-0001"
    assert d.received_at == datetime(2026, 11, 24, 10, 0, tzinfo=VN) and d.received_by == staff.desk
    assert d.appointment_at == datetime(2026, 11, 27, 10, 0, tzinfo=VN)
    assert d.steps.count() == 3 and d.version == 1
    assert list(d.events.values_list("action", "from_status", "to_status")) == [("submit", None, 1),
                                                                                ("receive", 1, 2)]
    assert Notice.objects.filter(dossier=d, event="received", channel="in_app", user=citizen).exists()


def test_incomplete_online_dossier_gets_one_complete_notice(staff, org, procedure, make_user):
    citizen = make_user()
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    d = services.request_supplement(d, actor=staff.desk, items="Bản sao CCCD\nGiấy khai sinh", reason="Thiếu")
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.supplement_count == 1
    notice = Notice.objects.get(event="supplement_requested", channel="sms")
    assert "Bản sao CCCD; Giấy khai sinh" in notice.body
    # The citizen answers online; never received, the dossier goes back to the desk's queue.
    d = services.supplement_received(d, actor=citizen, components=[{"name": "Bản sao CCCD", "kind": "copy"},
                                                                  {"name": "Giấy khai sinh", "kind": "copy"}])
    assert d.status == Status.SUBMITTED and d.received_at is None
    # Not received yet: what arrives belongs to the dossier as it will be received (the receipt lists it).
    assert set(d.components.values_list("supplement_round", flat=True)) == {0}
    assert d.supplements.get().resume_status == Status.SUBMITTED


def test_online_submission_needs_an_online_procedure(org, make_procedure, make_user):
    p = make_procedure(online_mode="none")
    with pytest.raises(ValidationFailed) as info:
        services.submit_online(citizen=make_user(), procedure=p, agency=org.commune, applicant=dict(APPLICANT))
    assert list(info.value.fields) == ["procedure"]


def test_failed_intake_leaves_nothing(staff, procedure):
    with pytest.raises(ValidationFailed):
        services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                        components=[{"name": "", "kind": "original"}])
    assert not Dossier.objects.exists() and not TimelineEvent.objects.exists() and not Notice.objects.exists()


def test_received_at_may_be_naive_local_time(staff, procedure):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT),
                        received_at=datetime.now() - timedelta(days=1))
    assert d.received_at.tzinfo is not None
