"""The staff inbox of in-app notices: the page, the API, the unread counter, and who sees what."""

import itertools
from datetime import timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from notices.context_processors import unread_notices
from notices.models import Notice, NoticeChannel, NoticeStatus

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)
URL = "/api/v1/notifications/"


def in_app(user, subject="Hồ sơ sắp đến hạn", read=False, dossier=None, event="due_soon"):
    return Notice.objects.create(
        event=event, channel=NoticeChannel.IN_APP, recipient=user.username, user=user, subject=subject,
        body="Nội dung", status=NoticeStatus.SENT, dossier=dossier, dedupe_key=f"inbox:{next(_keys)}",
        read_at=timezone.now() if read else None,
    )


@pytest.fixture
def mailbox(staff):
    """Three notices of the officer created a minute apart (the middle one read), one of the head."""
    with time_machine.travel(timezone.now() - timedelta(minutes=10), tick=False) as clock:
        old = in_app(staff.officer, "Cũ nhất")
        clock.shift(timedelta(minutes=1))
        read = in_app(staff.officer, "Đã đọc", read=True)
        clock.shift(timedelta(minutes=1))
        new = in_app(staff.officer, "Mới nhất")
        in_app(staff.head, "Của lãnh đạo")
    Notice.objects.create(event="received", channel=NoticeChannel.EMAIL, recipient="x@example.vn",
                          user=staff.officer, subject="Thư", body="b", dedupe_key="inbox:mail")
    return old, read, new


def test_the_page_lists_own_in_app_notices_unread_first(client, staff, mailbox):
    client.force_login(staff.officer)
    response = client.get(reverse("notices:inbox"))
    assert response.status_code == 200
    subjects = [n.subject for n in response.context["page"].object_list]
    assert subjects == ["Mới nhất", "Cũ nhất", "Đã đọc"]
    html = response.content.decode()
    assert "Của lãnh đạo" not in html and "Thư" not in subjects
    assert "2 thông báo chưa đọc" in html


def test_unread_only(client, staff, mailbox):
    client.force_login(staff.officer)
    response = client.get(reverse("notices:inbox") + "?chua-doc=1")
    assert [n.subject for n in response.context["page"].object_list] == ["Mới nhất", "Cũ nhất"]


def test_mark_one_and_all_read(client, staff, mailbox):
    old, _read, new = mailbox
    client.force_login(staff.officer)
    response = client.post(reverse("notices:mark_read"), {"id": new.pk, "next": "/thong-bao/?chua-doc=1"})
    assert response.status_code == 302 and response["Location"] == "/thong-bao/?chua-doc=1"
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.read_at is not None and old.read_at is None
    client.post(reverse("notices:mark_read"))
    assert not Notice.objects.filter(user=staff.officer, channel=NoticeChannel.IN_APP, read_at__isnull=True).exists()
    assert Notice.objects.get(user=staff.head).read_at is None


def test_nobody_marks_someone_elses_notice(client, staff, mailbox):
    client.force_login(staff.head)
    client.post(reverse("notices:mark_read"), {"id": mailbox[2].pk})
    mailbox[2].refresh_from_db()
    assert mailbox[2].read_at is None


def test_an_outside_next_is_ignored(client, staff, mailbox):
    client.force_login(staff.officer)
    response = client.post(reverse("notices:mark_read"), {"id": mailbox[0].pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("notices:inbox")


def test_a_bad_id_is_a_message_not_an_error(client, staff):
    client.force_login(staff.officer)
    response = client.post(reverse("notices:mark_read"), {"id": "abc"}, follow=True)
    assert response.status_code == 200 and "không hợp lệ" in response.content.decode()


def test_the_page_needs_a_login(client):
    response = client.get(reverse("notices:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_notice_links_to_its_dossier_for_staff(client, staff, make_dossier):
    d = make_dossier(2)
    in_app(staff.officer, dossier=d)
    client.force_login(staff.officer)
    html = client.get(reverse("notices:inbox")).content.decode()
    assert reverse("dossiers:detail", args=[d.code]) in html


@pytest.mark.parametrize("rows", [1, 10, 30])
def test_the_page_costs_the_same_whatever_the_rows(client, staff, make_dossier, rows, django_assert_max_num_queries):
    d = make_dossier(2)
    for _ in range(rows):
        in_app(staff.officer, dossier=d)
    client.force_login(staff.officer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("notices:inbox")).status_code == 200


def test_the_api_lists_own_notifications_paginated(api, staff, mailbox):
    body = api.as_user(staff.officer).get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and body["next"] and len(body["results"]) == 2
    first = body["results"][0]
    assert set(first) == {"id", "event", "subject", "body", "dossier", "created_at", "read_at", "is_read"}
    assert first["subject"] == "Mới nhất" and first["is_read"] is False and first["created_at"].endswith("+07:00")
    assert [r["subject"] for r in api.get(URL, {"unread": "true"}).json()["results"]] == ["Mới nhất", "Cũ nhất"]
    assert [r["subject"] for r in api.get(URL, {"unread": "false"}).json()["results"]] == ["Đã đọc"]


def test_the_api_marks_read(api, staff, mailbox):
    old, _read, new = mailbox
    response = api.as_user(staff.officer).post(URL + "read/", {"ids": [old.pk]}, format="json")
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert api.post(URL + "read/", {}, format="json").json() == {"marked": 1}
    assert api.get(URL, {"unread": "true"}).json()["count"] == 0


@pytest.mark.parametrize("params, field", [({"unread": "maybe"}, "unread"), ({"page_size": 500}, "page_size")])
def test_the_api_refuses_bad_filters(api, staff, params, field):
    response = api.as_user(staff.officer).get(URL, params)
    assert response.status_code == 400 and field in response.json()["fields"]


def test_the_api_refuses_bad_ids(api, staff):
    response = api.as_user(staff.officer).post(URL + "read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_api_needs_a_login(api):
    assert api.get(URL).status_code == 401


def test_the_api_is_in_the_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/notifications/" in schema["paths"] and "/api/v1/notifications/read/" in schema["paths"]


def test_the_unread_counter_is_lazy_and_per_user(staff, mailbox, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = staff.officer
    with django_assert_num_queries(0):
        context = unread_notices(request)
    template = Template('{% include "notices/_unread_link.html" %}')
    with django_assert_num_queries(1):
        html = template.render(Context(context))
    assert ">2</span>" in html and reverse("notices:inbox") in html


def test_no_counter_for_anonymous_visitors():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread_notices(request) == {"unread_notice_count": 0}
