"""Electronic forms in the catalogue: versions with effective dates, import and export, admin, the procedure
page's blank form, and the check a filing goes through."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from organisation.errors import ValidationFailed
from procedures import demo_forms, importing, selectors, services
from procedures.demo import seed as seed_demo_catalogue
from procedures.models import FormDefinition, Procedure
from tests.procedures.test_import import HEADER, csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db

SIMPLE = {"title": {"vi": "TỜ KHAI THỬ", "en": "TEST FORM"},
          "fields": [{"name": "full_name", "type": "text", "label": {"vi": "Họ tên", "en": "Name"}, "required": True},
                     {"name": "id_number", "type": "id_number", "label": {"vi": "Số định danh", "en": "ID"}}]}


def form_cell(definition, effective_from=None):
    wrapped = {"definition": definition}
    if effective_from:
        wrapped["effective_from"] = effective_from
    return json.dumps(wrapped, ensure_ascii=False)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def export(fmt="csv"):
    out = io.BytesIO()
    importing.write(selectors.catalogue_for_export(), out, fmt)
    return out.getvalue()


def test_import_creates_a_version_and_reimport_changes_nothing(org):
    content = csv_bytes([row(form=form_cell(SIMPLE, "2025-07-01"))], header=HEADER + ["form"])
    report = services.import_catalogue(content, "c.csv")
    assert report.ok, report.errors
    version = FormDefinition.objects.get(procedure__code="1.001193")
    assert (version.version, version.effective_from, version.definition) == (1, datetime.date(2025, 7, 1), SIMPLE)
    again = services.import_catalogue(content, "c.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert FormDefinition.objects.count() == 1


def test_a_changed_form_is_a_new_version_and_the_old_one_stays(org):
    services.import_catalogue(csv_bytes([row(form=form_cell(SIMPLE, "2025-07-01"))], header=HEADER + ["form"]), "c.csv")
    changed = json.loads(json.dumps(SIMPLE))
    changed["fields"][1]["required"] = True
    report = services.import_catalogue(csv_bytes([row(form=form_cell(changed, "2026-01-01"))], header=HEADER + ["form"]),
                                       "c.csv")
    assert (report.updated, report.unchanged) == (1, 0)
    procedure = Procedure.objects.get(code="1.001193")
    assert list(procedure.form_definitions.order_by("version").values_list("version", "effective_from")) == [
        (1, datetime.date(2025, 7, 1)), (2, datetime.date(2026, 1, 1))]
    assert selectors.form_for(procedure, datetime.date(2025, 12, 31)).version == 1
    assert selectors.form_for(procedure, datetime.date(2026, 1, 1)).version == 2
    assert selectors.form_for(procedure, datetime.date(2025, 6, 30)) is None
    # An empty cell keeps the forms; a bare definition (no wrapper) is effective from the day of the import.
    services.import_catalogue(csv_bytes([row(form="")], header=HEADER + ["form"]), "c.csv")
    assert procedure.form_definitions.count() == 2
    services.import_catalogue(csv_bytes([row(form=json.dumps(SIMPLE))], header=HEADER + ["form"]), "c.csv")
    latest = procedure.form_definitions.order_by("-version").first()
    assert latest.version == 3 and latest.effective_from == datetime.date.today()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_forms_round_trip_through_export_and_import(org, fmt):
    seed_demo_catalogue({"commune": org.commune, "commune2": org.commune2, "province": org.province})
    before = {(v.procedure.code, v.version, v.effective_from): v.definition
              for v in FormDefinition.objects.select_related("procedure")}
    assert len(before) == len(demo_forms.FORMS)
    content = export(fmt)
    FormDefinition.objects.all().delete()
    report = services.import_catalogue(content, f"export.{fmt}")
    assert report.ok, report.errors
    after = {(v.procedure.code, v.version, v.effective_from): v.definition
             for v in FormDefinition.objects.select_related("procedure")}
    assert after == before
    again = services.import_catalogue(export(fmt), f"export.{fmt}")
    assert again.updated == 0 and again.created == 0


def test_seed_is_idempotent_for_forms(org):
    context = {"commune": org.commune, "commune2": org.commune2, "province": org.province}
    seed_demo_catalogue(context)
    seed_demo_catalogue(context)
    assert FormDefinition.objects.count() == len(demo_forms.FORMS)
    assert set(FormDefinition.objects.values_list("procedure__code", flat=True)) == set(demo_forms.FORMS)


@pytest.mark.parametrize("cell, fragment", [
    ("{not json", "không phải JSON hợp lệ"),
    (json.dumps({"title": {"vi": "A", "en": "A"}, "fields": [{"name": "a", "type": "colour",
                                                            "label": {"vi": "A", "en": "A"}}]}),
     "fields[0](a).type: kiểu trường không hợp lệ “colour”"),
    (json.dumps({"title": {"vi": "A"}, "fields": []}), "title: cần văn bản tiếng Việt và tiếng Anh"),
    (json.dumps({"definition": SIMPLE, "effective_from": "31/02/2026"}), "effective_from"),
    (json.dumps({"definition": SIMPLE, "owner": "x"}), "chỉ dùng các khóa"),
    ("[" * 5000 + "]" * 5000, "Tờ khai điện tử"),
])
def test_a_form_that_does_not_parse_names_the_procedure_and_nothing_is_imported(org, cell, fragment):
    content = csv_bytes([row(code="2.000815", name="Khác", form=""), row(form=cell)], header=HEADER + ["form"])
    report = services.import_catalogue(content, "c.csv")
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "form")]
    assert "Thủ tục 1.001193:" in report.errors[0].message and fragment in report.errors[0].message
    assert not Procedure.objects.exists() and not FormDefinition.objects.exists()


def test_xlsx_form_cell_error(org):
    content = xlsx_bytes([row(form='{"title": 1}')], header=HEADER + ["form"])
    report = services.import_catalogue(content, "c.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(2, "form")]


def test_import_page_shows_the_form_error(client, make_user, org):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    upload = io.BytesIO(csv_bytes([row(form='{"title": 1}')], header=HEADER + ["form"]))
    upload.name = "c.csv"
    response = client.post(reverse("procedures:import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thủ tục 1.001193" in html and "title" in html


def test_save_form_definition_checks_and_versions(make_procedure):
    procedure = make_procedure()
    with pytest.raises(ValidationFailed) as error:
        services.save_form_definition(procedure, {"title": "x"})
    assert "title" in error.value.fields["definition"][0]
    first = services.save_form_definition(procedure, SIMPLE, effective_from=datetime.date(2025, 1, 1))
    second = services.save_form_definition(procedure, SIMPLE)
    assert (first.version, second.version) == (1, 2)
    assert selectors.form_for(procedure) == second


def test_check_form_errors_by_path(make_procedure):
    procedure = make_procedure()
    assert services.check_form(procedure, None) == (None, {})
    with pytest.raises(ValidationFailed) as error:
        services.check_form(procedure, {"full_name": "A"})
    assert list(error.value.fields) == ["form"]
    services.save_form_definition(procedure, SIMPLE, effective_from=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationFailed) as error:
        services.check_form(procedure, {"id_number": "123"})
    assert error.value.fields == {"form.full_name": ["Bắt buộc nhập."],
                                  "form.id_number": ["Số định danh cá nhân phải gồm 12 chữ số (đã nhập 3)."]}
    with pytest.raises(ValidationFailed):
        services.check_form(procedure, None, required=True)
    version, cleaned = services.check_form(procedure, {"full_name": " An "})
    assert version.version == 1 and cleaned == {"full_name": "An"}


def test_procedure_page_links_the_blank_form_and_it_prints(client, org):
    seed_demo_catalogue({"commune": org.commune, "commune2": org.commune2, "province": org.province})
    html = client.get(reverse("procedures:detail", args=["1.001193"])).content.decode()
    url = reverse("procedures:blank_form", args=["1.001193"])
    assert html.count(url) == 2  # the notice above the components and the "Mẫu đơn, tờ khai" cell
    assert "Tải tờ khai (PDF)" in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                  "Kính gửi:", "Người được khai sinh", "Cha, mẹ (2)", "Số định danh cá nhân"):
        assert words in text
    # A procedure without a form: no link, the cell stays "–", and its blank form is a 404.
    other = client.get(reverse("procedures:detail", args=["1.000656"])).content.decode()
    assert "to-khai.pdf" not in other
    assert client.get(reverse("procedures:blank_form", args=["1.000656"])).status_code == 404
    assert client.get(reverse("procedures:blank_form", args=["9.999999"])).status_code == 404


def test_blank_form_in_english(client, org):
    seed_demo_catalogue({"commune": org.commune, "commune2": org.commune2, "province": org.province})
    client.cookies["django_language"] = "en"
    text = pdf_text(client.get(reverse("procedures:blank_form", args=["1.004194"])).content)
    assert "DECLARATION OF CHANGE OF RESIDENCE INFORMATION" in text and "SOCIALIST REPUBLIC OF VIET NAM" in text


def test_admin_adds_versions_and_refuses_a_bad_definition(client, make_user, make_procedure):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    procedure = make_procedure()
    url = reverse("admin:procedures_formdefinition_add")
    bad = client.post(url, {"procedure": procedure.pk, "effective_from": "2025-07-01",
                            "definition": json.dumps({"title": {"vi": "A", "en": "A"}, "fields": [{"name": "x"}]})})
    assert bad.status_code == 200 and "fields[0](x).type" in bad.content.decode()
    assert not FormDefinition.objects.exists()
    good = client.post(url, {"procedure": procedure.pk, "effective_from": "2025-07-01",
                             "definition": json.dumps(SIMPLE)})
    assert good.status_code == 302
    first = FormDefinition.objects.get()
    changed = {**SIMPLE, "title": {"vi": "TỜ KHAI MỚI", "en": "NEW"}}
    response = client.post(reverse("admin:procedures_formdefinition_change", args=[first.pk]),
                           {"procedure": procedure.pk, "effective_from": "2026-01-01",
                            "definition": json.dumps(changed)})
    assert response.status_code == 302
    assert list(FormDefinition.objects.order_by("version").values_list("version", "definition")) == [
        (1, SIMPLE), (2, changed)]
