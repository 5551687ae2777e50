"""The national portal pushes a dossier: token, idempotency, checks, nothing stored when refused."""

import base64

import pytest
from django.core.files.storage import default_storage

from dossiers import services
from dossiers.models import Dossier, DossierComponent, Status
from national.models import OutboxEntry
from notices.models import Notice

from .conftest import TOKEN, drain, sent_statuses

pytestmark = pytest.mark.django_db

URL = "/api/v1/national/dossiers/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def token(settings):
    settings.DVCQG_INBOUND_TOKEN = TOKEN
    return TOKEN


def body(org, **over):
    data = {
        "MaHoSo": "G22.99-261201-0001", "MaTTHC": "1.004873", "MaDonViTiepNhan": org.commune.code,
        "ChuHoSo": "Trần Thị Bình", "LoaiDoiTuong": "1", "SoGiayTo": "079123456780", "SoDienThoai": "0987654321",
        "Email": "binh@example.vn", "DiaChi": "Thôn 2, xã An Bình", "TrichYeuHoSo": "Xác nhận tình trạng hôn nhân",
        "NgayTiepNhan": "", "NgayHenTra": "", "HinhThuc": "0",
        "TaiLieuNop": [{"TepDinhKemId": "1", "TenTepDinhKem": "to-khai.pdf", "MaThanhPhanHoSo": "Tờ khai",
                        "IsDeleted": "False", "NoiDung": base64.b64encode(PDF).decode()},
                       {"TepDinhKemId": "2", "TenTepDinhKem": "cccd.jpg", "MaThanhPhanHoSo": "X", "IsDeleted": "True",
                        "NoiDung": "not even base64"}],
    }
    data.update(over)
    return data


def post(api, data, token=TOKEN):
    return api.post(URL, data, format="json", HTTP_AUTHORIZATION=f"Bearer {token}" if token else "")


def test_a_pushed_dossier_waits_at_the_desk(api, token, org, staff, mapped):
    answer = post(api, body(org))
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["error_code"] == 0 and data["MaHoSo"] == "G22.99-261201-0001" and data["code"].startswith("TT-")
    d = Dossier.objects.get(national_code="G22.99-261201-0001")
    assert (d.status, d.channel, d.agency, d.applicant_name) == (Status.SUBMITTED, "online", org.commune, "Trần Thị Bình")
    [component] = DossierComponent.objects.filter(dossier=d)
    assert component.name == "Tờ khai" and component.file and default_storage.exists(component.file.name)
    assert Notice.objects.filter(dossier=d, event="submitted_online", user=staff.desk).exists()
    assert not OutboxEntry.objects.filter(dossier=d).exists()  # the national portal has it already
    # the desk finds it by the national code, and the same push again doubles nothing
    api.as_user(staff.desk)
    listed = api.get("/api/v1/dossiers/", {"q": "G22.99-261201-0001"}).json()
    assert [r["code"] for r in listed["results"]] == [d.reference] or listed["count"] == 1
    api.credentials()
    again = post(api, body(org))
    assert again.status_code == 200 and again.json()["error_code"] == 1 and again.json()["code"] == d.reference
    assert Dossier.objects.filter(national_code="G22.99-261201-0001").count() == 1


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Token {TOKEN}", "Bearer"])
def test_a_wrong_token_is_401_and_stores_nothing(api, token, org, mapped, header):
    answer = api.post(URL, body(org), format="json", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401 and answer.json()["error_code"] == -1
    assert not Dossier.objects.exists()


def test_no_token_configured_refuses_everyone(api, settings, org, mapped):
    settings.DVCQG_INBOUND_TOKEN = ""
    assert post(api, body(org), token="").status_code == 401


@pytest.mark.parametrize(("over", "field"), [
    ({"MaHoSo": ""}, "MaHoSo"),
    ({"MaTTHC": "9.999999"}, "MaTTHC"),
    ({"MaDonViTiepNhan": "000.99.99.H00"}, "MaDonViTiepNhan"),
    ({"ChuHoSo": ""}, "ChuHoSo"),
    ({"SoDienThoai": "12"}, "ChuHoSo.phone"),
    ({"NgayTiepNhan": "2026-12-01"}, "NgayTiepNhan"),
    ({"TaiLieuNop": "x"}, "TaiLieuNop"),
    ({"TaiLieuNop": [{"TenTepDinhKem": "a.pdf", "NoiDung": "%%%"}]}, "TaiLieuNop[0].NoiDung"),
    ({"TaiLieuNop": [{"TenTepDinhKem": "a.exe", "NoiDung": base64.b64encode(b"MZ\x90\x00rest").decode()}]},
     "TaiLieuNop[0].NoiDung"),
    ({"TaiLieuNop": [{"TenTepDinhKem": "a.pdf"}]}, "TaiLieuNop[0]"),
])
def test_a_bad_body_is_400_with_error_code_and_stores_nothing(api, token, org, mapped, over, field):
    answer = post(api, body(org, **over))
    assert answer.status_code == 400, answer.json()
    data = answer.json()
    assert data["error_code"] == -1 and data["code"] and data["detail"] and field in data["fields"], data
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()


def test_a_file_over_the_limit_is_400(api, token, org, mapped, settings):
    settings.UPLOAD_MAX_BYTES = 20
    answer = post(api, body(org))
    assert answer.status_code == 400 and answer.json()["error_code"] == -1
    assert not Dossier.objects.exists()


def test_not_json_is_400(api, token):
    answer = api.post(URL, "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 400 and answer.json()["error_code"] == -1
    answer = api.post(URL, [1, 2], format="json", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 400 and answer.json()["error_code"] == -1


def test_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/national/dossiers/" in schema and "MaDonViTiepNhan" in schema


def test_received_at_the_desk_and_synced_back(api, token, org, staff, mapped, portal_standin):
    assert post(api, body(org)).status_code == 201
    d = Dossier.objects.get(national_code="G22.99-261201-0001")
    d = services.receive(d, actor=staff.desk)
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    drain()
    assert sent_statuses(portal_standin, "G22.99-261201-0001") == [("DongBo", "2", "True"), ("TienDo", "4")]
    sent = portal_standin.snapshot()["accepted"][0]["data"][0]
    assert sent["MaHoSo"] == "G22.99-261201-0001" and sent["MaTTHC"] == "1.004873"



def test_a_pushed_dossier_writes_no_history_and_its_receipt_does(api, token, org, staff, mapped):
    """As at intake: the creation is the "submit" event of the timeline, not a history row that repeats it;
    the history starts with the first change (here the desk's receipt, with the steps it plans)."""
    from dossiers.models import Step

    assert post(api, body(org)).status_code == 201
    d = Dossier.objects.get(national_code="G22.99-261201-0001")
    assert [(e.action, e.actor_name) for e in d.events.all()] == [("submit", "Cổng Dịch vụ công quốc gia")]
    assert not Dossier.history.filter(id=d.pk).exists()
    d = services.receive(d, actor=staff.desk)
    assert [(r.history_type, r.status) for r in Dossier.history.filter(id=d.pk)] == [("~", Status.RECEIVED)]
    assert Step.history.filter(dossier_id=d.pk).count() == d.steps.count() > 0


def test_the_national_code_on_the_receipt_and_in_the_look_up(api, token, org, staff, mapped):
    from django.template.loader import render_to_string

    assert post(api, body(org)).status_code == 201
    d = Dossier.objects.get(national_code="G22.99-261201-0001")
    lookup = {"code": "G22.99-261201-0001", "secret": "4321"}
    assert api.get("/api/v1/lookup/", lookup).status_code == 404  # not received yet: no look-up
    d = services.receive(d, actor=staff.desk)
    answer = api.get("/api/v1/lookup/", lookup)
    assert answer.status_code == 200 and answer.json()["code"] == d.code
    assert api.get("/api/v1/lookup/", {**lookup, "secret": "0000"}).status_code == 404
    html = render_to_string("forms/receipt.html", {"dossier": d, "components": []})
    assert "G22.99-261201-0001" in html and "Mã hồ sơ trên Cổng Dịch vụ công quốc gia" in html
