"""Importing tasks from a spreadsheet: every row checked, errors by row and column, all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from assignments.importing import import_tasks
from assignments.models import Directive, Task

from .conftest import at

pytestmark = pytest.mark.django_db
HEADER = ["directive_number", "directive_date", "directive_signer", "directive_title", "issuing_agency", "title",
          "lead_agency", "supporting_agencies", "due_on", "working_days", "assigned_on"]


def csv_bytes(rows):
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def rows(org):
    p, c1, c2 = org.province.code, org.commune.code, org.commune2.code
    return [
        ["12/KH-UBND", "2026-02-02", "Nguyễn A", "Kế hoạch CCHC", p, "Rà soát TTHC", c1, c2, "2026-03-31", "", "2026-02-03"],
        ["12/KH-UBND", "2026-02-02", "Nguyễn A", "Kế hoạch CCHC", p, "Số hóa kết quả", c2, "", "", "10", "2026-02-03"],
        ["13/CT-UBND", "05/02/2026", "Trần B", "Chỉ thị", p, "Tuyên truyền", c1, "", "", "", ""],
    ]


def test_a_valid_file_imports_every_row(org, assigner, rows):
    with at("2026-03-02"):
        report = import_tasks(csv_bytes(rows), "nv.csv", actor=assigner)
    assert report.ok and (report.created, report.directives_created) == (3, 2)
    assert Directive.objects.count() == 2
    first = Task.objects.get(title="Rà soát TTHC")
    assert str(first.due_on) == "2026-03-31" and list(first.supporting_agencies.all()) == [org.commune2]
    assert Task.objects.get(title="Số hóa kết quả").deadline_working_days == 10
    assert Task.objects.get(title="Tuyên truyền").due_on is None


def test_an_unknown_unit_names_row_and_column_and_nothing_is_saved(org, assigner, rows):
    rows[1][6] = "000.99.99.H99"
    rows[2][8] = "2026-01-01"  # before the assignment (today)
    with at("2026-03-02"):
        report = import_tasks(csv_bytes(rows), "nv.csv", actor=assigner)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "lead_agency"), (4, "due_on")]
    assert "000.99.99.H99" in report.errors[0].message
    assert not Task.objects.exists() and not Directive.objects.exists()


def test_a_unit_outside_the_tree(org, staff, make_user):
    from organisation.models import Role

    head = make_user(roles=[(org.commune, Role.HEAD)])
    rows = [["1/KH", "2026-02-02", "A", "KH", org.commune.code, "X", org.commune2.code, "", "", "", ""]]
    with at("2026-03-02"):
        report = import_tasks(csv_bytes(rows), "nv.csv", actor=head)
    assert [(e.row, e.column) for e in report.errors] == [(2, "lead_agency")]
    with at("2026-03-02"):
        report = import_tasks(csv_bytes(rows), "nv.csv", actor=staff.officer)
    assert [(e.row, e.column) for e in report.errors] == [(2, "issuing_agency")]
    assert not Task.objects.exists()


def test_excel_and_the_api(api, org, assigner, rows):
    wb = Workbook()
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    with at("2026-03-02"):
        response = api.as_user(assigner).post("/api/v1/tasks/import/", {
            "file": SimpleUploadedFile("nv.xlsx", buf.getvalue())}, format="multipart")
        assert response.status_code == 201, response.json()
        assert response.json() == {"rows": 3, "created": 3, "directives_created": 2}
        rows[0][6] = "khong-co"
        response = api.post("/api/v1/tasks/import/", {"file": SimpleUploadedFile("nv.csv", csv_bytes(rows))},
                            format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_rows" and "rows[2].lead_agency" in response.json()["fields"]
    assert Task.objects.count() == 3


def test_missing_columns_and_unreadable_files(api, assigner):
    api.as_user(assigner)
    response = api.post("/api/v1/tasks/import/", {"file": SimpleUploadedFile("x.csv", b"title\nA\n")},
                        format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "missing_columns"
    response = api.post("/api/v1/tasks/import/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["fields"]


def test_the_import_page(client, assigner, org, rows):
    client.force_login(assigner)
    rows[1][6] = "000.99.99.H99"
    with at("2026-03-02"):
        page = client.post("/nhiem-vu/nhap/", {"file": SimpleUploadedFile("nv.csv", csv_bytes(rows))})
    assert page.status_code == 400
    assert "dòng 3, cột lead_agency" in page.content.decode()
    assert not Task.objects.exists()
