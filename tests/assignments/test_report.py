"""The seed's figures (115 tasks assigned to the city: 61 with a deadline, 46 done on time and 15 late,
54 without) on the report page, the API, the Excel export and the drill-down behind each number."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from assignments import services

from .conftest import local

pytestmark = pytest.mark.django_db

FIGURES = {"assigned": 115, "with_deadline": 61, "on_time": 46, "early": 15, "late": 15, "without_deadline": 54,
           "open_in_time": 24, "open_late": 0}
NOW = local("2026-06-15", 10)


@pytest.fixture
def seed_figures(directive, org, staff, assigner):
    """Built through the services, as the units would have worked: 10 early, 36 on time (5 of them thanks
    to an extension granted before the deadline, done before the new one: early), 15 late, 30 without a deadline done and 24 still open;
    and a few tasks of the second commune, which must stay in their own row."""
    officer = staff.officer
    with time_machine.travel(NOW, tick=False):
        def task(n, due=None, lead=org.commune):
            start = date(2026, 3, 2) + timedelta(days=n % 60)
            t = services.assign_task(actor=assigner, directive=directive, title=f"Nhiệm vụ {n}", lead_agency=lead,
                                     due_on=due and start + timedelta(days=due), assigned_at=local(start, 8),
                                     deadline_kind="date" if due else "none", notify=False)
            return t, start

        def done(t, day):
            t = services.report_completion(t, actor=officer, text="Báo cáo kết quả", at=local(day, 10))
            return services.accept_completion(t, actor=assigner, at=local(day, 15))

        for n in range(10):
            t, start = task(n, 20)
            done(t, t.due_on - timedelta(days=2))
        for n in range(10, 41):
            t, start = task(n, 20)
            done(t, t.due_on)
        for n in range(41, 46):  # on time only because the deadline was extended in time
            t, start = task(n, 20)
            t = services.request_extension(t, actor=officer, proposed_due_on=t.due_on + timedelta(days=10),
                                           reason="Chờ số liệu", at=local(t.due_on - timedelta(days=3)))
            t = services.grant_extension(t, actor=assigner, at=local(t.due_on - timedelta(days=1)))
            done(t, t.original_due_on + timedelta(days=5))
        for n in range(46, 61):
            t, start = task(n, 20)
            done(t, t.due_on + timedelta(days=3))
        for n in range(61, 91):
            t, start = task(n)
            done(t, start + timedelta(days=15))
        for n in range(91, 115):
            task(n)
        task(200, 10, lead=org.commune2)  # open and late
        task(201, lead=org.commune2)
        task(202, lead=org.commune2)


def _period():
    return {"kind": "year", "year": "2026"}


def test_the_seed_figures_everywhere(api, client, seed_figures, org, assigner, staff):
    """One fixture (it takes a while to build through the services), three readers of the same figures."""
    check_api_report_and_drill_down(api, org, assigner, staff)
    check_excel_export(client, api, org, assigner)
    check_page_and_its_drill_down(client, org, assigner)


def check_api_report_and_drill_down(api, org, assigner, staff):
    with time_machine.travel(NOW, tick=False):
        response = api.as_user(assigner).get("/api/v1/tasks/report/", {**_period(), "agency": org.province.code})
        assert response.status_code == 200, response.json()
        rows = {r["code"]: r for r in response.json()["rows"]}
        assert {k: rows[org.commune.code][k] for k in FIGURES} == FIGURES
        assert rows[org.commune2.code]["assigned"] == 3 and rows[org.commune2.code]["open_late"] == 1
        assert response.json()["totals"]["assigned"] == 118
        for metric, expected in FIGURES.items():
            behind = api.get("/api/v1/tasks/report/tasks/", {**_period(), "agency": org.commune.code,
                                                              "metric": metric, "page_size": 200})
            assert behind.status_code == 200 and behind.json()["count"] == expected, metric
        late = api.get("/api/v1/tasks/report/tasks/", {**_period(), "agency": org.commune.code, "metric": "late"})
        assert all(t["verdict"] == "late" for t in late.json()["results"])
        # The commune sees its own figures, not the other commune's.
        own = api.as_user(staff.head).get("/api/v1/tasks/report/", _period())
        assert own.status_code == 200
        assert [r["code"] for r in own.json()["rows"]] == [org.commune.code]
        assert own.json()["totals"]["assigned"] == 115
        bad = api.get("/api/v1/tasks/report/", {**_period(), "agency": org.commune2.code})
        assert bad.status_code == 404 and bad.json()["code"] == "agency_not_found"
        bad = api.get("/api/v1/tasks/report/tasks/", {**_period(), "metric": "nonsense"})
        assert bad.status_code == 400 and "metric" in bad.json()["fields"]


def check_excel_export(client, api, org, assigner):
    with time_machine.travel(NOW, tick=False):
        response = api.as_user(assigner).get("/api/v1/tasks/report/", {**_period(), "agency": org.province.code,
                                                                         "export": "xlsx"})
        client.force_login(assigner)
        page_export = client.get("/nhiem-vu/bao-cao/xuat-excel/", {**_period(), "agency": org.province.code})
    for content in (response.content, page_export.content):
        sheet = load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        commune = next(r for r in rows if r[0] == org.commune.name)
        assert list(commune[1:]) == list(FIGURES.values())
        assert rows[-1][1] == 118


def check_page_and_its_drill_down(client, org, assigner):
    client.force_login(assigner)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/nhiem-vu/bao-cao/", {**_period(), "agency": org.province.code})
        assert page.status_code == 200
        html = page.content.decode()
        for metric, n in FIGURES.items():
            assert f'data-metric="{metric}"><a href="/nhiem-vu/bao-cao/nhiem-vu/?' in html
            assert f"metric={metric}&amp;agency={org.commune.code}\">{n}</a>" in html
        behind = client.get("/nhiem-vu/bao-cao/nhiem-vu/", {**_period(), "agency": org.commune.code, "metric": "late"})
        assert behind.status_code == 200 and "15 nhiệm vụ" in behind.content.decode()
        xlsx = client.get("/nhiem-vu/bao-cao/nhiem-vu/", {**_period(), "agency": org.commune.code, "metric": "late",
                                                          "xlsx": "1"})
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert len(rows) == 2 + 15
