"""The visibility fact (dossiers.visibility) and the lists built on it (dossiers.lists): what each role sees
equals the scope rule written out independently here, through intake, liên thông and a transfer back; the
keys copied to the fact follow the dossier (services and the sweep's bulk updates); keyset pages; capped
counts; phone numbers in any written form; bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers import lists, services
from dossiers.models import Dossier, DossierVisibility, Status, Step
from dossiers.visibility import can_see, grant_visibility, keys_for, visible_dossiers
from organisation.models import Agency, Role, StaffMembership
from organisation.phones import normalize_phone, search_form

from .conftest import APPLICANT

URL = "/api/v1/dossiers/"


def reference_sees(user, dossier: Dossier) -> bool:
    """The scope rule, independent of the fact: a superuser sees all; a citizen their own; staff a dossier
    received at, or with a step at, an agency they work at; a manager or administrator also anything held
    by an agency under theirs (at any depth)."""
    if user.is_superuser:
        return True
    pairs = list(StaffMembership.objects.filter(user=user).values_list("agency_id", "role"))
    if not pairs:
        return dossier.citizen_id == user.pk
    parent = dict(Agency.objects.values_list("pk", "parent_id"))

    def at_or_under(agency_id, top):
        while agency_id is not None:
            if agency_id == top:
                return True
            agency_id = parent[agency_id]
        return False

    held = {dossier.agency_id, *Step.objects.filter(dossier=dossier).values_list("agency_id", flat=True)}
    for agency_id, role in pairs:
        if role in (Role.MANAGER, Role.ADMINISTRATOR):
            if any(at_or_under(h, agency_id) for h in held):
                return True
        elif agency_id in held:
            return True
    return False


def api_list(api, user, **params) -> list[dict]:
    """Every item of the user's list, following `next`."""
    out, url, data = [], URL, {"page_size": 7, **params}
    while url:
        body = api.as_user(user).get(url, data).json()
        out += body["results"]
        url, data = body["next"], None
    return out


@pytest.fixture
def world(staff, org, make_user, make_dossier, procedure, province_procedure):
    """Dossiers in every situation of the rule, and users in every role."""
    local = make_dossier(4)
    routed = make_dossier(4, procedure=province_procedure)  # a step at the province from intake
    there_and_back = make_dossier(4)
    services.transfer(there_and_back, actor=staff.officer, to_agency=org.province)  # liên thông
    there_and_back.refresh_from_db()
    services.transfer(there_and_back, actor=staff.province_officer, to_agency=org.commune)  # and back
    elsewhere = make_dossier(2, actor=staff.desk2)
    owner = make_user()
    online = services.submit_online(citizen=owner, procedure=procedure, agency=org.commune,
                                    applicant=dict(APPLICANT))
    users = [staff.desk, staff.officer, staff.head, staff.manager, staff.desk2, staff.province_officer, owner,
             make_user(), make_user(roles=[(org.commune, Role.MANAGER)]),
             make_user(roles=[(org.commune2, Role.ADMINISTRATOR), (org.commune, Role.DESK_OFFICER)]),
             make_user(roles=[(org.province, Role.MANAGER), (org.commune, Role.DESK_OFFICER)]),
             make_user(is_superuser=True)]
    return users, [local, routed, there_and_back, elsewhere, online]


def test_what_each_role_sees_is_the_rule(api, world):
    users, dossiers = world
    every = Dossier.objects.all()
    assert every.count() == len(dossiers)
    for user in users:
        expected = {d.pk for d in every if reference_sees(user, d)}
        assert set(visible_dossiers(user).values_list("pk", flat=True)) == expected, user.username
        assert {d.pk for d in every if can_see(user, d)} == expected, user.username
        listed = api_list(api, user)
        assert sorted(item["code"] or "" for item in listed) == sorted(
            d.code or "" for d in every if d.pk in expected), user.username
        assert len({item["code"] for item in listed}) == len(listed)  # each once


def test_transfer_back_keeps_both_agencies_and_the_rows_are_direct(world, org):
    _users, (_local, _routed, there_and_back, _elsewhere, _online) = world
    rows = dict(DossierVisibility.objects.filter(dossier=there_and_back).values_list("agency_id", "direct"))
    assert rows == {org.commune.pk: True, org.province.pk: True}
    elsewhere_rows = dict(DossierVisibility.objects.filter(dossier=_elsewhere).values_list("agency_id", "direct"))
    assert elsewhere_rows == {org.commune2.pk: True, org.province.pk: False}


def test_a_grant_without_a_step_is_visible_to_the_agency(staff, org, make_dossier):
    elsewhere = make_dossier(2, actor=staff.desk2)
    assert not can_see(staff.desk, elsewhere)
    grant_visibility(elsewhere, org.commune)
    grant_visibility(elsewhere, org.commune)  # idempotent
    assert can_see(staff.desk, elsewhere)
    assert visible_dossiers(staff.desk).filter(pk=elsewhere.pk).exists()


def test_keys_drop_what_a_wide_key_covers(org, make_user):
    both = make_user(roles=[(org.province, Role.MANAGER), (org.commune, Role.DESK_OFFICER),
                            (org.commune, Role.MANAGER)])
    assert [(k.agency_id, k.wide) for k in keys_for(both)] == [(org.province.pk, True)]


def fact(dossier) -> dict:
    row = DossierVisibility.objects.filter(dossier=dossier, agency_id=dossier.agency_id).values(
        "status", "late_from", "due_soon_from", "urgency_at", "procedure_id").get()
    return row


def test_the_fact_follows_the_dossier_through_services_and_bulk_updates(staff, make_dossier):
    d = make_dossier(4)
    assert fact(d)["status"] == Status.PROCESSING
    assert fact(d)["late_from"] == d.appointment_at == fact(d)["urgency_at"]
    services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"], reason="Thiếu")
    assert fact(d)["status"] == Status.SUPPLEMENT_REQUESTED
    # The deadline sweep flags rows with a bulk UPDATE: the fact follows in the same statement.
    Dossier.objects.filter(pk=d.pk).update(is_late=True)
    late = fact(d)
    assert late["late_from"].year == 1970  # already late, whatever the time
    assert late["urgency_at"].year == 1970
    Dossier.objects.filter(pk=d.pk).update(is_late=False, finished_at=timezone.now(), verdict="on_time",
                                           status=Status.DECIDED)
    done = fact(d)
    assert (done["status"], done["late_from"], done["due_soon_from"], done["urgency_at"]) == (
        Status.DECIDED, None, None, None)


def test_late_filter_counts_a_passed_appointment_before_the_sweep(api, staff, make_dossier):
    d = make_dossier(4)
    on_time = make_dossier(4)
    Dossier.objects.filter(pk=d.pk).update(appointment_at=timezone.now() - timedelta(hours=1))
    assert [i["code"] for i in api_list(api, staff.desk, late="true")] == [d.code]
    assert [i["code"] for i in api_list(api, staff.desk, late="false")] == [on_time.code]


def test_the_late_rows_index_covers_what_a_desks_late_count_reads(db):
    """A desk's `late=true` count reads its agency's direct rows whose `late_from` has passed: the partial index
    of the rows that may be late must hold both columns, or each row is read from the table (migration 0028:
    10,001 table reads for a busy commune at 10,000,000 dossiers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'visibility_late'")
        (definition,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'visibility_may_be_late'")
        assert cursor.fetchone() == (0,)
    assert "(agency_id, dossier_id) INCLUDE (late_from, direct) WHERE (late_from IS NOT NULL)" in definition


def test_keyset_pages_have_no_duplicates_or_gaps_while_dossiers_arrive(api, staff, make_dossier):
    first = [make_dossier(2) for _ in range(23)]
    seen, url, data, pages = [], URL, {"page_size": 5}, []
    while url:
        body = api.as_user(staff.desk).get(url, data).json()
        pages.append(body)
        seen += [item["code"] for item in body["results"]]
        make_dossier(2)  # a new dossier arrives between two pages: it belongs before the first page
        url, data = body["next"], None
    assert seen == [d.code for d in sorted(first, key=lambda d: -d.pk)]
    # `previous` leads back to the page before, whatever arrived since.
    back = api.as_user(staff.desk).get(pages[2]["previous"]).json()
    assert [i["code"] for i in back["results"]] == [i["code"] for i in pages[1]["results"]]
    assert pages[0]["previous"] is None and pages[-1]["next"] is None


def test_count_is_capped_and_said_so(api, staff, client, make_dossier, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 5)
    for _ in range(7):
        make_dossier(2)
    body = api.as_user(staff.desk).get(URL, {"page_size": 2}).json()
    assert (body["count"], body["count_capped"]) == (5, True)
    assert api.as_user(staff.desk).get(URL, {"page_size": 2, "status": "4"}).json()["count_capped"] is False
    # `?page=` reaches the pages within the cap; beyond it a 400 that names `page`.
    assert api.as_user(staff.desk).get(URL, {"page_size": 2, "page": 2}).status_code == 200
    beyond = api.as_user(staff.desk).get(URL, {"page_size": 2, "page": 3})
    assert beyond.status_code == 400 and beyond.json()["code"] == "page_beyond_cap" and "page" in beyond.json()["fields"]
    client.force_login(staff.desk)
    html = client.get("/ho-so/", {"tab": "tat-ca"}).content.decode()
    assert '<span class="count">7</span>' in html  # a badge counts up to its own cap (999)
    monkeypatch.setattr(lists, "BADGE_CAP", 3)
    html = client.get("/ho-so/", {"tab": "tat-ca"}).content.decode()
    assert '<span class="count">3+</span>' in html


def test_counts_asked_together_are_each_the_count_alone(staff, make_dossier):
    """`counts_capped` (a worklist's badges and total in one statement) gives what `count_capped` gives for
    each part: below, at and above its cap, on the fact and on the dossiers, and 0 for a part that matches
    nothing without a query (an empty IN)."""
    for _ in range(4):
        make_dossier(2)
    make_dossier(4)
    rows = DossierVisibility.objects.filter(agency__in=Agency.objects.values("pk"))
    parts = [(rows, 100), (rows, 2), (rows.filter(status=4), 1), (Dossier.objects.filter(pk__in=[]), 3),
             (Dossier.objects.all(), 5), (Dossier.objects.filter(status=2), 4), (rows.none(), 7)]
    alone = [lists.count_capped(qs, cap) for qs, cap in parts]
    assert alone[1] == lists.Count(2, True, 2) and alone[4] == lists.Count(5, False, 5)
    with CaptureQueriesContext(connection) as ctx:
        together = lists.counts_capped(parts)
    assert together == alone and len(ctx.captured_queries) == 1


@pytest.mark.parametrize("params,field", [
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "eyJhIjoxfQ:1:abc"}, "cursor"),
    ({"cursor": lists.Cursor(after=1).encode() + "x"}, "cursor"),
    ({"cursor": lists.Cursor(after=1).encode(), "page": "2"}, "page"),
    ({"page": "0"}, "page"),
    ({"page": "999999"}, "page"),
    ({"status": "99"}, "status"),
    ({"status": "4,x"}, "status"),
    ({"late": "maybe"}, "late"),
    ({"q": "ab"}, "q"),
    ({"q": "x" * 10_000}, "q"),
    ({"q": "an\x00"}, "q"),
    ({"procedure": "p" * 100}, "procedure"),
])
def test_bad_list_input_is_a_400_naming_the_parameter(api, staff, params, field):
    response = api.as_user(staff.desk).get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_cursor_from_a_forged_id_is_refused(api, staff):
    from django.core import signing

    forged = signing.dumps({"a": -5}, salt="dossiers.lists.cursor")
    assert api.as_user(staff.desk).get(URL, {"cursor": forged}).status_code == 400


def test_queries_do_not_grow_with_the_rows(api, staff, client, make_dossier):
    def measure():
        with CaptureQueriesContext(connection) as api_q:
            assert api.as_user(staff.desk).get(URL, {"page_size": 100}).status_code == 200
        with CaptureQueriesContext(connection) as page_q:
            assert client.get("/ho-so/", {"tab": "tat-ca"}).status_code == 200
        return len(api_q), len(page_q)

    client.force_login(staff.desk)
    make_dossier(2)
    measure()
    few = measure()
    for _ in range(12):
        make_dossier(4)
    assert measure() == few


@pytest.mark.parametrize("written", ["+84 912 345 678", "0912 345 678", "+84912345678", "84912345678",
                                     "0912.345.678", "(+84) 912-345-678", "0084 912 345 678"])
def test_a_phone_is_found_in_every_written_form(api, staff, procedure, written):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant={**APPLICANT, "phone": written})
    d.refresh_from_db()
    assert d.applicant_phone == "0912345678"
    for query in ("+84 912 345 678", "0912 345 678", "+84912345678", "84912345678", "0912345678", "345 678"):
        assert [i["code"] for i in api_list(api, staff.desk, q=query)] == [d.code], query


def test_a_whole_number_finds_the_phones_equal_to_it_or_longer_and_holding_it(api, staff, make_dossier):
    """A query of ten digits or more (dossiers/0027: equal, or longer and containing it) finds exactly what
    "contains" finds: the mobile equal to it, a landline or a foreign number holding it, never a shorter one.
    (The desk takes mobiles only; the others are stored as older or inbound dossiers hold them.)"""
    numbers = {"mobile": "0912345678", "landline": "02438251234", "foreign": "+442079460958", "short": "8251234"}
    made = {k: make_dossier(2) for k in numbers}
    for k, d in made.items():
        Dossier.objects.filter(pk=d.pk).update(applicant_phone=numbers[k])
    stored = dict(Dossier.objects.filter(pk__in=[d.pk for d in made.values()]).values_list("code", "applicant_phone"))
    for query in ("0912345678", "2438251234", "02438251234", "4420794609", "442079460958", "+44 20 7946 0958",
                  "912345678", "8251234"):
        digits = search_form(query)
        want = {code for code, phone in stored.items() if digits in phone}
        assert {i["code"] for i in api_list(api, staff.desk, q=query)} == want, (query, want)
    assert {i["code"] for i in api_list(api, staff.desk, q="2438251234")} == {made["landline"].code}


def test_search_by_name_folded_id_number_and_code(api, staff, make_dossier):
    d = make_dossier(2, applicant={**APPLICANT, "full_name": "Trần Thị Ngọc Ánh", "id_number": "079188800001"})
    other = make_dossier(2)
    for query in ("ngoc anh", "NGỌC ÁNH", "Trần Thị", "0791888", d.code, d.code.lower()):
        assert [i["code"] for i in api_list(api, staff.desk, q=query)] == [d.code], query
    assert other.code not in [i["code"] for i in api_list(api, staff.desk, q="ngoc anh")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="0123456789+ .-()/84x\t", max_size=24))
def test_the_sql_normalisation_is_the_python_one(db, value):
    """Migration 0017 rewrote the stored numbers with the SQL twin of organisation.phones.normalize_phone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT motcua_normalize_phone(%s)", [value])
        assert cursor.fetchone()[0] == normalize_phone(value)


@pytest.mark.parametrize("limit,timeout", [(5000, "5s"), (0, None)])
def test_a_list_is_planned_for_its_own_values(db, settings, limit, timeout):
    """Inside `time_limited` every statement is planned for its values (plan_cache_mode), even once psycopg has
    prepared it: a generic plan, which PostgreSQL may switch to after five runs, cannot see a name's prefix range
    or a province's size (a province's tab searched by name walked its rows: 237 ms instead of 41 at 10M). The
    statement timeout is set with it unless turned off; both end with the list."""
    settings.DOSSIER_LIST_STATEMENT_TIMEOUT_MS = limit

    def show(name):
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]

    outside = show("statement_timeout")
    with transaction.atomic():  # the list's settings are local to it: rolled back with this savepoint
        with lists.time_limited():
            assert show("plan_cache_mode") == "force_custom_plan"
            assert show("statement_timeout") == (timeout or outside)
        transaction.set_rollback(True)
    assert (show("plan_cache_mode"), show("statement_timeout")) == ("auto", outside)


def test_a_list_query_that_runs_away_is_stopped(api, staff, client, make_dossier, monkeypatch, settings):
    """The statement timeout under the indexes: a list whose query runs past it answers 503 in the error
    format (the API) or with a message (the page), and the connection stays usable."""
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    make_dossier(2)
    settings.DOSSIER_LIST_STATEMENT_TIMEOUT_MS = 50
    monkeypatch.setattr(lists, "search_q", lambda q, **kw: Q(RawSQL("pg_sleep(0.5) IS NOT NULL", [],
                                                                    output_field=BooleanField())))
    response = api.as_user(staff.desk).get(URL, {"q": "0912"})
    assert response.status_code == 503 and response.json()["code"] == "list_timeout"
    client.force_login(staff.desk)
    page = client.get("/ho-so/", {"tab": "tat-ca", "q": "0912"})
    assert page.status_code == 503
    assert "thu hẹp điều kiện tìm kiếm" in page.content.decode()
    assert api.as_user(staff.desk).get(URL).status_code == 200
    with connection.cursor() as cursor:
        # The list ran inside this test's transaction, so its 50 ms outlives it until that transaction ends
        # (in the portal the list's own COMMIT ends it): put back, or the test's teardown may be cut short.
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "50ms"
        cursor.execute("SET LOCAL statement_timeout = DEFAULT")
