"""The worklists at /ho-so/: the tabs each role uses, what each tab holds, the order (late first), the
badges, and a constant number of SQL queries whatever the number of rows."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import services
from dossiers.models import Dossier, Status, Step
from organisation.models import Role
from procedures.text import fold

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def tab_labels(html: str) -> list[str]:
    nav = html[html.index('class="tabs"'):]
    nav = nav[:nav.index("</nav>")]
    return [label.strip() for label in re.findall(r'<a href="\?tab=[^"]+"[^>]*>([^<]+)<', nav)]


def codes_in(html: str) -> list[str]:
    """The dossier links of the page's main content (the top bar's links are not dossiers)."""
    main = html.split('<main id="main">', 1)[-1]
    return re.findall(r'<a href="/ho-so/([^/"]+)/">', main)


def bulk(n, *, procedure, agency, status, appointment_in=timedelta(days=3), step_role=None, step_agency=None,
         assignee=None, due_soon=False, late=False, **extra) -> list[Dossier]:
    """ORM-made dossiers (fast, for the lists), each with an open step when `step_role` is given."""
    rows = []
    for _ in range(n):
        i = next(_seq)
        received = NOW - timedelta(hours=i)
        rows.append(Dossier(
            code=f"{agency.code}-261123-{i:04d}" if status != Status.SUBMITTED else None, procedure=procedure,
            agency=agency, current_agency=step_agency or agency, status=status, applicant_name=f"Người nộp {i}",
            applicant_search=fold(f"Người nộp {i}"),  # bulk_create skips save(), which derives it
            applicant_phone=f"09120{i:05d}", received_at=None if status == Status.SUBMITTED else received,
            submitted_at=received, appointment_at=NOW + appointment_in, original_appointment_at=NOW + appointment_in,
            due_soon_at=NOW + appointment_in - timedelta(days=1), is_due_soon=due_soon, is_late=late, **extra,
        ))
    dossiers = Dossier.objects.bulk_create(rows)
    if step_role:
        Step.objects.bulk_create([
            Step(dossier=d, order=1, name="Thẩm định", agency=step_agency or agency, role=step_role, assignee=assignee,
                 started_at=NOW - timedelta(hours=1), due_at=NOW + timedelta(days=1))
            for d in dossiers
        ])
    return dossiers


def test_each_role_sees_only_the_tabs_it_uses(client, staff):
    expected = {
        staff.desk: ["Chờ tiếp nhận", "Cần xử lý", "Chờ trả kết quả", "Chờ bổ sung", "Tất cả"],
        staff.officer: ["Cần xử lý", "Chờ bổ sung", "Tất cả"],
        staff.head: ["Chờ phê duyệt", "Chờ bổ sung", "Tất cả"],
        staff.manager: ["Tất cả"],
    }
    for user, labels in expected.items():
        client.force_login(user)
        response = client.get("/ho-so/")
        assert response.status_code == 200
        assert tab_labels(response.content.decode()) == labels, user.username


def test_each_tab_holds_its_dossiers(client, staff, org, make_dossier, make_user, procedure):
    online = services.submit_online(citizen=make_user("cd"), procedure=procedure, agency=org.commune,
                                    applicant={"full_name": "Công Dân", "phone": "0912000333"})
    received = make_dossier(2)
    appraising = make_dossier(4)  # the appraisal step, assigned to staff.officer
    other_officer = make_user("chuyenvien-b", roles=[(org.commune, Role.PROCESSING_OFFICER)])
    someone_elses = services.transfer(make_dossier(2), actor=staff.desk, assignee=other_officer)
    approving = services.transfer(make_dossier(4), actor=staff.officer)  # the head's approval step, unassigned
    waiting = make_dossier(5)
    decided = make_dossier(9)

    def tab(user, key):
        client.force_login(user)
        return set(codes_in(client.get("/ho-so/", {"tab": key}).content.decode()))

    assert tab(staff.desk, "cho-tiep-nhan") == {online.reference}
    assert tab(staff.desk, "can-xu-ly") == {received.code}  # received, to hand on
    assert tab(staff.officer, "can-xu-ly") == {appraising.code}
    assert someone_elses.code in tab(other_officer, "can-xu-ly")
    assert tab(staff.head, "cho-phe-duyet") == {approving.code}
    assert tab(staff.desk, "cho-bo-sung") == {waiting.code}
    assert tab(staff.officer, "cho-bo-sung") == {waiting.code}
    assert tab(staff.desk, "cho-tra-ket-qua") == {decided.code}
    every = {online.reference, received.code, appraising.code, someone_elses.code, approving.code, waiting.code,
             decided.code}
    assert tab(staff.manager, "tat-ca") == every
    assert tab(staff.desk2, "tat-ca") == set()


def test_late_first_then_due_soon_then_by_appointment_with_text_badges(client, staff, org, procedure):
    later = bulk(1, procedure=procedure, agency=org.commune, status=Status.PROCESSING, appointment_in=timedelta(days=9))
    sooner = bulk(1, procedure=procedure, agency=org.commune, status=Status.PROCESSING, appointment_in=timedelta(days=5))
    soon = bulk(1, procedure=procedure, agency=org.commune, status=Status.PROCESSING, appointment_in=timedelta(hours=5),
                due_soon=True)
    late = bulk(1, procedure=procedure, agency=org.commune, status=Status.PROCESSING, appointment_in=timedelta(hours=-2))
    client.force_login(staff.manager)
    html = client.get("/ho-so/", {"tab": "tat-ca"}).content.decode()
    assert codes_in(html) == [late[0].code, soon[0].code, sooner[0].code, later[0].code]
    rows = html.split("<tr class=")[1:]
    assert '<span class="badge late">Quá hạn</span>' in rows[0]
    assert '<span class="badge soon">Sắp đến hạn</span>' in rows[1]
    assert '<span class="badge ok">Trong hạn</span>' in rows[2]

    only_late = client.get("/ho-so/", {"tab": "tat-ca", "late": "1"}).content.decode()
    assert codes_in(only_late) == [late[0].code]


def test_filters_of_the_all_tab(client, staff, org, procedure, make_procedure):
    other = make_procedure("9.777777", name="Thủ tục khác")
    a = bulk(1, procedure=procedure, agency=org.commune, status=Status.PROCESSING)[0]
    b = bulk(1, procedure=other, agency=org.commune, status=Status.DECIDED)[0]
    client.force_login(staff.desk)
    assert codes_in(client.get("/ho-so/", {"tab": "tat-ca", "status": "9"}).content.decode()) == [b.code]
    assert codes_in(client.get("/ho-so/", {"tab": "tat-ca", "procedure": procedure.code}).content.decode()) == [a.code]
    # A bad filter value is ignored rather than a 500.
    assert client.get("/ho-so/", {"tab": "tat-ca", "status": "99", "late": "maybe", "page": "x"}).status_code == 200


def test_the_lists_are_paginated(client, staff, org, procedure):
    bulk(30, procedure=procedure, agency=org.commune, status=Status.PROCESSING)
    client.force_login(staff.manager)
    first = client.get("/ho-so/", {"tab": "tat-ca"}).content.decode()
    second = client.get("/ho-so/", {"tab": "tat-ca", "page": 2}).content.decode()
    assert len(codes_in(first)) == 25 and len(codes_in(second)) == 5
    assert not set(codes_in(first)) & set(codes_in(second))
    assert "Trang 1 / 2" in first and 'href="?tab=tat-ca&amp;page=2"' in first


@pytest.mark.parametrize("urgent_n,rest_n,sizes", [
    (30, 12, [25, 17]),  # page 2 starts inside the urgent rows and crosses to the rest
    (10, 40, [25, 25]),  # page 2 is wholly past them: how many were urgent is counted up to where it starts
    (25, 10, [25, 10]),  # they end exactly at page 1's end: page 2 counts 25 and starts the rest at 0
])
def test_the_pages_cross_from_the_urgent_rows_to_the_rest_without_a_gap(client, staff, org, procedure, urgent_n,
                                                                       rest_n, sizes):
    """The urgent rows (due soonest first) come before the rest (newest first), and the pages cut across the
    boundary without losing or repeating a row, though the urgent ones are never counted as a whole: a short
    urgent part tells where it ends, and only a page with none of it left counts how many came before."""
    urgent = bulk(urgent_n, procedure=procedure, agency=org.commune, status=Status.PROCESSING)
    for i, d in enumerate(urgent):  # each its own appointment, so that the urgent order is fixed
        Dossier.objects.filter(pk=d.pk).update(appointment_at=NOW + timedelta(hours=5 + i))
    rest = bulk(rest_n, procedure=procedure, agency=org.commune, status=Status.RETURNED,
                finished_at=NOW - timedelta(hours=1))
    client.force_login(staff.manager)
    pages = [codes_in(client.get("/ho-so/", {"tab": "tat-ca", "page": n}).content.decode()) for n in (1, 2)]
    assert [len(p) for p in pages] == sizes
    assert pages[0] + pages[1] == [d.code for d in urgent] + [d.code for d in sorted(rest, key=lambda d: -d.pk)]


TABS = {
    # tab: (user attribute, how to make its rows)
    "cho-tiep-nhan": ("desk", dict(status=Status.SUBMITTED)),
    "can-xu-ly": ("officer", dict(status=Status.PROCESSING, step_role=Role.PROCESSING_OFFICER)),
    "cho-phe-duyet": ("head", dict(status=Status.PROCESSING, step_role=Role.HEAD)),
    "cho-tra-ket-qua": ("desk", dict(status=Status.DECIDED)),
    "cho-bo-sung": ("desk", dict(status=Status.SUPPLEMENT_REQUESTED)),
    "tat-ca": ("manager", dict(status=Status.PROCESSING, step_role=Role.PROCESSING_OFFICER)),
}


@pytest.mark.parametrize("tab", list(TABS))
def test_a_constant_number_of_queries_whatever_the_rows(client, staff, org, procedure, tab, django_assert_num_queries):
    attribute, how = TABS[tab]
    user = getattr(staff, attribute)
    client.force_login(user)
    counts = {}
    made = 0
    for n in (1, 10, 50):
        bulk(n - made, procedure=procedure, agency=org.commune, **how)
        made = n
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/ho-so/", {"tab": tab, "q": "Người"})
        assert response.status_code == 200
        assert len(codes_in(response.content.decode())) == min(n, 25)
        counts[n] = len(ctx.captured_queries)
    assert counts[1] == counts[10] == counts[50], counts
    # One capped count per tab badge and per page segment (dossiers.worklists.UrgentList), each an index read
    # that stops at lists.COUNT_CAP, instead of one aggregate over every visible dossier: more queries than
    # the former 12, each bounded whatever the number of dossiers.
    assert counts[1] <= 16, counts
    with django_assert_num_queries(counts[1]):
        client.get("/ho-so/", {"tab": tab, "q": "Người"})


def test_the_dossier_page_has_a_constant_number_of_queries(client, staff, org, make_dossier, make_user):
    second = make_user("chuyenvien-c", roles=[(org.commune, Role.PROCESSING_OFFICER)])
    small = make_dossier(4)
    big = make_dossier(4)
    for i in range(10):  # ten more timeline events, notices and assignments
        services.assign(Dossier.objects.get(pk=big.pk), actor=staff.head, assignee=second if i % 2 else staff.officer)
    client.force_login(staff.head)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/ho-so/{small.code}/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/ho-so/{big.code}/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"][:150] for q in many.captured_queries]
