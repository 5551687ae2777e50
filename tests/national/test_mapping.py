"""Mappings kept as data: the national procedure code imported with the catalogue, the names refreshed
from LayThuTuc on demand (never per dossier), and a dossier without a national code shown as such."""

import csv
import io

import pytest

from national.models import ProcedureMapping
from national.selectors import State, sync_state
from national.services import refresh_procedure
from procedures import importing
from procedures.selectors import catalogue_for_export
from procedures.services import import_catalogue

from .conftest import drain

pytestmark = pytest.mark.django_db


def exported(procedures) -> list[dict]:
    stream = io.StringIO()
    importing.write_csv(procedures, stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def test_the_national_code_travels_with_the_catalogue(procedure):
    rows = exported(catalogue_for_export())
    assert rows[0]["national_code"] == ""
    rows[0]["national_code"] = "1.004873"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = import_catalogue(out.getvalue().encode(), "catalogue.csv")
    assert report.ok, report.errors
    assert ProcedureMapping.objects.get(procedure=procedure).national_code == "1.004873"
    assert exported(catalogue_for_export())[0]["national_code"] == "1.004873"
    # a file without the column keeps the mapping
    del rows[0]["national_code"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    assert import_catalogue(out.getvalue().encode(), "catalogue.csv").ok
    assert ProcedureMapping.objects.get(procedure=procedure).national_code == "1.004873"


def test_names_are_refreshed_from_lay_thu_tuc_on_demand(portal_standin, mapped, make_dossier):
    portal_standin.procedures["1.004873"] = {
        "TENTTHC": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "G09-TP02", "TENLINHVUC": "Hộ tịch (quốc gia)"}]}
    mapping = refresh_procedure(mapped)
    assert (mapping.national_name, mapping.field_code, mapping.field_name) == (
        "Cấp Giấy xác nhận tình trạng hôn nhân", "G09-TP02", "Hộ tịch (quốc gia)")
    assert mapping.refreshed_at is not None
    d = make_dossier(4)
    drain()
    services = [c["service"] for c in portal_standin.snapshot()["accepted"]]
    assert services == ["DongBoHoSoMC", "CapNhatTienDoHoSoMC"]  # no LayThuTuc per dossier
    sent = portal_standin.snapshot()["accepted"][0]["data"][0]
    assert sent["TenTTHC"] == "Cấp Giấy xác nhận tình trạng hôn nhân" and sent["TenLinhVuc"] == "Hộ tịch (quốc gia)"
    assert sync_state(d).state == State.SYNCED


def test_without_a_national_code_the_dossier_says_it_cannot_sync(portal_standin, make_dossier):
    d = make_dossier(2)
    assert sync_state(d).state == State.NO_NATIONAL_CODE
    drain()
    view = sync_state(d)
    assert view.state == State.NO_NATIONAL_CODE and view.pending == 1
    assert str(view.label) == "Không thể đồng bộ: thủ tục chưa có mã quốc gia"


def test_admin_pages_and_the_resend_action(client, django_user_model, portal_standin, make_dossier, procedure):
    admin_user = django_user_model.objects.create_superuser("quantri", "a@example.vn", "pw-12345!")
    client.force_login(admin_user)
    d = make_dossier(2)
    drain()  # blocked: no national code
    for url in ("/admin/national/proceduremapping/", "/admin/national/syncstate/", "/admin/national/outboxentry/",
                "/admin/national/proceduremapping/add/"):
        assert client.get(url).status_code == 200, url
    answer = client.post("/admin/national/proceduremapping/add/",
                         {"procedure": procedure.pk, "national_code": "1.004873", "national_name": "",
                          "field_code": "", "field_name": ""})
    assert answer.status_code == 302
    answer = client.post("/admin/national/syncstate/", {"action": "resend", "_selected_action": [d.pk]})
    assert answer.status_code == 302
    drain(force=False)
    assert [c["service"] for c in portal_standin.snapshot()["accepted"]] == ["DongBoHoSoMC"]
