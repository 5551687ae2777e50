"""What desk, processing officers and managers notice in their first week (issue 16): names family name
first, complete supplements only, the handler of a step, the draft result, the due-soon window, the small
slips (notice text, download names, the citizen's timeline, statuses without their number)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from dossiers import services
from dossiers.models import Dossier, Status, TimelineEvent
from dossiers.supplements import answer
from notices.models import Notice
from organisation.errors import NotAllowed, ValidationFailed
from organisation.names import display_name, join_name, split_name
from procedures.models import TimeUnit

from .conftest import APPLICANT

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def at(text):
    return time_machine.travel(f"{text} +0700", tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- 1. names ----------------------------------------------------------------------------------------


def test_display_name_is_family_name_first(make_user):
    lan = make_user("lan", first_name="Lan", last_name="Nguyễn Thị")
    assert display_name(lan) == "Nguyễn Thị Lan"
    assert display_name(make_user("x")) == "x"
    assert display_name(None) == ""
    assert split_name(" Quản  trị hệ thống ") == ("Quản trị hệ", "thống")
    assert join_name(*split_name("Quản trị hệ thống")) == "Quản trị hệ thống"
    assert Template("{% load people %}{{ u|full_name }}").render(Context({"u": lan})) == "Nguyễn Thị Lan"


def test_names_on_the_page_the_journal_and_the_assignee_list(client, staff, make_dossier):
    for user, (family, given) in ((staff.desk, ("Nguyễn Thị", "Lan")), (staff.officer, ("Lê Quang", "Huy")),
                                  (staff.head, ("Trần Văn", "Hùng"))):
        user.last_name, user.first_name = family, given
        user.save()
    d = make_dossier(4)
    client.force_login(staff.head)
    html = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Nguyễn Thị Lan" in html and "Lê Quang Huy" in html
    assert "Lan Nguyễn Thị" not in html and "Huy Lê Quang" not in html
    assert TimelineEvent.objects.filter(dossier=d, actor=staff.desk).first().actor_name == "Nguyễn Thị Lan"


def test_admin_shows_names_family_name_first(client, make_user):
    admin = make_user("admin", first_name="thống", last_name="Quản trị hệ", is_staff=True, is_superuser=True)
    make_user("lan", first_name="Lan", last_name="Nguyễn Thị")
    client.force_login(admin)
    html = client.get("/admin/auth/user/").content.decode()
    assert "Nguyễn Thị Lan" in html and "Quản trị hệ thống" in html and "thống Quản trị hệ" not in html


def test_the_data_migration_rewrites_old_journal_names(staff, make_dossier):
    import importlib

    migration = importlib.import_module("dossiers.migrations.0008_h16_names_family_first")
    staff.desk.first_name, staff.desk.last_name = "Lan", "Nguyễn Thị"
    staff.desk.save()
    d = make_dossier(2)
    TimelineEvent.objects.filter(dossier=d).update(actor_name="Lan Nguyễn Thị")  # as written before
    migration.forwards(apps, None)
    assert d.events.get().actor_name == "Nguyễn Thị Lan"
    migration.backwards(apps, None)
    assert d.events.get().actor_name == "Lan Nguyễn Thị"


# --- 2. supplements ----------------------------------------------------------------------------------


def test_answer_rule():
    items = ["Bản sao CCCD", "Ảnh 4x6"]
    assert answer(items, [], ["ban sao cccd"]) == (["Bản sao CCCD"], ["Ảnh 4x6"])
    assert answer(items, ["Bản sao CCCD"], ["- Ảnh 4x6"]) == (items, [])
    assert answer(items, [], ["Giấy khác"]) == ([], items)


@pytest.fixture
def waiting(make_dossier, staff):
    with at("2026-11-23 08:00"):
        d = make_dossier(4)
    with at("2026-11-24 09:00"):
        return services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD", "Ảnh 4x6"],
                                           reason="Thiếu giấy tờ.")


def test_a_partial_reply_keeps_the_dossier_waiting_and_says_what_is_missing(waiting, staff):
    with at("2026-11-25 10:00"):
        d = services.supplement_received(waiting, actor=staff.desk, components=[{"name": "Bản sao CCCD"}])
    assert d.status == Status.SUPPLEMENT_REQUESTED
    round_ = d.supplements.get()
    assert round_.replied_at is None and round_.answered_items == ["Bản sao CCCD"]
    assert round_.missing_items == ["Ảnh 4x6"]
    assert d.components.filter(supplement_round=1).count() == 1  # what came is kept
    notice = Notice.objects.get(dossier=d, event="supplement_incomplete", channel="sms")
    assert "Ảnh 4x6" in notice.body and d.code in notice.body
    assert TimelineEvent.objects.filter(dossier=d, action="supplement-partial").exists()
    # The rest arrives: the round closes and processing resumes.
    with at("2026-11-26 09:00"):
        d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Ảnh 4x6"}])
    assert d.status == Status.PROCESSING and d.supplements.get().replied_at is not None


def test_an_officer_may_accept_an_incomplete_reply_only_with_a_note(waiting, staff):
    with pytest.raises(ValidationFailed) as info:
        services.supplement_received(waiting, actor=staff.desk, components=[{"name": "Bản sao CCCD"}],
                                     accept_incomplete=True)
    assert "note" in info.value.fields
    assert Dossier.objects.get(pk=waiting.pk).status == Status.SUPPLEMENT_REQUESTED
    d = services.supplement_received(waiting, actor=staff.desk, components=[{"name": "Bản sao CCCD"}],
                                     accept_incomplete=True, note="Ảnh đã có trong hồ sơ gốc")
    assert d.status == Status.PROCESSING
    assert d.supplements.get().accepted_note == "Ảnh đã có trong hồ sơ gốc"
    assert "Ảnh đã có trong hồ sơ gốc" in d.events.filter(action="supplement").get().note


def test_the_citizen_cannot_accept_an_incomplete_reply(staff, make_user, procedure, org):
    citizen = make_user()
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    d = services.request_supplement(d, actor=staff.desk, items="Bản sao CCCD\nGiấy khai sinh", reason="Thiếu")
    with pytest.raises(NotAllowed):
        services.supplement_received(d, actor=citizen, components=[{"name": "Bản sao CCCD"}],
                                     accept_incomplete=True, note="đủ rồi")
    d = services.supplement_received(d, actor=citizen, components=[{"name": "Bản sao CCCD"}])
    assert d.status == Status.SUPPLEMENT_REQUESTED


def test_the_supplement_notice_names_the_dossier_and_the_deadline(waiting):
    notice = Notice.objects.get(dossier=waiting, event="supplement_requested", channel="sms")
    assert waiting.code in notice.subject and waiting.code in notice.body
    assert ".." not in notice.body and "Thiếu giấy tờ. Hạn bổ sung" in notice.body
    round_ = waiting.supplements.get()
    # Five working days from Tuesday 24/11 09:00: Tuesday 01/12 09:00.
    assert round_.deadline_at == datetime(2026, 12, 1, 9, 0, tzinfo=VN)
    assert "09:00 01/12/2026" in notice.body
    assert "tính lại" in notice.body  # received: the time limit restarts


def test_the_desk_screen_ticks_the_items_received(client, waiting, staff):
    client.force_login(staff.desk)
    html = client.get(f"/ho-so/{waiting.code}/").content.decode()
    assert 'value="Ảnh 4x6"' in html and "Chấp nhận hồ sơ bổ sung là đầy đủ" in html
    response = client.post(f"/ho-so/{waiting.code}/thao-tac/supplement/",
                           {"version": waiting.version, "received": ["Ảnh 4x6"]})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.SUPPLEMENT_REQUESTED
    page = client.get(response["Location"]).content.decode()
    assert "còn thiếu Bản sao CCCD" in page


# --- 3. the handler of a step -----------------------------------------------------------------------


def test_the_person_who_completes_a_step_is_its_handler(client, make_dossier, staff):
    d = make_dossier(2)
    d = services.transfer(d, actor=staff.desk)  # to appraisal, nobody chosen
    step = d.steps.get(order=2)
    assert step.assignee is None
    staff.officer.last_name, staff.officer.first_name = "Lê Quang", "Huy"
    staff.officer.save()
    d = services.transfer(d, actor=staff.officer)
    step.refresh_from_db()
    assert step.finished_by == staff.officer and step.handler == staff.officer
    client.force_login(staff.desk)
    html = client.get(f"/ho-so/{d.code}/").content.decode()
    row = html[html.index("Thẩm định"):]
    row = row[:row.index("</tr>")]
    assert "Lê Quang Huy" in row and "Chưa giao" not in row


# --- 4. the draft result ----------------------------------------------------------------------------


def test_the_officer_drafts_the_result_and_the_head_approves_it(client, make_dossier, staff):
    d = make_dossier(4)
    with pytest.raises(NotAllowed):
        services.draft_result(d, actor=staff.desk, result="x")
    client.force_login(staff.officer)
    response = client.post(f"/ho-so/{d.code}/thao-tac/draft-result/", {
        "version": d.version, "result": "Cấp giấy xác nhận tình trạng hôn nhân",
        "result_file": SimpleUploadedFile("du-thao.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.draft_result_by == staff.officer and d.draft_result_file
    client.force_login(staff.head)
    html = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Dự thảo kết quả" in html and f"/ho-so/{d.code}/du-thao/" in html
    draft = client.get(f"/ho-so/{d.code}/du-thao/")
    assert draft.status_code == 200 and f"{d.code}-du-thao-ket-qua.pdf" in draft["Content-Disposition"]
    # The head approves without retyping: the draft becomes the result.
    response = client.post(f"/ho-so/{d.code}/thao-tac/decide/", {"version": d.version, "result": ""})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.DECIDED and d.result_text == "Cấp giấy xác nhận tình trạng hôn nhân"
    assert d.result_file.name == d.draft_result_file.name
    result = client.get(f"/ho-so/{d.code}/ket-qua/")
    assert f'filename="{d.code}-ket-qua.pdf"' in result["Content-Disposition"]


# --- 5. due soon ------------------------------------------------------------------------------------


def test_a_same_day_dossier_is_not_due_soon_at_receipt(staff, make_procedure):
    same_day = make_procedure(amount=1, unit=TimeUnit.SAME_DAY)
    with at("2026-11-24 08:00"):
        d = services.intake(actor=staff.desk, procedure=same_day, applicant=dict(APPLICANT))
    assert d.due_soon_at > d.received_at
    three_days = make_procedure(amount=3)
    with at("2026-11-23 08:00"):
        d = services.intake(actor=staff.desk, procedure=three_days, applicant=dict(APPLICANT))
    # Longer dossiers: one working day (DUE_SOON_WORKING_HOURS = 8) before the appointment.
    assert d.appointment_at == datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    assert d.due_soon_at == datetime(2026, 11, 25, 8, 0, tzinfo=VN)


# --- 8. small slips ----------------------------------------------------------------------------------


def test_statuses_without_their_number_and_the_citizens_timeline_without_repeats(client, staff, make_dossier,
                                                                                   make_user):
    d = make_dossier(10)
    client.force_login(staff.desk)
    html = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "10. Đã trả kết quả" not in html and "Đã trả kết quả" in html
    assert "9. Đã xử lý xong" not in client.get("/ho-so/").content.decode()
    citizen = make_user()
    Dossier.objects.filter(pk=d.pk).update(citizen=citizen)
    client.force_login(citizen)
    page = client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()
    assert "Đã trả kết quả → Đã trả kết quả" not in page and "Đã trả kết quả" in page


def test_the_api_takes_the_new_fields(api, make_dossier, staff):
    d = make_dossier(4)
    url = f"/api/v1/dossiers/{d.code}/actions/"
    response = api.as_user(staff.officer).post(f"{url}request-supplement/", {
        "items": ["Bản sao CCCD", "Ảnh 4x6"], "reason": "Thiếu", "deadline_at": "2026-12-31T17:00:00+07:00"},
        format="json")
    assert response.status_code == 200, response.content
    assert d.supplements.get().deadline_at == datetime(2026, 12, 31, 17, 0, tzinfo=VN)
    response = api.as_user(staff.desk).post(f"{url}supplement/", {"components": [{"name": "Ảnh 4x6"}]},
                                            format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.SUPPLEMENT_REQUESTED
    response = api.as_user(staff.desk).post(f"{url}supplement/", {
        "components": [], "accept_incomplete": True, "note": "Đã đối chiếu bản chính"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.PROCESSING
    response = api.as_user(staff.officer).post(f"{url}draft-result/", {"result": "Dự thảo"}, format="json")
    assert response.status_code == 200
    steps = api.as_user(staff.desk).get(f"/api/v1/dossiers/{d.code}/").json()["steps"]
    assert steps[0]["finished_by"] == display_name(staff.desk)
