"""Feedback and complaints (phản ánh, kiến nghị): from anyone, optionally about one's own dossier; the
agency's staff refuse, ask for more or answer within the working-time deadlines; the sweep flags the late
ones and tells the staff; published answers are public; the submitter rates the answer once."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from citizens import services
from citizens.deadlines import sweep_feedback
from citizens.models import Feedback, FeedbackStatus
from notices.models import Notice
from organisation.errors import ActionNotAllowed, NotAllowed

from .conftest import login

pytestmark = pytest.mark.django_db


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@time_machine.travel("2026-11-23 09:00 +0700", tick=False)
def test_anonymous_feedback_gets_working_day_deadlines_and_a_private_link(org):
    browser = Client()
    response = browser.post("/cong-dan/phan-anh/gui/", {
        "agency": org.commune.pk, "name": "Phạm Văn Cường", "phone": "0903 111 222", "email": "",
        "subject": "Chờ lâu tại quầy", "body": "Tôi phải chờ hơn hai giờ.", "is_complaint": "on"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.citizen is None and feedback.phone == "0903111222" and feedback.is_complaint
    assert f"token={feedback.access_token}" in response["Location"]
    # Monday 09:00: 2, 5 and 15 working days (8 working hours each) on the national calendar.
    assert local(feedback.refuse_due_at) == "2026-11-25 09:00"
    assert local(feedback.info_due_at) == "2026-11-30 09:00"
    assert local(feedback.answer_due_at) == "2026-12-14 09:00"
    assert Notice.objects.filter(recipient="0903111222", event="feedback_received").exists()
    page = browser.get(response["Location"])
    assert page.status_code == 200 and "Chờ lâu tại quầy" in page.content.decode()
    # Without the token, or with a wrong one: 404.
    assert Client().get(f"/cong-dan/phan-anh/{feedback.pk}/").status_code == 404
    assert Client().get(f"/cong-dan/phan-anh/{feedback.pk}/?token=abc").status_code == 404


def test_feedback_needs_a_way_to_answer_and_names_the_fields(org):
    response = Client().post("/cong-dan/phan-anh/gui/", {"agency": org.commune.pk, "name": "", "subject": "",
                                                         "body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("name", "subject", "body", "phone"):
        assert f'id="id_{field}_error"' in html
    assert not Feedback.objects.exists()


def test_feedback_about_own_dossier_goes_to_its_agency_and_not_about_others(citizen, other_citizen, org,
                                                                             online_dossier):
    dossier = online_dossier(citizen, status=4)
    browser = login(citizen)
    page = browser.get(f"/cong-dan/phan-anh/gui/?ho-so={dossier.code}").content.decode()
    assert f'value="{dossier.code}" selected' in page
    response = browser.post("/cong-dan/phan-anh/gui/", {
        "dossier": dossier.code, "agency": org.commune2.pk, "name": "Nguyễn Văn An", "subject": "Hồ sơ chậm",
        "body": "Đã quá hẹn."})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.dossier == dossier and feedback.agency == org.commune and feedback.citizen == citizen
    # Another citizen cannot attach it (not among their choices), nor over the API.
    other = login(other_citizen).post("/cong-dan/phan-anh/gui/", {
        "dossier": dossier.code, "agency": org.commune.pk, "name": "B", "subject": "x", "body": "y"})
    assert other.status_code == 400
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=other_citizen).key}")
    refused = api.post("/api/v1/feedback/", {"dossier": dossier.code, "subject": "x", "body": "y"}, format="json")
    assert refused.status_code == 400 and "dossier" in refused.json()["fields"]
    assert Feedback.objects.count() == 1


def make_feedback(org, **extra):
    return services.submit_feedback(agency=extra.pop("agency", org.commune), name="Lê Văn Dũng", phone="0903000111",
                                    subject=extra.pop("subject", "Góp ý"), body="Nội dung", **extra)


def test_staff_triage_refuse_ask_answer_and_publish(staff, org):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        refused = make_feedback(org, subject="Không thuộc thẩm quyền")
        asked = make_feedback(org, subject="Thiếu thông tin")
        answered = make_feedback(org, subject="Giờ làm việc thứ Bảy")
    # The agency's desk officers and heads are told in the portal; the other commune's are not.
    told = set(Notice.objects.filter(event="feedback_new", subject__contains=f"số {answered.pk}")
               .values_list("user__username", flat=True))
    assert told == {"motcua", "lanhdao"}
    desk = login(staff.desk)
    inbox = desk.get("/cong-dan/phan-anh/xu-ly/").content.decode()
    assert all(fb.subject in inbox for fb in (refused, asked, answered))
    with time_machine.travel("2026-11-24 10:00 +0700", tick=False):
        r = desk.post(f"/cong-dan/phan-anh/xu-ly/{refused.pk}/", {"action": "refuse", "reason": "Thuộc thẩm quyền tỉnh"})
        assert r.status_code == 302
        r = desk.post(f"/cong-dan/phan-anh/xu-ly/{asked.pk}/", {"action": "request-info", "question": "Số hồ sơ là gì?"})
        assert r.status_code == 302
        r = desk.post(f"/cong-dan/phan-anh/xu-ly/{answered.pk}/",
                      {"action": "answer", "answer": "Bộ phận một cửa làm việc sáng thứ Bảy.", "publish": "on"})
        assert r.status_code == 302
    refused.refresh_from_db(), asked.refresh_from_db(), answered.refresh_from_db()
    assert refused.status == FeedbackStatus.REFUSED and not refused.is_late
    assert asked.status == FeedbackStatus.NEEDS_INFO
    assert answered.status == FeedbackStatus.ANSWERED and answered.published and answered.answered_by == staff.desk
    assert Notice.objects.filter(event="feedback_answered", recipient="0903000111").exists()
    # Refusing what is already answered: 409 and nothing changes.
    again = desk.post(f"/cong-dan/phan-anh/xu-ly/{answered.pk}/", {"action": "refuse", "reason": "x"})
    assert again.status_code == 409
    answered.refresh_from_db()
    assert answered.status == FeedbackStatus.ANSWERED
    # An empty answer is named next to the field.
    empty = desk.post(f"/cong-dan/phan-anh/xu-ly/{asked.pk}/", {"action": "answer", "answer": ""})
    assert empty.status_code == 400 and 'id="id_answer_error"' in empty.content.decode()

    public = Client().get("/cong-dan/phan-anh/").content.decode()
    assert "Giờ làm việc thứ Bảy" in public and "sáng thứ Bảy" in public
    assert "Không thuộc thẩm quyền" not in public and "0903000111" not in public
    api_list = Client().get("/api/v1/feedback/").json()
    assert [item["subject"] for item in api_list["results"]] == ["Giờ làm việc thứ Bảy"]
    assert "phone" not in api_list["results"][0]


def test_citizen_reply_restarts_the_answer_clock(staff, org):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        fb = make_feedback(org)
        fb = services.request_feedback_info(fb, actor=staff.desk, question="Hồ sơ nào?")
    with time_machine.travel("2026-11-25 09:00 +0700", tick=False):
        page = Client().post(f"/cong-dan/phan-anh/{fb.pk}/?token={fb.access_token}",
                             {"reply": "Hồ sơ 000.01.01.H99-261120-0001", "token": fb.access_token})
        assert page.status_code == 302
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.RECEIVED and "261120-0001" in fb.citizen_reply
    assert local(fb.answer_due_at) == "2026-12-16 09:00"


def test_staff_of_another_agency_sees_nothing(staff, org):
    fb = make_feedback(org)
    other = login(staff.desk2)
    assert fb.subject not in other.get("/cong-dan/phan-anh/xu-ly/").content.decode()
    assert other.get(f"/cong-dan/phan-anh/xu-ly/{fb.pk}/").status_code == 404
    assert other.post(f"/cong-dan/phan-anh/xu-ly/{fb.pk}/", {"action": "answer", "answer": "x"}).status_code == 404
    # The province manager's scope covers the communes under it.
    assert login(staff.manager).get(f"/cong-dan/phan-anh/xu-ly/{fb.pk}/").status_code == 200
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.RECEIVED


def test_citizens_cannot_open_the_staff_inbox(citizen, org):
    fb = make_feedback(org)
    assert login(citizen).get("/cong-dan/phan-anh/xu-ly/").status_code == 404
    assert login(citizen).get(f"/cong-dan/phan-anh/xu-ly/{fb.pk}/").status_code == 404


def test_sweep_flags_late_feedback_and_tells_staff_once(staff, org):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        late = make_feedback(org, subject="Quá hạn")
        waiting = make_feedback(org, subject="Chờ bổ sung")
        services.request_feedback_info(waiting, actor=staff.desk, question="?")
        done = make_feedback(org, subject="Đã trả lời")
        services.answer_feedback(done, actor=staff.desk, answer="Đã xử lý")
    with time_machine.travel("2026-12-14 08:59 +0700", tick=False):
        assert sweep_feedback() == 0
    with time_machine.travel("2026-12-14 09:01 +0700", tick=False):
        assert sweep_feedback() == 1
        assert sweep_feedback() == 0
    late.refresh_from_db(), waiting.refresh_from_db(), done.refresh_from_db()
    assert late.is_late and not waiting.is_late and not done.is_late
    notified = set(Notice.objects.filter(event="feedback_late").values_list("user__username", flat=True))
    assert notified == {"motcua", "lanhdao"}
    assert Notice.objects.filter(event="feedback_late").count() == 2
    # An answer after the due time keeps the late verdict.
    with time_machine.travel("2026-12-15 09:00 +0700", tick=False):
        answered = services.answer_feedback(late, actor=staff.desk, answer="Xin lỗi vì chậm trễ")
    assert answered.is_late


def test_sweep_query_count_does_not_grow_with_rows(staff, org, django_assert_max_num_queries):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        for i in range(12):
            make_feedback(org, subject=f"PA {i}")
    with time_machine.travel("2026-12-31 09:00 +0700", tick=False):
        with django_assert_max_num_queries(6):
            assert sweep_feedback() == 12


def test_submitter_rates_the_answer_once(api, staff, org):
    fb = make_feedback(org)
    early = api.post(f"/api/v1/feedback/{fb.pk}/rating/", {"token": fb.access_token, "rating": "satisfied"},
                     format="json")
    assert early.status_code == 409
    services.answer_feedback(fb, actor=staff.desk, answer="Đã xử lý")
    wrong = api.post(f"/api/v1/feedback/{fb.pk}/rating/", {"token": "nope", "rating": "satisfied"}, format="json")
    assert wrong.status_code == 404
    ok = api.post(f"/api/v1/feedback/{fb.pk}/rating/", {"token": fb.access_token, "rating": "satisfied"},
                  format="json")
    assert ok.status_code == 200 and ok.json()["answer_rating"] == "satisfied"
    again = api.post(f"/api/v1/feedback/{fb.pk}/rating/", {"token": fb.access_token, "rating": "dissatisfied"},
                     format="json")
    assert again.status_code == 409


def test_feedback_api_for_staff(api, staff, org):
    created = api.post("/api/v1/feedback/", {"agency": org.commune.code, "name": "Hà", "email": "ha@example.vn",
                                             "subject": "Wifi", "body": "Không có wifi"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["access_token"]
    assert api.as_user(staff.desk2).get(f"/api/v1/feedback/{pk}/").status_code == 404
    answered = api.as_user(staff.desk).post(f"/api/v1/feedback/{pk}/actions/answer/",
                                            {"answer": "Đã lắp wifi", "publish": True}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    conflict = api.as_user(staff.desk).post(f"/api/v1/feedback/{pk}/actions/refuse/", {"reason": "x"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "action_not_allowed"
    from citizens.models import Feedback as F

    assert F.objects.get(pk=pk).status == "answered"


def test_a_higher_agencys_manager_reads_but_cannot_handle(staff, org):
    """The table's handlers are the agency's desk officers, officers and head; a province manager oversees."""
    fb = make_feedback(org)
    manager = login(staff.manager)
    page = manager.get(f"/cong-dan/phan-anh/xu-ly/{fb.pk}/").content.decode()
    assert 'value="answer"' not in page and "không giữ vai trò xử lý" in page
    r = manager.post(f"/cong-dan/phan-anh/xu-ly/{fb.pk}/", {"action": "answer", "answer": "Đã xem."})
    assert r.status_code == 403
    with pytest.raises(NotAllowed):
        services.answer_feedback(fb, actor=staff.manager, answer="Đã xem.")
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.RECEIVED and not fb.answer
    # The commune's processing officer may answer.
    services.answer_feedback(fb, actor=staff.officer, answer="Đã giải quyết.")
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.ANSWERED


def test_the_submitter_replies_only_when_asked_and_rates_only_answers(staff, org):
    fb = make_feedback(org)
    with pytest.raises(ActionNotAllowed):
        services.reply_feedback_info(fb, text="Thêm thông tin")
    with pytest.raises(ActionNotAllowed):
        services.rate_feedback_answer(fb, rating="satisfied")
    services.request_feedback_info(fb, actor=staff.desk, question="Địa chỉ?")
    services.reply_feedback_info(fb, text="Thôn 2")
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.RECEIVED and "Thôn 2" in fb.citizen_reply


def test_feedback_notices_take_their_words_from_the_messages_table(staff, org):
    fb = make_feedback(org, subject="Đèn đường")
    received = Notice.objects.get(event="feedback_received", channel="sms", recipient="0903000111")
    assert received.subject == f"Đã tiếp nhận phản ánh, kiến nghị số {fb.pk}"
    assert "“Đèn đường”" in received.body and org.commune.name in received.body
    services.refuse_feedback(fb, actor=staff.head, reason="Không thuộc thẩm quyền")
    refused = Notice.objects.get(event="feedback_refused", channel="sms")
    assert refused.body.endswith("Lý do: Không thuộc thẩm quyền")
