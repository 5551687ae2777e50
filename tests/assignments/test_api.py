"""The API: lists scoped and filtered, a task with its whole history, one URL per action, the error
format, the OpenAPI schema."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assignments import services
from assignments.models import Task

from .conftest import at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def three(make_task, org, staff, assigner):
    a = make_task(date(2026, 3, 10), title="Rà soát TTHC")
    b = make_task(date(2026, 3, 4), title="Số hóa hồ sơ", day="2026-03-03")
    c = make_task(title="Tuyên truyền", lead=org.commune2)
    return a, b, c


def test_lists_are_scoped(api, three, staff, assigner, org):
    with at("2026-03-05"):
        mine = api.as_user(staff.officer).get("/api/v1/tasks/", {"view": "mine"}).json()
        assert sorted(t["title"] for t in mine["results"]) == ["Rà soát TTHC", "Số hóa hồ sơ"]
        assert api.as_user(staff.desk2).get("/api/v1/tasks/", {"view": "mine"}).json()["count"] == 1
        # The second commune sees nothing of the first's tasks, not even by id.
        response = api.get(f"/api/v1/tasks/{three[0].pk}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assigned = api.as_user(assigner).get("/api/v1/tasks/").json()
        assert assigned["count"] == 3
        assert api.as_user(staff.manager).get("/api/v1/tasks/").json()["count"] == 3


def test_the_assigners_filters(api, three, assigner, org):
    api.as_user(assigner)
    with at("2026-03-05"):
        def count(**params):
            response = api.get("/api/v1/tasks/", params)
            assert response.status_code == 200, response.json()
            return response.json()["count"]

        assert count(unit=org.commune.code) == 2
        assert count(unit=org.commune2.code) == 1
        assert count(directive=three[0].directive_id) == 3
        assert count(**{"from": "2026-03-03"}) == 1
        assert count(to="2026-03-02") == 2
        assert count(status="open") == 3
        assert count(late="true") == 1  # due 04/03, today 05/03
        assert count(late="false") == 2
        assert count(q="số hóa") == 1
        for params, field in (({"late": "maybe"}, "late"), ({"status": "x"}, "status"), ({"from": "05/03"}, "from"),
                              ({"unit": "nope"}, "unit"), ({"view": "all"}, "view")):
            response = api.get("/api/v1/tasks/", params)
            assert response.status_code == 400 and field in response.json()["fields"], params


def test_actions_and_the_whole_history(api, three, staff, assigner):
    task = three[0]
    with at("2026-03-05"):
        response = api.as_user(staff.officer).get(f"/api/v1/tasks/{task.pk}/")
        assert response.json()["actions"] == ["report-progress", "request-extension", "report-completion"]
        response = api.post(f"/api/v1/tasks/{task.pk}/actions/report-progress/",
                            {"text": "Đã rà soát 5 thủ tục", "percent": "50",
                             "files": [SimpleUploadedFile("bc.pdf", PDF, content_type="application/pdf")]},
                            format="multipart")
        assert response.status_code == 200, response.json()
        assert response.json()["progress_percent"] == 50 and response.json()["reports"][0]["files"][0]["file_name"] == "bc.pdf"
        response = api.post(f"/api/v1/tasks/{task.pk}/actions/request-extension/",
                            {"proposed_due_on": "2026-03-20", "reason": "Chờ ý kiến sở"}, format="json")
        assert response.status_code == 200
        response = api.as_user(assigner).post(f"/api/v1/tasks/{task.pk}/actions/grant-extension/", {}, format="json")
        body = response.json()
        assert body["due_on"] == "2026-03-20" and body["original_due_on"] == "2026-03-10"
        api.as_user(staff.officer).post(f"/api/v1/tasks/{task.pk}/actions/report-completion/",
                                        {"text": "Hoàn thành"}, format="json")
        # Asking for time after completion: 409 naming the field.
        response = api.post(f"/api/v1/tasks/{task.pk}/actions/request-extension/",
                            {"proposed_due_on": "2026-03-30", "reason": "x"}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "extension_after_completion" and response.json()["fields"]
        # The lead unit cannot accept its own report.
        response = api.post(f"/api/v1/tasks/{task.pk}/actions/accept-completion/", {}, format="json")
        assert response.status_code == 403
        response = api.as_user(assigner).post(f"/api/v1/tasks/{task.pk}/actions/accept-completion/", {"note": "Tốt"},
                                              format="json")
        body = response.json()
        assert body["status"] == "done" and body["verdict"] == "early" and body["state"] == "early"
        assert [e["action"] for e in body["events"]] == ["assign", "report_progress", "request_extension",
                                                         "grant_extension", "report_completion", "accept_completion"]
        assert body["extensions"][0]["state"] == "granted"
        response = api.post(f"/api/v1/tasks/{task.pk}/actions/accept-completion/", {}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "action_not_allowed"
        assert api.post(f"/api/v1/tasks/{task.pk}/actions/delete/", {}).status_code == 404


def test_assigning_over_the_api(api, directive, org, staff, assigner):
    api.as_user(assigner)
    with at("2026-03-02", 10):
        response = api.post("/api/v1/tasks/", {"directive": directive.pk, "title": "Báo cáo quý",
                                               "lead_agency": org.commune.code, "due_on": "2026-03-01"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "deadline_before_assignment" and "due_on" in response.json()["fields"]
        response = api.post("/api/v1/tasks/", {"directive": directive.pk, "title": "Báo cáo quý",
                                               "lead_agency": "000.99.99.X00"}, format="json")
        assert response.status_code == 400 and "lead_agency" in response.json()["fields"]
        assert not Task.objects.exists()
        response = api.post("/api/v1/tasks/", {"directive": directive.pk, "title": "Báo cáo quý",
                                               "lead_agency": org.commune.code, "supporting_agencies": [org.commune2.code],
                                               "deadline_kind": "working_days", "working_days": 10}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["due_on"] == "2026-03-16"
        response = api.as_user(staff.officer).post("/api/v1/tasks/", {"directive": directive.pk, "title": "x",
                                                                      "lead_agency": org.commune.code}, format="json")
        assert response.status_code in (400, 403)


def test_directives_over_the_api(api, org, assigner, staff):
    with at("2026-03-02", 10):
        response = api.as_user(assigner).post("/api/v1/directives/", {
            "number": "20/QĐ-UBND", "issued_on": "2026-03-01", "signer": "B", "title": "Quyết định",
            "issuing_agency": org.province.code,
            "file": SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf")}, format="multipart")
        assert response.status_code == 201 and response.json()["has_file"]
        response = api.post("/api/v1/directives/", {"number": "20/QĐ-UBND", "issued_on": "2026-03-01", "signer": "B",
                                                    "title": "Quyết định", "issuing_agency": org.province.code},
                            format="json")
        assert response.status_code == 400 and response.json()["code"] == "duplicate"
        response = api.as_user(staff.head).post("/api/v1/directives/", {
            "number": "1", "issued_on": "2026-03-01", "signer": "B", "title": "X", "issuing_agency": org.province.code},
            format="json")
        assert response.status_code == 403
        assert api.as_user(staff.head).get("/api/v1/directives/").json()["count"] == 0


def test_anonymous_and_citizens_are_kept_out(api, three, make_user):
    assert api.get("/api/v1/tasks/").status_code == 401
    assert api.as_user(make_user()).get("/api/v1/tasks/").status_code == 403


def test_the_schema_names_every_path(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/tasks/", "/api/v1/tasks/{id}/", "/api/v1/tasks/{id}/actions/{action}/",
                 "/api/v1/tasks/report/", "/api/v1/tasks/report/tasks/", "/api/v1/tasks/import/",
                 "/api/v1/directives/"):
        assert path in schema["paths"], path


def test_query_budgets_do_not_grow_with_the_rows(api, make_task, staff, assigner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url, params=None):
        api.as_user(assigner)
        with at("2026-03-05"), CaptureQueriesContext(connection) as ctx:
            assert api.get(url, params or {}).status_code == 200
        return len(ctx.captured_queries)

    first = make_task(date(2026, 3, 20), title="T0")
    with at("2026-03-03"):
        services.report_progress(first, actor=staff.officer, text="Lần đầu", percent=1)
    queries("/api/v1/tasks/")  # the token's first use reads it and the memberships, then they are cached
    one = (queries("/api/v1/tasks/"), queries(f"/api/v1/tasks/{first.pk}/"), queries("/api/v1/tasks/report/"))
    with at("2026-03-04"):
        for n in range(10):
            services.report_progress(first, actor=staff.officer, text=f"Lần {n}", percent=n * 5)
    for n in range(1, 12):
        make_task(date(2026, 3, 20), title=f"T{n}")
    ten = (queries("/api/v1/tasks/"), queries(f"/api/v1/tasks/{first.pk}/"), queries("/api/v1/tasks/report/"))
    assert one == ten and max(ten) <= 12
