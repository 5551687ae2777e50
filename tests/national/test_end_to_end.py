"""End to end: a dossier filed on the (stand-in) national portal is pushed over HTTP to the running portal,
received by the desk, processed, and every change synced back by a real worker; the stand-in runs as a
real server, started as `make run` starts it (`python -m national.standin`) as well as in-process."""

import json
import subprocess
import sys
import urllib.request

import pytest
from django.conf import settings

from dossiers import services
from dossiers.models import Dossier, Status

from .conftest import TOKEN, sent_statuses
from .test_faults import wait_delivered, workers  # noqa: F401 - the fixture

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def national_dossier(org, code):
    return {"MaHoSo": code, "MaTTHC": "1.004873", "MaDonViTiepNhan": org.commune.code, "ChuHoSo": "Phạm Văn Đức",
            "LoaiDoiTuong": "1", "SoGiayTo": "079123456700", "SoDienThoai": "0903111222", "Email": "",
            "DiaChi": "Xóm 4", "TrichYeuHoSo": "Xác nhận tình trạng hôn nhân", "NgayTiepNhan": "", "HinhThuc": "0",
            "TaiLieuNop": [{"TepDinhKemId": "9", "TenTepDinhKem": "to-khai.pdf", "MaThanhPhanHoSo": "Tờ khai",
                            "IsDeleted": "False", "DuongDanTaiTepTin": "https://dichvucong.gov.vn/tep/9"}]}


def control(url, path, body=None):
    request = urllib.request.Request(url + path, data=json.dumps(body or {}).encode() if body is not None else None,
                                     method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_pushed_received_processed_and_synced_back(workers, portal_standin, live_server, org, staff,  # noqa: F811
                                                   mapped, settings):
    settings.DVCQG_INBOUND_TOKEN = TOKEN
    workers.start()
    code = "G22.99-261202-0042"
    # the national portal pushes the dossier through its control surface, over HTTP, with the token
    answer = control(portal_standin.url, "/_standin/push", {"dossier": national_dossier(org, code),
                                                             "portal": live_server.url})
    assert answer["status"] == 201 and answer["answer"]["error_code"] == 0, answer
    again = control(portal_standin.url, "/_standin/push", {"dossier": national_dossier(org, code),
                                                            "portal": live_server.url})
    assert again["status"] == 200 and again["answer"]["error_code"] == 1
    wrong = control(portal_standin.url, "/_standin/push", {"dossier": national_dossier(org, code),
                                                            "portal": live_server.url, "token": "sai"})
    assert wrong["status"] == 401
    d = Dossier.objects.get(national_code=code)
    assert d.status == Status.SUBMITTED and d.channel == "online"
    d = services.receive(d, actor=staff.desk)
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d = services.decide(d, actor=staff.head, result="Đã cấp")
    d = services.return_result(d, actor=staff.desk)
    wait_delivered(workers)
    assert sent_statuses(portal_standin, code) == [("DongBo", "2", "True"), ("TienDo", "4"), ("TienDo", "9"),
                                                   ("DongBo", "9", "True"), ("TienDo", "10")]
    held = control(portal_standin.url, "/_standin/log")["held"][code]
    assert held["pushed"] and held["dossier"]["TrangThaiHoSo"] == "9"
    assert [p["TrangThai"] for p in held["progress"]] == ["4", "9", "10"]


def test_the_stand_in_starts_from_the_command_line():
    process = subprocess.Popen([sys.executable, "-m", "national.standin", "--port", "0", "--password", "pw"],
                               cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = line.split()[2]
        assert control(url, "/auth", {"username": "motcua", "password": "sai"})["error_code"] == 1
        session = control(url, "/auth", {"username": "motcua", "password": "pw"})["session"]
        # a progress entry for a dossier it does not hold is refused: order matters there too
        answer = control(url, "/service", {"session": session, "madonvi": "X", "service": "CapNhatTienDoHoSoMC",
                                           "data": [{"MaHoSo": "A-1", "TrangThai": "4"}]})
        assert answer["error_code"] == -1
        answer = control(url, "/service", {"session": "old", "service": "DongBoHoSoMC", "data": []})
        assert answer["error_code"] == -2
    finally:
        process.terminate()
        process.wait(10)
