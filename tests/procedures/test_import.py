"""Import and export of the catalogue: every error by row and column, all or nothing, idempotent, round trip."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook, load_workbook

from organisation.errors import ValidationFailed
from procedures import importing, selectors
from procedures.demo import seed as seed_demo_catalogue
from procedures.models import Component, Field, Procedure, ProcedureStep
from procedures.services import import_catalogue

pytestmark = pytest.mark.django_db

HEADER = importing.COLUMNS


def row(**values):
    base = {
        "code": "1.001193", "name": "Đăng ký khai sinh", "field_code": "G09-TP02", "field_name": "Hộ tịch",
        "agency_levels": "commune", "time_limit_amount": "0", "time_limit_unit": "same_day", "committed_amount": "",
        "online_mode": "full", "online_only": "false", "on_the_spot": "true", "fee_text": "Miễn lệ phí",
        "fee_amount": "0", "legal_basis": "Luật Hộ tịch 2014", "status": "published", "effective_from": "2025-07-01",
        "effective_to": "", "components": "Tờ khai|original|1|required; Giấy chứng sinh|original|1|required",
        "steps": "Tiếp nhận|receiving|desk_officer|4; Thẩm định|parent|processing_officer|16",
    }
    base.update(values)
    return base


def csv_bytes(rows, header=None, delimiter=","):
    header = header or list(rows[0]) if rows else header or HEADER
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=header, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: v for k, v in r.items() if k in header})
    return stream.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=None):
    header = header or list(rows[0])
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append([r.get(h) for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def history_counts():
    return (Procedure.history.count(), Component.history.count(), ProcedureStep.history.count())


def test_valid_file_creates_everything(org):
    content = csv_bytes([
        row(agencies=f"{org.commune.code}; {org.commune2.code}"),
        row(code="2.000815", name="Chứng thực bản sao từ bản chính", field_code="G09-TP03", field_name="Chứng thực",
            time_limit_unit="working_days", time_limit_amount="2,5", committed_amount="1", fee_amount="2.000",
            online_mode="Một phần", status="Đã công bố", effective_from="01/07/2025", agency_levels="commune;province",
            components="Bản chính|bản chính|1|x; Bản sao|certified_copy|2|optional",
            steps=f"Tiếp nhận|receiving|desk_officer|4|Một cửa; Ký|agency|head|2.5||{org.province.code}",
            agencies=org.commune.code),
    ], header=HEADER + ["agencies"])
    report = import_catalogue(content, "catalogue.csv")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged, report.fields_created) == (2, 0, 0, 2)

    birth = Procedure.objects.get(code="1.001193")
    assert birth.field.name == "Hộ tịch" and birth.search_text == "1.001193 dang ky khai sinh"
    assert birth.on_the_spot and not birth.online_only and birth.status == "published"
    assert [(c.order, c.name, c.kind, c.count, c.required) for c in birth.components.order_by("order")] == [
        (1, "Tờ khai", "original", 1, True), (2, "Giấy chứng sinh", "original", 1, True)]
    assert [(s.order, s.performer, s.role, s.allowance_hours) for s in birth.steps.all()] == [
        (1, "receiving", "desk_officer", Decimal(4)), (2, "parent", "processing_officer", Decimal(16))]
    assert set(birth.agencies.values_list("code", flat=True)) == {org.commune.code, org.commune2.code}
    assert birth.history.count() == 1 and birth.history.first().history_change_reason == "import"

    copy = Procedure.objects.get(code="2.000815")
    assert copy.time_limit_amount == Decimal("2.5") and copy.committed_amount == Decimal(1)
    assert copy.fee_amount == 2000 and copy.online_mode == "partial" and copy.agency_levels == "commune,province"
    assert copy.effective_from == datetime.date(2025, 7, 1)
    assert list(copy.components.values_list("kind", "required")) == [("original", True), ("certified_copy", False)]
    last = copy.steps.get(order=2)
    assert last.agency == org.province and last.department_name == "" and last.allowance_hours == Decimal("2.5")
    assert copy.steps.get(order=1).department_name == "Một cửa"


@pytest.mark.parametrize(
    ("bad", "column", "fragment"),
    [
        ({"name": ""}, "name", "Bắt buộc"),
        ({"field_code": "G09-XX99", "field_name": ""}, "field_name", "cần ghi tên lĩnh vực"),
        ({"time_limit_unit": "weeks"}, "time_limit_unit", "weeks"),
        ({"time_limit_amount": "-1"}, "time_limit_amount", "âm"),
        ({"time_limit_amount": "ba"}, "time_limit_amount", "số"),
        ({"time_limit_amount": "1.234"}, "time_limit_amount", "thập phân"),
        ({"time_limit_amount": "999999"}, "time_limit_amount", "Quá lớn"),
        ({"committed_amount": "5", "time_limit_amount": "3"}, "committed_amount", "dài hơn"),
        ({"online_only": "maybe"}, "online_only", "maybe"),
        ({"on_the_spot": "2"}, "on_the_spot", "đúng/sai"),
        ({"effective_from": "2025-13-01"}, "effective_from", "Ngày không hợp lệ"),
        ({"effective_from": "2025-07-01", "effective_to": "2025-06-30"}, "effective_to", "trước ngày"),
        ({"components": "Tờ khai|photocopy|1|required"}, "components", "Thành phần 1"),
        ({"components": "Tờ khai|original|0|required"}, "components", "nhỏ hơn 1"),
        ({"components": "|original|1"}, "components", "Bắt buộc"),
        ({"steps": "Tiếp nhận|somewhere|desk_officer|4"}, "steps", "Bước 1"),
        ({"steps": "Tiếp nhận|receiving|desk_officer"}, "steps", "Bước 1"),
        ({"steps": "A|receiving|desk_officer|4; B|agency|head|2||000.00.00.X00"}, "steps", "Bước 2"),
        ({"steps": "A|agency|head|2"}, "steps", "mã cơ quan"),
        ({"steps": "A|receiving|janitor|2"}, "steps", "Vai trò"),
        ({"fee_amount": "-5"}, "fee_amount", "nhỏ hơn 0"),
        ({"fee_amount": "mười"}, "fee_amount", "số nguyên"),
        ({"status": "archived"}, "status", "archived"),
        ({"online_mode": "maybe"}, "online_mode", "maybe"),
        ({"agency_levels": "district;planet"}, "agency_levels", "planet"),
        ({"agency_levels": ""}, "agency_levels", "Bắt buộc"),
        ({"code": ""}, "code", "Bắt buộc"),
        ({"code": "x" * 41}, "code", "Dài quá"),
    ],
)
def test_each_invalid_value_is_reported_by_row_and_column_and_nothing_is_imported(org, bad, column, fragment):
    fields_before = Field.objects.count()
    content = csv_bytes([row(code="1.000001"), row(code="1.000002", **{k: v for k, v in bad.items() if k != "code"})
                         if "code" not in bad else row(**bad), row(code="1.000003")])
    report = import_catalogue(content, "catalogue.csv")
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, column)], report.errors
    assert fragment in report.errors[0].message, report.errors[0].message
    assert Procedure.objects.count() == 0 and Field.objects.count() == fields_before
    assert history_counts() == (0, 0, 0)


def test_duplicate_code_names_the_first_row():
    report = import_catalogue(csv_bytes([row(), row(name="Khác"), row(code="1.000002")]), "c.csv")
    assert [(e.row, e.column) for e in report.errors] == [(3, "code")]
    assert "dòng 2" in report.errors[0].message
    assert Procedure.objects.count() == 0


def test_every_error_of_every_row_is_reported():
    content = csv_bytes([row(name="", online_only="maybe"), row(code="1.000002", time_limit_unit="weeks"),
                         row(code="1.000003")])
    report = import_catalogue(content, "c.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "name"), (2, "online_only"), (3, "time_limit_unit")]
    assert Procedure.objects.count() == 0


def test_new_field_named_once_serves_later_rows_and_conflicting_names_are_refused():
    ok = import_catalogue(csv_bytes([row(field_code="G01-NEW", field_name="Mới"),
                                     row(code="1.000002", field_code="G01-NEW", field_name="")]), "c.csv")
    assert ok.ok and Field.objects.get(code="G01-NEW").name == "Mới"
    bad = import_catalogue(csv_bytes([row(code="1.000003", field_code="G02-NEW", field_name="A"),
                                      row(code="1.000004", field_code="G02-NEW", field_name="B")]), "c.csv")
    assert [(e.row, e.column) for e in bad.errors] == [(3, "field_name")]


def test_header_problems_are_reported_on_row_one():
    header = [h for h in HEADER if h != "steps"] + ["fee_amout"]
    report = import_catalogue(csv_bytes([row()], header=header), "c.csv")
    assert sorted((e.row, e.column) for e in report.errors) == [(1, "fee_amout"), (1, "steps")]


@pytest.mark.parametrize(("content", "name"), [
    (b"\xff\xfe\x00garbage", "c.csv"), (b"not a zip", "c.xlsx"), (b"code,name", "c.pdf"), (b"", "c.csv"),
])
def test_unreadable_files_are_refused(content, name):
    with pytest.raises(ValidationFailed) as caught:
        import_catalogue(content, name)
    assert caught.value.code == "invalid_file"


def test_empty_table_is_an_error():
    report = import_catalogue(csv_bytes([], header=HEADER), "c.csv")
    assert not report.ok


def test_semicolon_csv_with_bom_from_excel():
    content = b"\xef\xbb\xbf" + csv_bytes([row()], delimiter=";")
    report = import_catalogue(content, "c.csv")
    assert report.ok, report.errors
    assert Procedure.objects.get().components.count() == 2


def test_importing_the_same_file_twice_changes_nothing(org):
    content = csv_bytes([row(agencies=org.commune.code), row(code="1.000002", name="Đăng ký kết hôn")],
                        header=HEADER + ["agencies"])
    assert import_catalogue(content, "c.csv").created == 2
    stamps = dict(Procedure.objects.values_list("code", "updated_at"))
    before = history_counts()
    ids = (set(Component.objects.values_list("id", flat=True)), set(ProcedureStep.objects.values_list("id", flat=True)))

    again = import_catalogue(content, "c.csv")
    assert (again.created, again.updated, again.unchanged, again.fields_created) == (0, 0, 2, 0)
    assert history_counts() == before
    assert dict(Procedure.objects.values_list("code", "updated_at")) == stamps
    assert (set(Component.objects.values_list("id", flat=True)),
            set(ProcedureStep.objects.values_list("id", flat=True))) == ids


def test_a_change_writes_only_that_change():
    import_catalogue(csv_bytes([row(), row(code="1.000002")]), "c.csv")
    procedure_history, component_history, step_history = history_counts()
    report = import_catalogue(csv_bytes([row(fee_text="10.000 đồng"), row(code="1.000002")]), "c.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Procedure.objects.get(code="1.001193").fee_text == "10.000 đồng"
    assert history_counts() == (procedure_history + 1, component_history, step_history)
    latest = Procedure.objects.get(code="1.001193").history.first()
    assert latest.history_type == "~" and latest.prev_record.fee_text == "Miễn lệ phí"


def test_components_keep_their_row_and_blank_form_when_reordered_and_steps_are_replaced():
    import_catalogue(csv_bytes([row()]), "c.csv")
    procedure = Procedure.objects.get()
    form = procedure.components.get(name="Tờ khai")
    form.blank_form.save("to-khai.pdf", ContentFile(b"%PDF-1.4"), save=True)
    report = import_catalogue(csv_bytes([row(
        components="Giấy chứng sinh|original|1|required; Tờ khai|original|2|required; Ảnh|copy|1|optional",
        steps="Tiếp nhận|receiving|desk_officer|4")]), "c.csv")
    assert report.updated == 1
    kept = procedure.components.get(name="Tờ khai")
    assert kept.id == form.id and kept.order == 2 and kept.count == 2 and kept.blank_form.name == form.blank_form.name
    assert list(procedure.components.order_by("order").values_list("name", flat=True)) == [
        "Giấy chứng sinh", "Tờ khai", "Ảnh"]
    assert list(procedure.steps.values_list("order", "name")) == [(1, "Tiếp nhận")]


def test_agencies_column_absent_keeps_agencies(org):
    import_catalogue(csv_bytes([row(agencies=org.commune.code)], header=HEADER + ["agencies"]), "c.csv")
    report = import_catalogue(csv_bytes([row()]), "c.csv")
    assert report.unchanged == 1
    assert list(Procedure.objects.get().agencies.values_list("code", flat=True)) == [org.commune.code]
    changed = import_catalogue(csv_bytes([row(agencies="")], header=HEADER + ["agencies"]), "c.csv")
    assert changed.updated == 1 and Procedure.objects.get().agencies.count() == 0


def test_dry_run_checks_and_counts_but_writes_nothing():
    report = import_catalogue(csv_bytes([row(), row(code="1.000002")]), "c.csv", dry_run=True)
    assert report.ok and report.created == 2 and report.dry_run
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0


def test_excel_with_typed_cells():
    rows = [row(time_limit_amount=3, time_limit_unit="working_days", fee_amount=15000, online_only=False,
                on_the_spot=True, effective_from=datetime.datetime(2025, 7, 1), committed_amount=None)]
    report = import_catalogue(xlsx_bytes(rows, HEADER), "c.xlsx")
    assert report.ok, report.errors
    procedure = Procedure.objects.get()
    assert procedure.time_limit_amount == 3 and procedure.fee_amount == 15000 and procedure.on_the_spot
    assert procedure.effective_from == datetime.date(2025, 7, 1)


def test_excel_numeric_code_is_refused_rather_than_losing_zeros():
    report = import_catalogue(xlsx_bytes([row(code=1.00193)], HEADER), "c.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(2, "code")]


def _export(fmt):
    out = io.BytesIO()
    importing.write(selectors.catalogue_for_export(), out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_then_import_changes_nothing(org, make_procedure, fmt):
    seed_demo_catalogue({"province": org.province, "commune": org.commune, "commune2": org.commune2})
    # Made by hand in the admin: zero component orders, steps numbered by tens, a draft, odd characters.
    odd = make_procedure("9.000001", "Thủ tục có dấu ; và | trong tên", components=0, steps=0, status="draft",
                         committed_amount=Decimal("0.5"), effective_to=datetime.date(2030, 1, 1),
                         requirements="Dòng 1\nDòng 2", result="Kết quả", legal_basis="=SUM(A1) không phải công thức")
    Component.objects.create(procedure=odd, order=0, name="Giấy tờ; có | dấu \\ lạ", kind="copy", count=3, required=False)
    Component.objects.create(procedure=odd, order=0, name="Giấy tờ thứ hai", kind="original")
    ProcedureStep.objects.create(procedure=odd, order=10, name="Bước|một", performer="agency", agency=org.province,
                                 department_name="Phòng; A", allowance_hours=Decimal("1.25"))
    ProcedureStep.objects.create(procedure=odd, order=20, name="Bước hai", allowance_hours=Decimal(8))
    before = history_counts()
    total = Procedure.objects.count()

    content = _export(fmt)
    report = import_catalogue(content, f"export.{fmt}")
    assert report.ok, report.errors[:5]
    assert (report.created, report.updated, report.unchanged) == (0, 0, total)
    assert history_counts() == before
    assert _export(fmt) == content or fmt == "xlsx"  # xlsx embeds a timestamp


def test_exported_xlsx_cells_are_text():
    import_catalogue(csv_bytes([row(code="1.001930", legal_basis="=1+1")]), "c.csv")
    sheet = load_workbook(io.BytesIO(_export("xlsx"))).active
    values = [cell.value for cell in sheet[2]]
    assert values[0] == "1.001930" and "=1+1" in values
    assert all(cell.data_type == "s" for cell in sheet[2] if cell.value is not None)


def test_export_escapes_separators_and_import_reads_them_back():
    assert importing.escape("a;b|c\\d") == "a\\;b\\|c\\\\d"
    assert importing.split_escaped("a\\;b|c\\|d|e\\\\", "|") == ["a;b", "c|d", "e\\"]
