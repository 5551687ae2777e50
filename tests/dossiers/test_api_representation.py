"""The detail loaded in one query (`selectors.load_dossier_detail`: the lists as JSON through the ORM) is
the detail of the plain prefetching queryset, and the list and detail keep their query budgets at 1, 10
and more rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from dossiers import selectors, services
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
def test_the_detail_in_one_query_is_the_detail_of_the_prefetching_queryset(dossiers, staff, language):
    made, citizen = dossiers
    with translation.override(language):
        for user in (staff.desk, staff.officer, staff.head, staff.manager, citizen):
            for slow in selectors.dossier_detail_queryset().filter(pk__in=[x.pk for x in made]):
                fast = selectors.load_dossier_detail(pk=slow.pk)
                actions = selectors.actions_available(slow, user)
                assert selectors.actions_available(fast, user) == actions
                assert _serializer_detail(fast, user) == _serializer_detail(slow, user), (slow.status, user)


def test_the_list_rows_read_as_values_are_the_rows_of_the_models(dossiers):
    made, _citizen = dossiers
    ids = [x.pk for x in made]
    models = list(selectors.dossier_list_queryset().filter(pk__in=ids).order_by("pk"))
    rows = [selectors.DossierRow(*values) for values in
            Dossier.objects.filter(pk__in=ids).order_by("pk").values_list(*selectors.DossierRow.COLUMNS)]
    assert DossierListSerializer(rows, many=True).data == DossierListSerializer(models, many=True).data


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
    client.get("/api/v1/dossiers/?page_size=100&status=4")  # the token's owner is cached from here on
    # The time limit in its savepoint (SAVEPOINT, the timeout and custom plans set locally, RELEASE), the page (its rows
    # with their relations, as values), its capped count: constant in the number of rows.
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/dossiers/?page_size=100&status=4")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rounds", [0, 1, 3])
def test_the_detail_costs_at_most_two_queries(api, staff, make_dossier, rounds, django_assert_max_num_queries):
    d = make_dossier(4)
    for _ in range(rounds):  # more steps, events and components
        d = services.request_supplement(d, actor=staff.officer, items=["Bản sao"], reason="Thiếu")
        d = services.supplement_received(d, actor=staff.desk, components=[{"name": "Bản sao", "kind": "copy"}])
    client = api.as_user(staff.desk)
    client.get(f"/api/v1/dossiers/{d.code}/")  # the token's user and memberships are cached from here on
    # The dossier with its relations, its four lists, the national sync state and the caller's scope: one
    # query on PostgreSQL; the token costs none once cached (organisation.api.auth).
    budget = 1 if connection.vendor == "postgresql" else 7
    with django_assert_max_num_queries(budget):
        response = client.get(f"/api/v1/dossiers/{d.code}/")
    assert response.status_code == 200
    assert response.json()["status"] == Status.PROCESSING
    assert len(response.json()["timeline"]) == Dossier.objects.get(pk=d.pk).events.count()


def test_the_detail_in_one_query_carries_every_list_and_relation(dossiers, staff, django_assert_num_queries):
    made, citizen = dossiers
    for d in made:
        with django_assert_num_queries(1 if connection.vendor == "postgresql" else 5):
            loaded = selectors.load_dossier_detail(pk=d.pk)
            data = _serializer_detail(loaded, staff.desk)
        assert data["steps"] == _serializer_detail(selectors.dossier_detail_queryset().get(pk=d.pk),
                                                   staff.desk)["steps"]


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


@pytest.mark.parametrize("mapped", [False, True])
def test_the_intake_answer_is_the_detail_read_back(api, staff, procedure, province_procedure, mapped, settings):
    """The answer is built from what the intake wrote (its rows, its national sync state: the outbox rows
    its event wrote, whether the procedure has a national code), and is what the detail reads back."""
    if mapped:
        from national.models import ProcedureMapping

        settings.DVCQG_URL = "http://127.0.0.1:9/"  # enabled; nothing is sent (no worker runs here)
        ProcedureMapping.objects.create(procedure=procedure, national_code="1.004873")
    component = procedure.components.first()
    extra = [{"component": component.pk}] if component else []
    client = api.as_user(staff.desk)
    for i, body in enumerate(_intake_bodies(procedure, province_procedure, extra)):
        created = client.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"same-{i}")
        assert created.status_code == 201, created.content
        answer = created.json()
        assert client.get(f"/api/v1/dossiers/{answer['reference']}/").json() == answer
        expected = ("pending" if mapped else "no_national_code") if body["procedure"] == procedure.code else (
            "no_national_code")
        assert answer["national_sync"]["state"] == expected and answer["national_sync"]["enabled"] == mapped
        again = client.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"same-{i}")
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert again.json() == answer


def test_the_intake_answer_costs_no_read_back(api, staff, procedure, django_assert_max_num_queries):
    client = api.as_user(staff.desk)
    client.post("/api/v1/dossiers/", {"procedure": procedure.code, "applicant": dict(APPLICANT)}, format="json")
    # 1 the procedure with its steps and whether it has a national code (the desk's agency and the token
    # come from the cached token); 2 the transaction (a savepoint here, BEGIN in a real request); 3 the
    # day's code and the year's register number; 4 the dossier; 5 its steps; 6 the event; 7 the national
    # portal's outbox row; 8 the notices; 9 the savepoint's release (COMMIT). One more for the departments
    # when steps name any. Nothing read back afterwards: not the rows, not the national sync state.
    with django_assert_max_num_queries(9):
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


def test_the_api_detail_is_the_serializers_in_the_time_zone_of_the_request(api, dossiers, staff):
    """The API writes the detail with one serializer kept per thread, reading the time zone once per
    request (`one_time_zone`): the same JSON as a new serializer, in the zone active for that request."""
    from django.utils import timezone

    from dossiers.api.views import _serializers

    made, _citizen = dossiers
    client = api.as_user(staff.desk)
    for zone in ("Asia/Ho_Chi_Minh", "UTC"):
        with timezone.override(zone):
            for d in made:
                fast = selectors.load_dossier_detail(pk=d.pk)
                if fast is None or not selectors.can_see(staff.desk, fast):
                    continue
                answer = client.get(f"/api/v1/dossiers/{fast.reference}/").json()
                assert answer == _serializer_detail(fast, staff.desk)
                stamps = [answer["received_at"], *[e["at"] for e in answer["timeline"]]]
                assert all(s.endswith("+07:00" if zone != "UTC" else "Z") for s in stamps if s), stamps
    kept = getattr(_serializers, "detail", None)
    assert kept is not None and not [f for f in kept.__dict__.get("_date_time_fields", ()) if hasattr(f, "timezone")]


def test_the_compiled_detail_binds_a_handful_of_parameters():
    """The JSON lists' keys are written into the SQL (column names, not data): a run binds the dossier's
    code or id and the few constants of the statement, not one parameter per column."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the lists as JSON are PostgreSQL's")
    _compiler, sql, params, *_rest = selectors._DETAIL_BY_CODE._compile("default")
    assert len(params) <= 5 and "'assignee_id'" in sql
