"""The pages: the lists, a task with its history and action forms, assigning, errors next to the field."""

from datetime import date

import pytest

from assignments.models import Directive, Task

from .conftest import at

pytestmark = pytest.mark.django_db


def test_navigation_and_lists(client, make_task, staff, assigner, org):
    task = make_task(date(2026, 3, 10), title="Rà soát TTHC")
    make_task(title="Việc của xã Phú Mỹ", lead=org.commune2)
    client.force_login(staff.officer)
    with at("2026-03-05"):
        home = client.get("/nhiem-vu/?view=mine")
    html = home.content.decode()
    assert 'href="/nhiem-vu/"' in html and "Rà soát TTHC" in html and "Phú Mỹ" not in html
    client.force_login(assigner)
    with at("2026-03-05"):
        html = client.get("/nhiem-vu/").content.decode()
        assert "Rà soát TTHC" in html and "Việc của xã Phú Mỹ" in html
        html = client.get("/nhiem-vu/", {"late": "maybe"}).content.decode()
        assert "Chỉ nhận true hoặc false." in html
        assert client.get(f"/nhiem-vu/{task.pk}/").status_code == 200
    client.force_login(staff.desk2)
    assert client.get(f"/nhiem-vu/{task.pk}/").status_code == 404


def test_detail_shows_the_history_and_an_error_next_to_its_field(client, make_task, staff):
    task = make_task(date(2026, 3, 10))
    client.force_login(staff.officer)
    with at("2026-03-05"):
        page = client.get(f"/nhiem-vu/{task.pk}/")
        assert "Báo cáo tiến độ" in page.content.decode() and "Xác nhận hoàn thành" not in page.content.decode()
        response = client.post(f"/nhiem-vu/{task.pk}/thao-tac/request-extension/",
                               {"proposed_due_on": "2026-03-09", "reason": "x", "expected_version": task.version})
    assert response.status_code == 400
    assert "proposed_due_on" in response.content.decode() and "Hạn đề nghị phải sau hạn đang áp dụng" in response.content.decode()
    with at("2026-03-05"):
        response = client.post(f"/nhiem-vu/{task.pk}/thao-tac/report-progress/",
                               {"text": "Đã họp triển khai", "percent": "30", "expected_version": task.version})
        assert response.status_code == 302
        html = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Đã họp triển khai" in html and "30%" in html and 'data-action="report_progress"' in html


def test_assigning_from_the_page(client, directive, staff, assigner, org):
    client.force_login(assigner)
    with at("2026-03-02", 10):
        assert client.get("/nhiem-vu/giao/").status_code == 200
        response = client.post("/nhiem-vu/giao/", {"directive": directive.pk, "title": "Báo cáo",
                                                  "lead_agency": org.commune.code, "deadline_kind": "date",
                                                  "due_on": "2026-02-01"})
        assert response.status_code == 400 and "Hạn hoàn thành (01/02/2026) không được trước" in response.content.decode()
        assert not Task.objects.exists()
        response = client.post("/nhiem-vu/giao/", {"directive": directive.pk, "title": "Báo cáo",
                                                  "lead_agency": org.commune.code, "deadline_kind": "date",
                                                  "due_on": "2026-03-31"})
        assert response.status_code == 302
    client.force_login(staff.officer)
    assert client.get("/nhiem-vu/giao/").status_code == 403
    assert client.get("/nhiem-vu/van-ban/moi/").status_code == 403


def test_english(client, make_task, staff):
    task = make_task(date(2026, 3, 10))
    client.force_login(staff.officer)
    client.cookies["django_language"] = "en"
    with at("2026-03-05"):
        html = client.get(f"/nhiem-vu/{task.pk}/").content.decode()
    assert "Report progress" in html and "History" in html


def test_admin_pages(client, make_task, make_user):
    task = make_task(date(2026, 3, 10))
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in ("/admin/assignments/task/", f"/admin/assignments/task/{task.pk}/change/",
                "/admin/assignments/directive/", "/admin/assignments/extensionrequest/",
                "/admin/assignments/taskreport/"):
        assert client.get(url).status_code == 200, url


def test_bad_report_parameters_are_a_400_not_a_500(client, assigner):
    client.force_login(assigner)
    for url in ("/nhiem-vu/bao-cao/", "/nhiem-vu/bao-cao/xuat-excel/", "/nhiem-vu/bao-cao/nhiem-vu/"):
        assert client.get(url, {"kind": "custom", "from": "2026-05-01", "to": "2026-04-01"}).status_code == 400, url
    assert client.get("/nhiem-vu/bao-cao/nhiem-vu/", {"metric": "x"}).status_code == 400
    # an unknown unit is bad input (400, as in the dossier reports); a unit outside the scope is a 404
    assert client.get("/nhiem-vu/bao-cao/", {"agency": "nope"}).status_code == 400


def test_a_manager_assigns_to_the_units_under_the_province(client, staff, org):
    client.force_login(staff.manager)
    html = client.get("/nhiem-vu/giao/").content.decode()
    assert f'value="{org.commune.code}"' in html and f'value="{org.commune2.code}"' in html
    assert f'value="{org.province.code}"' not in html.split('name="lead_agency"')[1].split("</select>")[0]


def test_files_are_served_only_within_scope(client, org, staff, assigner, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assignments import services
    from assignments.models import TaskFile

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with at("2026-03-02"):
        directive = services.create_directive(actor=assigner, number="9/QĐ", issued_on=date(2026, 3, 2), signer="A",
                                              title="Quyết định", issuing_agency=org.province,
                                              file=SimpleUploadedFile("qd.pdf", pdf))
        task = services.assign_task(actor=assigner, directive=directive, title="X", lead_agency=org.commune)
        services.report_progress(task, actor=staff.officer, text="Tiến độ", percent=10,
                                 files=[SimpleUploadedFile("tien-do.pdf", pdf)])
    file_id = TaskFile.objects.get().pk
    client.force_login(staff.officer)
    for url in (f"/nhiem-vu/van-ban/{directive.pk}/tep/", f"/nhiem-vu/tep/{file_id}/"):
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(staff.desk2)
    for url in (f"/nhiem-vu/van-ban/{directive.pk}/tep/", f"/nhiem-vu/tep/{file_id}/"):
        assert client.get(url).status_code == 404
    with at("2026-03-02"), pytest.raises(Exception) as exc:
        services.create_directive(actor=assigner, number="10/QĐ", issued_on=date(2026, 3, 2), signer="A",
                                  title="Quyết định", issuing_agency=org.province,
                                  file=SimpleUploadedFile("qd.pdf", b"not a pdf"))
    assert getattr(exc.value, "status_code", None) == 415
    assert not Directive.objects.filter(number="10/QĐ").exists()
