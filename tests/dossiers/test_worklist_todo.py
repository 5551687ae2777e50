"""The worklist tabs answered from the visibility fact's "who acts next" columns (migration dossiers
0023_visibility_todo, dossiers.worklists.tab_rows) hold exactly the dossiers the tab's rule picks when asked
of the dossiers and their steps (worklists.tab_filter): for every role, through intake, assignment, the
approval step, liên thông and a transfer back, a supplement, a decision and the return."""

from __future__ import annotations

import pytest
from django.db.models import Q

from dossiers import services, worklists
from dossiers.models import Dossier, DossierVisibility, Status
from organisation.models import Role

from .conftest import APPLICANT
from .test_h15b_visibility import reference_sees

pytestmark = pytest.mark.django_db


def by_rule(user, key: str) -> set[int]:
    """The tab as the rule says it, asked of the dossiers: visible (reference_sees), in the tab's statuses
    and meeting `tab_filter` (whose desk, whose open step)."""
    scope = worklists.scope_for(user)
    visible = [d.pk for d in Dossier.objects.all() if reference_sees(user, d)]
    condition = Q(status__in=worklists.TAB_STATUSES[key]) & worklists.tab_filter(scope, key)
    return set(Dossier.objects.filter(condition, pk__in=visible).values_list("pk", flat=True))


def by_fact(user, key: str) -> set[int]:
    scope = worklists.scope_for(user)
    assert worklists.tab_rows(scope, key) is not None  # the fact answers it, not the rule again
    return {d.pk for d in worklists.worklist(user, key)[0:1000]}


def badge(user, key: str) -> int:
    return worklists.tab_counts(user, [worklists.TAB_BY_KEY[key]])[key].value


@pytest.fixture
def people(staff, org, make_user):
    return [staff.desk, staff.officer, staff.head, staff.desk2, staff.province_officer,
            make_user(roles=[(org.commune, Role.DESK_OFFICER), (org.commune, Role.PROCESSING_OFFICER)]),
            make_user(roles=[(org.province, Role.MANAGER), (org.commune, Role.DESK_OFFICER)]),
            make_user(roles=[(org.commune2, Role.DESK_OFFICER), (org.commune, Role.HEAD)])]


def assert_tabs_are_the_rule(people):
    for user in people:
        for key in worklists.TAB_TODO_ROLES:
            expected = by_rule(user, key)
            assert by_fact(user, key) == expected, (user.username, key)
            assert badge(user, key) == len(expected), (user.username, key)


def test_every_tab_of_every_role_is_the_rule(staff, org, people, make_user, make_dossier, procedure,
                                             province_procedure):
    make_dossier(2)
    make_dossier(4)  # the appraisal step assigned to the officer
    services.transfer(make_dossier(2), actor=staff.desk)  # the appraisal step for any officer
    at_head = make_dossier(4)
    services.transfer(at_head, actor=staff.officer)  # to the approval step
    make_dossier(5)
    make_dossier(9)
    make_dossier(10)
    make_dossier(4, procedure=province_procedure)  # a step at the province from intake
    there_and_back = make_dossier(4)
    services.transfer(there_and_back, actor=staff.officer, to_agency=org.province)  # liên thông
    make_dossier(2, actor=staff.desk2)
    services.submit_online(citizen=make_user(), procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    assert_tabs_are_the_rule(people)
    there_and_back.refresh_from_db()
    services.transfer(there_and_back, actor=staff.province_officer, to_agency=org.commune)  # and back
    assert_tabs_are_the_rule(people)


def test_the_columns_follow_one_dossier_through_its_life(staff, org, people, make_dossier):
    d = make_dossier(2)

    def todo() -> dict:
        return {agency: (role, user) for agency, role, user in DossierVisibility.objects.filter(
            dossier=d, todo_role__isnull=False).values_list("agency_id", "todo_role", "todo_user_id")}

    assert todo() == {org.commune.pk: (Role.DESK_OFFICER, None)}
    d = services.transfer(d, actor=staff.desk)
    assert todo() == {org.commune.pk: (Role.PROCESSING_OFFICER, None)}
    d = services.assign(d, actor=staff.head, assignee=staff.officer)
    assert todo() == {org.commune.pk: (Role.PROCESSING_OFFICER, staff.officer.pk)}
    assert_tabs_are_the_rule(people)
    d = services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"], reason="Thiếu")
    assert todo() == {org.commune.pk: ("*", None)}
    d = services.supplement_received(d, actor=staff.desk, accept_incomplete=True, note="Đã đối chiếu bản chính")
    assert todo() == {org.commune.pk: (Role.PROCESSING_OFFICER, staff.officer.pk)}
    d = services.transfer(d, actor=staff.officer)
    assert todo() == {org.commune.pk: (Role.HEAD, None)}
    assert_tabs_are_the_rule(people)
    d = services.decide(d, actor=staff.head, result="Đã cấp")
    assert todo() == {org.commune.pk: (Role.DESK_OFFICER, None)}
    services.return_result(d, actor=staff.desk)
    assert todo() == {}
    assert_tabs_are_the_rule(people)


def test_a_refused_and_a_withdrawn_dossier_wait_for_no_one(staff, make_dossier):
    for d in (services.refuse(make_dossier(4), actor=staff.head, reason="Không đủ điều kiện"),
              make_dossier(7)):
        assert Dossier.objects.get(pk=d.pk).status in (Status.REFUSED, Status.WITHDRAWAL_REQUESTED, Status.STOPPED)
        assert not DossierVisibility.objects.filter(dossier=d, todo_role__isnull=False).exists()


def test_the_tabs_indexes_are_keyed_by_role_and_status():
    """Migration 0025: a tab's rows are read from the ranges of its role and statuses (the desk officer's "cần xử
    lý" read every decided dossier waiting to be returned before the 1,000 its badge counts: 13 ms at 10,000,000
    dossiers, 1 ms keyed by status); the indexes of 0023 are gone."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the partial indexes' definitions are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossiers_visibility' "
                       "AND indexname LIKE 'visibility_t%%' ORDER BY indexname")
        found = dict(cursor.fetchall())
    assert sorted(found) == ["visibility_tab", "visibility_tab_rest"]
    assert '(agency_id, todo_role, status, urgency_at, dossier_id) INCLUDE (todo_user_id)' in found["visibility_tab"]
    assert '(agency_id, todo_role, status, dossier_id) INCLUDE (todo_user_id)' in found["visibility_tab_rest"]
