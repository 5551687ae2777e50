"""Row 6 of issue 9: actions sent again (a double click, a client's retry) are safe. The desk sending
`transfer` four times once walked the dossier through the appraisal and the approval that belong to other
officers; now only the holder of the step being worked on finishes it, and the same hand-over sent again
is a 409 that changes nothing."""

import pytest

from dossiers import services
from dossiers.models import Dossier, Step, TimelineEvent
from organisation.models import Department, Role, StaffMembership

pytestmark = pytest.mark.django_db


def act(api, user, dossier, action, **body):
    return api.as_user(user).post(f"/api/v1/dossiers/{dossier.code}/actions/{action}/", body, format="json")


def steps(dossier):
    return list(Step.objects.filter(dossier=dossier).order_by("order").values_list("name", "started_at", "finished_at"))


def test_the_desk_sending_transfer_four_times_hands_over_once(api, staff, make_dossier):
    d = make_dossier(2)
    answers = [act(api, staff.desk, d, "transfer", assignee=staff.officer.username) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 409, 409, 409]
    assert {r.json()["code"] for r in answers[1:]} == {"already_handed_over"}
    d.refresh_from_db()
    assert d.status == 4 and d.version == 1
    (desk, _, desk_done), (appraisal, appraisal_start, appraisal_done), (approval, approval_start, _) = steps(d)
    assert desk_done is not None and appraisal_start is not None
    assert appraisal_done is None and approval_start is None  # the officer's and the head's steps untouched
    assert TimelineEvent.objects.filter(dossier=d, action="transfer").count() == 1


def test_a_retry_with_the_version_seen_is_a_409_concurrent_change(api, staff, make_dossier):
    d = make_dossier(2)
    first = act(api, staff.desk, d, "transfer", expected_version=0)
    retry = act(api, staff.desk, d, "transfer", expected_version=0)
    assert (first.status_code, retry.status_code) == (200, 409)
    assert retry.json()["code"] == "concurrent_change"


def test_only_the_holder_finishes_a_step(api, staff, make_dossier):
    d = make_dossier(4)  # at the appraisal, assigned to the officer
    for user in (staff.head, staff.desk2, staff.manager):
        response = act(api, user, d, "transfer")
        assert response.status_code in (403, 404), (user, response.content)
    assert act(api, staff.head, d, "transfer").json()["code"] == "not_step_holder"
    assert Dossier.objects.get(pk=d.pk).version == d.version
    # The officer holds it: hands it to the head; a second click is the repeat.
    assert act(api, staff.officer, d, "transfer", assignee=staff.head.username).status_code == 200
    assert act(api, staff.officer, d, "transfer").json()["code"] == "already_handed_over"
    # The approval is the head's: the desk cannot close it either.
    assert act(api, staff.desk, d, "transfer").status_code == 403


def test_an_unassigned_step_is_held_by_the_role_at_its_agency_and_department(api, staff, make_dossier, org,
                                                                              make_user):
    d = make_dossier(2)
    d = services.transfer(d, actor=staff.desk)  # the appraisal starts with nobody assigned
    appraisal = Step.objects.get(dossier=d, order=2)
    department = Department.objects.get(agency=org.commune, code="VP")
    other = Department.objects.create(agency=org.commune, code="KT", name="Phòng Kinh tế")
    appraisal.department = department
    appraisal.save(update_fields=["department"])
    elsewhere = make_user(roles=[])
    StaffMembership.objects.create(user=elsewhere, agency=org.commune, role=Role.PROCESSING_OFFICER, department=other)
    assert act(api, elsewhere, d, "transfer").status_code == 403
    # `staff.officer` works for the whole agency (no department): holds it.
    assert act(api, staff.officer, d, "transfer").status_code == 200


@pytest.mark.parametrize("status, action, user, body", [
    (1, "receive", "desk", {}),
    (4, "request-supplement", "officer", {"items": ["Bản sao"], "reason": "Thiếu"}),
    (4, "request-payment", "officer", {"amount": 15000}),
    (6, "confirm-payment", "desk", {}),
    (4, "decide", "head", {"result": "Đã cấp"}),
    (9, "return", "desk", {}),
    (4, "withdraw", "desk", {"reason": "Không cần nữa"}),
    (7, "stop", "desk", {"reason": "Rút"}),
    (4, "refuse", "officer", {"reason": "Không đủ điều kiện"}),
])
def test_every_action_sent_twice_changes_the_dossier_once(api, staff, make_dossier, procedure, make_user, org,
                                                          status, action, user, body):
    from tests.dossiers.conftest import APPLICANT

    if status == 1:
        citizen = make_user()
        d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune,
                                   applicant=dict(APPLICANT))
        d = services.receive(d, actor=staff.desk)  # the first; the API sends the second
        d.refresh_from_db()
        response = act(api, staff.desk, d, action, **body)
        assert response.status_code == 409
        return
    d = make_dossier(status)
    actor = getattr(staff, user)
    first = act(api, actor, d, action, **body)
    assert first.status_code == 200, first.content
    version = Dossier.objects.get(pk=d.pk).version
    second = act(api, actor, d, action, **body)
    assert second.status_code == 409, second.content
    assert Dossier.objects.get(pk=d.pk).version == version


def test_assigning_the_same_officer_twice_is_harmless(api, staff, make_dossier):
    d = make_dossier(4)
    first = act(api, staff.head, d, "assign", assignee=staff.officer.username)
    second = act(api, staff.head, d, "assign", assignee=staff.officer.username)
    assert (first.status_code, second.status_code) == (200, 200)
    assert Step.objects.get(dossier=d, order=2).assignee == staff.officer


def test_the_page_offers_transfer_only_to_the_holder(client, staff, make_dossier):
    d = make_dossier(4)
    client.force_login(staff.desk)
    assert "thao-tac/transfer/" not in client.get(f"/ho-so/{d.code}/").content.decode()
    client.force_login(staff.officer)
    assert "thao-tac/transfer/" in client.get(f"/ho-so/{d.code}/").content.decode()
