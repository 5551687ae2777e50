"""The detail's and the list's JSON, value for value, for a dossier with everything a detail shows (steps,
events, components with a scan, supplement rounds, a fee asked for and paid, an apology), for staff and for
the applicant: a snapshot taken from the answers before the read path moved to the ORM and DRF
(tests/dossiers/snapshots/), which every later change of the read path must keep.

The time is frozen and every name is fixed, so the answers are the same on every run; set
`MOTCUA_WRITE_SNAPSHOTS=1` to write the snapshot afresh (only when api.md's shape changes on purpose).
"""

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dossiers import services
from dossiers.deadlines import sweep

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)
SNAPSHOT = Path(__file__).parent / "snapshots" / "detail_rich.json"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLICANT = {"full_name": "Lê Thị Cúc", "id_number": "079123456781", "phone": "0911222333",
             "email": "cuc@example.vn", "address": "Thôn 3, xã An Bình"}


def _rich(staff, procedure, clock):
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), summary="Xin xác nhận",
                        components=[{"name": "Tờ khai", "kind": "original", "count": 2},
                                    {"name": "Bản chụp CCCD", "kind": "copy",
                                     "file": SimpleUploadedFile("cccd.pdf", PDF, content_type="application/pdf")}])
    clock.shift(timedelta(hours=1))
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer, note="Chuyển thẩm định")
    clock.shift(timedelta(hours=1))
    d = services.request_supplement(d, actor=staff.officer, items=["Bản sao giấy khai sinh"], reason="Thiếu")
    clock.shift(timedelta(hours=2))
    d = services.supplement_received(d, actor=staff.desk,
                                     components=[{"name": "Bản sao giấy khai sinh", "kind": "copy"}])
    clock.shift(timedelta(hours=1))
    d = services.request_payment(d, actor=staff.officer, amount=25000)
    clock.shift(timedelta(hours=1))
    d = services.confirm_payment(d, actor=staff.desk, note="Biên lai 01")
    clock.move_to(d.appointment_at + timedelta(minutes=10))
    sweep()
    new = (d.appointment_at.astimezone(TZ) + timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    while new.weekday() >= 5:
        new += timedelta(days=1)
    return services.apologize(d, actor=staff.head, reason="Chờ xác minh", new_appointment_at=new)


def _online(make_user, procedure, org, clock):
    citizen = make_user("congdan_snapshot", first_name="Hoa", last_name="Phạm")
    d = services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT),
                               summary="Nộp trực tuyến")
    clock.shift(timedelta(minutes=30))
    return d, citizen


def _answers(api, staff, procedure, org, make_user) -> tuple[dict, int]:
    with time_machine.travel(MONDAY, tick=False) as clock:
        rich = _rich(staff, procedure, clock)
        online, citizen = _online(make_user, procedure, org, clock)
        clock.shift(timedelta(minutes=5))
        out = {}
        for language in ("vi", "en"):
            with translation.override(language):
                for name, user in (("desk", staff.desk), ("head", staff.head), ("manager", staff.manager)):
                    out[f"{language}:detail:{name}"] = api.as_user(user).get(
                        f"/api/v1/dossiers/{rich.code}/", HTTP_ACCEPT_LANGUAGE=language).json()
                out[f"{language}:list:desk"] = api.as_user(staff.desk).get(
                    "/api/v1/dossiers/?page_size=10", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
                out[f"{language}:detail:citizen"] = api.as_user(citizen).get(
                    f"/api/v1/dossiers/{online.reference}/", HTTP_ACCEPT_LANGUAGE=language).json()
                out[f"{language}:list:citizen"] = api.as_user(citizen).get(
                    "/api/v1/dossiers/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
    return out, online.pk


def test_the_detail_and_list_json_are_the_snapshot(api, staff, procedure, org, make_user):
    answers, online_pk = _answers(api, staff, procedure, org, make_user)
    # The online submission's reference is `TT-<id>`, and ids come from a sequence no test rolls back.
    answers = json.loads(json.dumps(answers).replace(f'"TT-{online_pk}"', '"TT-ONLINE"'))
    if os.environ.get("MOTCUA_WRITE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                            encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(answers) == sorted(expected)
    for key in expected:
        assert answers[key] == expected[key], key
    rich = expected["vi:detail:desk"]
    # What the snapshot covers: every list of the detail is there, not empty.
    assert rich["steps"] and rich["timeline"] and rich["supplements"] and rich["apology"] and rich["fee_amount"]
    assert any(c["digitised"] for c in rich["components"]) and rich["paid_at"]
