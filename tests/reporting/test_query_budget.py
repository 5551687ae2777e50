"""Query budgets: the report pages and endpoints run a fixed number of queries, however many dossiers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.models import Channel, Status, Verdict
from tests.reporting.conftest import apologise, at, make_dossier

OCT = {"kind": "month", "month": "2026-10"}
API_OCT = {"from": "2026-10-01", "to": "2026-10-31"}

# (path, params, budget): what each request costs, at 1, 10 and 60 dossiers alike. The dashboard's 17:
# session and user, scope, agency tree, labels, the JIT/parallel settings in a savepoint, one GROUP BY
# for the period and one for the previous period, feedback, the count of dossiers at risk of being late.
# The trend asks which of its months the monthly fact table holds (one more query) before reading them from it.
PAGES = [
    ("/bao-cao/", OCT, 17),  # + the lateness forecast's count of dossiers at risk
    ("/bao-cao/", {**OCT, "agency": "000.01.01.H99"}, 17),
    ("/bao-cao/xu-huong/", OCT, 14),
    ("/bao-cao/ho-so/", {**OCT, "metric": "late_all"}, 10),
    ("/bao-cao/chi-so-766/", OCT, 17),
    # + which months the fact table holds, for the period, the previous one, the trend and the 766 sheet; 1.4's synced count
    ("/bao-cao/xuat-excel/", OCT, 30),
    ("/bao-cao/ho-so/xuat-excel/", {**OCT, "metric": "received"}, 7),
]
API = [
    ("/api/v1/reports/on-time/", {**API_OCT, "group_by": "agency"}, 12),
    ("/api/v1/reports/on-time/", {**API_OCT, "group_by": "procedure"}, 13),
    ("/api/v1/reports/on-time/", {**API_OCT, "group_by": "month"}, 12),
    ("/api/v1/reports/index-766/", API_OCT, 14),
    ("/api/v1/reports/dossiers/", {**API_OCT, "metric": "received"}, 7),
]


def add_dossiers(org, catalogue, n):
    procedures = [catalogue.birth, catalogue.copy, catalogue.plot]
    for i in range(n):
        agency = org.commune2 if i % 3 == 2 else org.commune
        d = make_dossier(agency, procedures[i % 3], [Channel.ONLINE, Channel.COUNTER][i % 2], at(1 + i % 28), at(2 + i % 28),
                         at(2 + i % 28, 8), [Verdict.LATE, Verdict.EARLY][i % 2], Status.RETURNED)
        if i % 4 == 0:  # half the late ones
            apologise(d)


def count_queries(do) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = do()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_pages_cost_the_same_at_1_10_and_60_dossiers(client, staff, org, catalogue):
    client.force_login(staff.manager)
    seen = {}
    added = 0
    for total in (1, 10, 60):
        add_dossiers(org, catalogue, total - added)
        added = total
        for path, params, budget in PAGES:
            n = count_queries(lambda p=path, q=params: client.get(p, q))
            assert n <= budget, (path, params, n)
            seen.setdefault((path, str(params)), set()).add(n)
    for key, counts in seen.items():
        assert len(counts) == 1, (key, counts)


@pytest.mark.django_db
def test_api_costs_the_same_at_1_10_and_60_dossiers(api, staff, org, catalogue):
    client = api.as_user(staff.manager)
    client.get(API[0][0], API[0][1])  # the token's first use reads it and the memberships, then they are cached
    seen = {}
    added = 0
    for total in (1, 10, 60):
        add_dossiers(org, catalogue, total - added)
        added = total
        for path, params, budget in API:
            n = count_queries(lambda p=path, q=params: client.get(p, q))
            assert n <= budget, (path, params, n)
            seen.setdefault((path, str(params)), set()).add(n)
    for key, counts in seen.items():
        assert len(counts) == 1, (key, counts)


@pytest.mark.django_db
def test_dashboard_budget_with_django_assert(client, staff, org, catalogue, figures, django_assert_max_num_queries):
    client.force_login(staff.manager)
    with django_assert_max_num_queries(17):
        client.get("/bao-cao/", OCT)
