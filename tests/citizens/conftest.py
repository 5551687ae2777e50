"""Fixtures of the citizens' portal tests: an online procedure with two components, citizens with
profiles, small valid scans, and a helper that takes a citizen's online dossier through the real
services to any status."""

import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from citizens.models import CitizenProfile
from dossiers import services as dossier_services
from procedures.models import Component, Field, Performer, Procedure, ProcedureStep, StepRole, TimeUnit

_seq = itertools.count(1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82')  # a whole 1x1 PNG


def pdf(name="giay-to.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="anh.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def field_hotich(db):
    return Field.objects.get_or_create(code="G09-TP02", defaults={"name": "Hộ tịch"})[0]


@pytest.fixture
def make_procedure(db, field_hotich):
    def make(code=None, *, online_mode="full", amount=3, unit=TimeUnit.WORKING_DAYS, **extra):
        code = code or f"8.{next(_seq):06d}"
        procedure = Procedure.objects.create(
            code=code, name=extra.pop("name", f"Thủ tục trực tuyến {code}"), field=field_hotich,
            agency_levels=extra.pop("agency_levels", "commune"), time_limit_amount=Decimal(amount),
            time_limit_unit=unit, status=extra.pop("status", "published"), online_mode=online_mode, **extra,
        )
        Component.objects.create(procedure=procedure, order=1, name="Tờ khai", kind="original", required=True)
        Component.objects.create(procedure=procedure, order=2, name="Bản sao CCCD", kind="copy", required=False)
        for order, (name, role, hours) in enumerate(
            [("Tiếp nhận", StepRole.DESK, 4), ("Thẩm định", StepRole.PROCESSING, 12), ("Phê duyệt", StepRole.HEAD, 8)],
            start=1,
        ):
            ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                         role=role, allowance_hours=Decimal(hours))
        return procedure

    return make


@pytest.fixture
def online_procedure(make_procedure, org):
    """A fully online commune procedure of 3 working days, performed by the first commune only."""
    procedure = make_procedure("1.001193", name="Đăng ký khai sinh", agency_levels="")
    procedure.agencies.add(org.commune)
    return procedure


@pytest.fixture
def make_citizen(make_user):
    def make(username=None, *, full_name="Nguyễn Văn An", phone="0912345678", **profile):
        user = make_user(username or f"citizen{next(_seq)}")
        CitizenProfile.objects.create(
            user=user, full_name=full_name, phone=phone, email=profile.pop("email", f"{user.username}@example.vn"),
            id_number=profile.pop("id_number", "079123456789"), address=profile.pop("address", "Thôn 1, xã An Bình"),
            **profile,
        )
        return user

    return make


@pytest.fixture
def citizen(make_citizen):
    return make_citizen("congdan")


@pytest.fixture
def other_citizen(make_citizen):
    return make_citizen("congdan2", full_name="Trần Thị Bình", phone="0987654321")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678",
             "email": "an@example.vn", "address": "Thôn 1, xã An Bình"}


@pytest.fixture
def online_dossier(staff, org, online_procedure):
    """`online_dossier(citizen, status=...)`: submitted online by the citizen, then taken through the real
    dossier services by the commune's staff (5 = supplement requested, 9 decided, 10 returned...)."""

    def make(owner, status=1, *, applicant=None, result_file=None):
        d = dossier_services.submit_online(
            citizen=owner, procedure=online_procedure, agency=org.commune, applicant=applicant or dict(APPLICANT),
            components=[{"component": online_procedure.components.first().pk, "file": pdf("to-khai.pdf")}],
            return_method="online",
        )
        if status == 1:
            return d
        d = dossier_services.receive(d, actor=staff.desk)
        if status == 2:
            return d
        if status == 3:
            d = dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)
            return dossier_services.refuse(d, actor=staff.officer, reason="Không đủ điều kiện")
        d = dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)
        if status == 4:
            return d
        if status == 5:
            return dossier_services.request_supplement(d, actor=staff.officer, items=["Bản sao giấy khai sinh của mẹ"],
                                                       reason="Thiếu giấy tờ")
        d = dossier_services.transfer(d, actor=staff.officer)
        d = dossier_services.decide(d, actor=staff.head, result="Đã cấp giấy khai sinh",
                                    result_file=result_file or pdf("ket-qua.pdf"))
        if status == 9:
            return d
        return dossier_services.return_result(d, actor=staff.desk)

    return make
