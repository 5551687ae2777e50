"""The import page and the commands: administrators only; the error table or the counts."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from organisation.models import Role
from procedures.models import Procedure

from .test_import import HEADER, csv_bytes, row

pytestmark = pytest.mark.django_db


def upload(client, content, name="catalogue.csv", **extra):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("procedures:import"), {"file": file, **extra})


@pytest.fixture
def administrator(org, make_user):
    return make_user("quantri", roles=[(org.province, Role.ADMINISTRATOR)])


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("procedures:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("procedures:export")).status_code == 302


def test_other_staff_are_refused(client, staff):
    client.force_login(staff.manager)
    assert client.get(reverse("procedures:import")).status_code == 403
    assert upload(client, csv_bytes([row()])).status_code == 403
    assert client.get(reverse("procedures:export")).status_code == 403
    assert Procedure.objects.count() == 0


def test_administrator_imports_and_sees_counts(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("procedures:import")).status_code == 200
    response = upload(client, csv_bytes([row(), row(code="1.000002")]))
    assert response.status_code == 200
    assert "Thêm mới 2, cập nhật 0, không đổi 0" in response.content.decode()
    assert Procedure.objects.count() == 2
    assert Procedure.objects.get(code="1.000002").history.first().history_user == administrator


def test_errors_are_shown_as_a_table_and_nothing_is_imported(client, administrator):
    client.force_login(administrator)
    response = upload(client, csv_bytes([row(), row(code="1.000002", time_limit_unit="weeks", online_only="maybe")]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 lỗi – chưa nhập gì" in html
    assert '<td class="num">3</td><td>time_limit_unit</td><td>weeks</td>' in html
    assert '<td class="num">3</td><td>online_only</td><td>maybe</td>' in html
    assert Procedure.objects.count() == 0


def test_dry_run_and_bad_file_and_missing_file(client, administrator):
    client.force_login(administrator)
    dry = upload(client, csv_bytes([row()]), dry_run="1")
    assert "Tệp hợp lệ (chưa ghi)" in dry.content.decode() and Procedure.objects.count() == 0
    bad = upload(client, b"%PDF-1.4", name="catalogue.pdf")
    assert bad.status_code == 400 and 'id="e-file"' in bad.content.decode()
    assert client.post(reverse("procedures:import"), {}).status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_superuser_downloads_the_export(client, make_user, fmt):
    from procedures.services import import_catalogue

    import_catalogue(csv_bytes([row()]), "c.csv")
    client.force_login(make_user(is_superuser=True, is_staff=True))
    response = client.get(reverse("procedures:export"), {"format": fmt})
    assert response.status_code == 200
    assert f".{fmt}\"" in response["Content-Disposition"]
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("code,name,field_code") and "Đăng ký khai sinh" in text
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["B2"].value == "Đăng ký khai sinh"
    assert client.get(reverse("procedures:export"), {"format": "pdf"}).status_code == 404


def test_import_command_prints_errors_and_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([row(time_limit_amount="-3")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_procedures", str(path), stderr=err)
    assert "row 2, column time_limit_amount" in err.getvalue()
    assert Procedure.objects.count() == 0


def test_import_and_export_commands_round_trip(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes([row(), row(code="1.000002")]))
    out = io.StringIO()
    call_command("import_procedures", str(source), stdout=out)
    assert "2 created" in out.getvalue()
    for name in ("out.csv", "out.xlsx"):
        exported = tmp_path / name
        call_command("export_procedures", str(exported), stdout=io.StringIO())
        again = io.StringIO()
        call_command("import_procedures", str(exported), "--dry-run", stdout=again)
        assert "0 created, 0 updated, 2 unchanged" in again.getvalue()
    with pytest.raises(CommandError):
        call_command("export_procedures", str(tmp_path / "out.pdf"))
    with pytest.raises(CommandError):
        call_command("import_procedures", str(tmp_path / "missing.csv"))


def test_header_constant_is_the_documented_column_list():
    assert HEADER == ["code", "name", "field_code", "field_name", "agency_levels", "time_limit_amount",
                      "time_limit_unit", "committed_amount", "online_mode", "online_only", "on_the_spot", "fee_text",
                      "fee_amount", "legal_basis", "status", "effective_from", "effective_to", "components", "steps"]
