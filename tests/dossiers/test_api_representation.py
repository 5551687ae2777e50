"""The fast list rows and detail (`dossiers/api/representations.py`) say exactly what the serializers say,
and the list and detail keep their query budgets at 1, 10 and more rows."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from dossiers import selectors, services
from dossiers.api import representations
from dossiers.api.serializers import DossierDetailSerializer, DossierListSerializer
from dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db

APPLICANT = {"full_name": "Trần Thị Bình", "id_number": "079123456780", "phone": "0987654321",
             "email": "binh@example.vn", "address": "Thôn 2"}


@pytest.fixture
def dossiers(make_dossier, staff, make_user):
    made = [make_dossier(status) for status in (2, 4, 5, 6, 8, 9, 10)]
    late = make_dossier(4, received_at=timezone.now() - timedelta(days=20))
    citizen = make_user()
    online = services.submit_online(citizen=citizen, procedure=made[0].procedure, agency=made[0].agency,
                                    applicant=dict(APPLICANT))
    return [*made, late, online], citizen


def _serializer_detail(dossier, user):
    context = {"staff": selectors.is_staff_viewer(user), "available_actions": selectors.actions_available(dossier, user)}
    return DossierDetailSerializer(dossier, context=context).data


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_detail_matches_the_serializer(dossiers, staff, language):
    made, citizen = dossiers
    with translation.override(language):
        for user in (staff.desk, staff.officer, staff.head, staff.manager, citizen):
            for d in selectors.dossier_detail_queryset().filter(pk__in=[x.pk for x in made]):
                actions = selectors.actions_available(d, user)
                fast = representations.detail(d, staff=selectors.is_staff_viewer(user), available_actions=actions)
                assert fast == _serializer_detail(d, user), (d.status, user)


def test_the_list_rows_match_the_serializer(dossiers):
    made, _citizen = dossiers
    rows = list(selectors.dossier_list_queryset().filter(pk__in=[x.pk for x in made]))
    assert representations.list_items(rows) == DossierListSerializer(rows, many=True).data


def test_datetimes_are_written_like_drf_also_in_utc():
    moment = timezone.now()
    with timezone.override("UTC"):
        assert representations.iso(moment) == DossierListSerializer().fields["received_at"].to_representation(moment)
        assert representations.iso(moment).endswith("Z")
    assert representations.iso(None) is None


def test_the_list_api_answers_like_the_serializer_with_its_links(api, staff, make_dossier):
    made = [make_dossier(4) for _ in range(5)]
    response = api.as_user(staff.desk).get("/api/v1/dossiers/?page_size=2&page=2&status=4")
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 5
    # `next` continues after the page's last row (a keyset cursor, dossiers.lists.Cursor), keeping the filters.
    assert "cursor=" in body["next"] and "page=" not in body["next"] and "status=4" in body["next"]
    assert "page=" not in body["previous"]
    expected = DossierListSerializer(
        selectors.dossier_list_queryset().filter(pk__in=[d.pk for d in made]).order_by("-received_at", "-id")[2:4],
        many=True).data
    assert body["results"] == expected


def test_a_page_past_the_end_is_404_and_an_empty_list_is_zero(api, staff, make_dossier):
    make_dossier(4)
    client = api.as_user(staff.desk)
    assert client.get("/api/v1/dossiers/?page=2").status_code == 404
    empty = client.get("/api/v1/dossiers/?status=9").json()
    assert empty == {"count": 0, "count_capped": False, "next": None, "previous": None, "results": []}
    # As every list of the API: a page is a positive number.
    assert client.get("/api/v1/dossiers/?page=last").status_code == 400
    assert client.get("/api/v1/dossiers/?page=0").status_code == 400


@pytest.mark.parametrize("rows", [1, 10, 25])
def test_the_list_costs_the_same_queries_at_any_size(api, staff, make_dossier, rows, django_assert_max_num_queries):
    for _ in range(rows):
        make_dossier(4)
    client = api.as_user(staff.desk)
    # token with the user's memberships, the page's ids with the total, the rows with their relations
    # The token with the memberships, SET LOCAL statement_timeout, the page, its capped count (+ the
    # session's own on some paths): constant in the number of rows, which is what this guards.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/dossiers/?page_size=100&status=4")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rounds", [0, 1, 3])
def test_the_detail_costs_at_most_six_queries(api, staff, make_dossier, rounds, django_assert_max_num_queries):
    d = make_dossier(4)
    for _ in range(rounds):  # more steps, events and components
        d = services.request_supplement(d, actor=staff.officer, items=["Bản sao"], reason="Thiếu")
        d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Bản sao", "kind": "copy"}])
    client = api.as_user(staff.desk)
    # The token with the user and the memberships; the dossier with its relations and its four lists
    # (one statement on PostgreSQL, five elsewhere); the national sync state (one).
    budget = 3 if connection.vendor == "postgresql" and settings.DATABASE_PREPARED_READS else 7
    with django_assert_max_num_queries(budget):
        response = client.get(f"/api/v1/dossiers/{d.code}/")
    assert response.status_code == 200
    assert response.json()["status"] == Status.PROCESSING
    assert len(response.json()["timeline"]) == Dossier.objects.get(pk=d.pk).events.count()


def test_the_detail_loaded_row_by_row_is_the_detail_of_the_queryset(dossiers, staff):
    made, citizen = dossiers
    for d in made:
        fast = selectors.load_dossier_detail(pk=d.pk)
        slow = selectors.dossier_detail_queryset().get(pk=d.pk)
        for user in (staff.desk, staff.head, citizen):
            actions = selectors.actions_available(slow, user)
            assert selectors.actions_available(fast, user) == actions
            staff_view = selectors.is_staff_viewer(user)
            assert representations.detail(fast, staff=staff_view, available_actions=actions) == \
                representations.detail(slow, staff=staff_view, available_actions=actions)


def test_can_see_says_what_visible_dossiers_says(dossiers, staff, make_dossier, province_procedure, make_user):
    made, citizen = dossiers
    routed = make_dossier(4, procedure=province_procedure)  # a step at the province (liên thông)
    other = make_dossier(2, actor=staff.desk2)
    outsider = make_user()
    inactive = make_user(is_active=False)
    users = [staff.desk, staff.officer, staff.head, staff.manager, staff.desk2, staff.province_officer, citizen,
             outsider, inactive, None]
    for d in [*made, routed, other]:
        for user in users:
            expected = user is not None and selectors.visible_dossiers(user).filter(pk=d.pk).exists()
            loaded = selectors.load_dossier_detail(pk=d.pk)
            assert selectors.can_see(user, loaded) == expected, (d.status, getattr(user, "username", None))


def test_the_detail_of_a_dossier_outside_the_scope_is_404_like_a_missing_one(api, staff, make_dossier):
    d = make_dossier(2)
    client = api.as_user(staff.desk2)
    outside, missing = client.get(f"/api/v1/dossiers/{d.code}/"), client.get("/api/v1/dossiers/NOPE-1/")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert api.as_user(staff.desk).get(f"/api/v1/dossiers/{d.code}/").status_code == 200


def _intake_bodies(procedure, province_procedure, staff_procedure_component):
    applicant = dict(APPLICANT)
    return [
        {"procedure": procedure.code, "applicant": applicant},
        {"procedure": procedure.code, "applicant": applicant, "summary": "Có giấy tờ",
         "components": [{"name": "Tờ khai", "kind": "original", "count": 2}, *staff_procedure_component]},
        {"procedure": procedure.code, "applicant": applicant,
         "received_at": (timezone.localtime() - timedelta(days=2)).replace(hour=9, minute=0).isoformat()},
        {"procedure": province_procedure.code, "applicant": applicant},
        {"procedure": procedure.code, "applicant": applicant, "outcome": "supplement", "items": ["Bản sao CCCD"],
         "reason": "Thiếu"},
        {"procedure": procedure.code, "applicant": applicant, "outcome": "refuse", "reason": "Không thuộc thẩm quyền"},
    ]


def test_the_intake_answer_is_the_detail_read_back(api, staff, procedure, province_procedure):
    component = procedure.components.first()
    extra = [{"component": component.pk}] if component else []
    client = api.as_user(staff.desk)
    for i, body in enumerate(_intake_bodies(procedure, province_procedure, extra)):
        created = client.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"same-{i}")
        assert created.status_code == 201, created.content
        answer = created.json()
        assert client.get(f"/api/v1/dossiers/{answer['reference']}/").json() == answer
        again = client.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"same-{i}")
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert again.json() == answer


def test_the_intake_answer_costs_no_read_back(api, staff, procedure, django_assert_max_num_queries):
    client = api.as_user(staff.desk)
    client.post("/api/v1/dossiers/", {"procedure": procedure.code, "applicant": dict(APPLICANT)}, format="json")
    # token, procedure, desk agency, idempotency key, the procedure's steps (and a department), the code
    # number, the dossier and its history, the steps and theirs, the event, the notices, and the
    # transaction's own statements, the register's yearly number and the national portal's outbox row;
    # nothing read back afterwards.
    with django_assert_max_num_queries(19):
        response = client.post("/api/v1/dossiers/", {"procedure": procedure.code, "applicant": dict(APPLICANT)},
                               format="json", HTTP_IDEMPOTENCY_KEY="budget")
    assert response.status_code == 201


def test_a_managers_detail_adds_one_query_for_the_agencies_under_theirs(api, staff, make_dossier,
                                                                         django_assert_max_num_queries):
    d = make_dossier(4)
    client = api.as_user(staff.manager)
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 8):  # + national sync state
        response = client.get(f"/api/v1/dossiers/{d.code}/")
    assert response.status_code == 200
