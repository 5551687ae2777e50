"""Digital signatures: results and forms signed (PAdES) with the configured PKCS#12, verified whenever
served, never served as signed when the signature does not verify; a missing, expired or wrong-password
certificate leaves the portal running, signing nothing, and saying why."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from dossiers import services as dossier_services
from procedures.models import Field, Performer, Procedure, ProcedureStep, StepRole
from signing import pki, services, signer
from signing.models import SignedDocument

PASSWORD = "Mot-Cua-2026!"
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678",
             "address": "Thôn 1, xã An Bình"}


def minimal_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Giấy xác nhận tình trạng hôn nhân</h1>").write_pdf()


@pytest.fixture
def decided(staff, org, make_user):
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.004873", name="Xác nhận tình trạng hôn nhân", field=field, agency_levels="commune",
        time_limit_amount=Decimal(3), time_limit_unit="working_days", status="published", online_mode="full")
    for order, (name, role) in enumerate([("Tiếp nhận", StepRole.DESK), ("Thẩm định", StepRole.PROCESSING),
                                          ("Phê duyệt", StepRole.HEAD)], start=1):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                     role=role, allowance_hours=Decimal(8))
    citizen = make_user("0912345678", password=PASSWORD)

    def make(result_file=None):
        d = dossier_services.submit_online(citizen=citizen, procedure=procedure, agency=org.commune,
                                           applicant=dict(APPLICANT))
        d = dossier_services.receive(d, actor=staff.desk)
        d = dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)
        d = dossier_services.transfer(d, actor=staff.officer)
        return dossier_services.decide(d, actor=staff.head, result="Đã cấp giấy xác nhận", result_file=result_file)

    make.citizen = citizen
    return make


def test_sign_and_verify_a_pdf(signing_on):
    signed = signer.sign(minimal_pdf())
    check = signer.verify(signed)
    assert check.valid and check.signer == "UBND xã Diên Khánh (ký số demo)" and check.signed_at
    assert b"/ETSI.CAdES.detached" in signed  # PAdES
    # An unsigned file, a file changed after signing, and a corrupted signature are not signed.
    assert not signer.verify(minimal_pdf()).signed
    assert not signer.verify(signed + b"\n% appended\n").valid
    tampered = bytearray(signed)
    tampered[200] = (tampered[200] + 1) % 256
    assert not signer.verify(bytes(tampered)).valid


def test_a_signature_from_an_untrusted_ca_is_not_valid(signing_on, tmp_path, settings):
    _ca, other = pki.write_demo(tmp_path / "other", "pw-test")
    settings.SIGNING_PKCS12_PATH = str(other)
    signer.reset_cache()
    signed = signer.sign(minimal_pdf())
    assert signer.verify(signed).problem == "untrusted"


@pytest.mark.parametrize("case", ["missing", "wrong_password", "expired", "unset"])
def test_bad_certificate_signs_nothing_and_says_why(case, settings, tmp_path, demo_pki, client, staff):
    ca, p12 = demo_pki
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = str(p12), "pw-test"
    if case == "missing":
        settings.SIGNING_PKCS12_PATH = str(tmp_path / "nope.p12")
        reason = "Không tìm thấy tệp chứng thư số"
    elif case == "wrong_password":
        settings.SIGNING_PKCS12_PASSWORD = "wrong"
        reason = "sai mật khẩu"
    elif case == "expired":
        _ca, old = pki.write_demo(tmp_path / "old", "pw-test", not_after=datetime.now(UTC) - timedelta(days=1))
        settings.SIGNING_PKCS12_PATH = str(old)
        reason = "Chứng thư số đã hết hạn"
    else:
        settings.SIGNING_PKCS12_PATH = ""
        reason = "Chưa cấu hình chứng thư số"
    signer.reset_cache()
    status = signer.signer_status()
    assert not status.ok and reason in status.reason
    assert signer.sign(minimal_pdf()) is None
    pdf, check = services.sign_issued_form(minimal_pdf())
    assert check is None and not signer.verify(pdf).signed
    admin = staff.head
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    page = client.get("/ky-so/")
    assert page.status_code == 200 and reason in page.content.decode()
    assert "Cổng không ký số văn bản nào." in page.content.decode()
    signer.reset_cache()


def test_status_page_for_administrators_only(client, staff):
    client.force_login(staff.desk)
    assert client.get("/ky-so/").status_code == 302


def test_result_signed_on_decision_and_served_verified(signing_on, decided, client, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("ket-qua.pdf", minimal_pdf(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        d = decided(result_file=upload)
    doc = SignedDocument.objects.get(dossier=d)
    assert doc.signer_name == "UBND xã Diên Khánh (ký số demo)"
    client.force_login(decided.citizen)
    response = client.get(f"/cong-dan/ho-so/{d.code}/ket-qua/")
    assert response.status_code == 200 and response["X-Signature-Status"] == "valid"
    assert signer.verify(response.content).valid
    page = client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()
    assert "Đã ký số bởi UBND xã Diên Khánh (ký số demo) lúc" in page

    # The stored file altered: never served as signed (nor at all), for the citizen and the desk.
    with doc.file.open("rb") as handle:
        data = handle.read()
    with open(doc.file.path, "wb") as handle:
        handle.write(data + b"\n% changed\n")
    response = client.get(f"/cong-dan/ho-so/{d.code}/ket-qua/")
    assert response.status_code == 409 and "Chữ ký số của tệp kết quả không hợp lệ" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_result_without_file_gets_a_signed_notice_and_scans_become_pdf(signing_on, decided, client, staff):
    d = decided()
    client.force_login(staff.desk)
    response = client.get(f"/ho-so/{d.code}/ket-qua/")  # signed on first download when not signed yet
    assert response.status_code == 200 and signer.verify(response.content).valid
    assert "Đã ký số bởi UBND xã Diên Khánh (ký số demo)" in client.get(f"/ho-so/{d.code}/").content.decode()
    client.force_login(decided.citizen)
    page = client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()
    assert "Đã ký số bởi UBND xã Diên Khánh (ký số demo)" in page and f"/cong-dan/ho-so/{d.code}/ket-qua/" in page
    assert signer.verify(client.get(f"/cong-dan/ho-so/{d.code}/ket-qua/").content).valid
    client.force_login(staff.desk)
    from io import BytesIO

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (60, 40), "white").save(png, format="PNG")
    d2 = decided(result_file=SimpleUploadedFile("scan.png", png.getvalue(), content_type="image/png"))
    response = client.get(f"/ho-so/{d2.code}/ket-qua/")
    assert response.content.startswith(b"%PDF") and signer.verify(response.content).valid


def test_printed_forms_are_signed_when_the_portal_can_sign(signing_on, decided, client):
    d = decided()
    client.force_login(decided.citizen)
    response = client.get(f"/cong-dan/ho-so/{d.code}/in/receipt.pdf")
    assert response.status_code == 200 and response["X-Signature-Status"] == "valid"
    assert signer.verify(response.content).valid


def test_unsigned_result_still_served_when_signing_is_off(decided, client, settings):
    settings.SIGNING_PKCS12_PATH = ""
    signer.reset_cache()
    upload = SimpleUploadedFile("ket-qua.pdf", minimal_pdf(), content_type="application/pdf")
    d = decided(result_file=upload)
    client.force_login(decided.citizen)
    response = client.get(f"/cong-dan/ho-so/{d.code}/ket-qua/")
    assert response.status_code == 200 and not signer.verify(b"".join(response.streaming_content)).signed
    assert not SignedDocument.objects.exists()


def test_create_demo_signer_command(tmp_path, settings):
    call_command("create_demo_signer", "--dir", str(tmp_path))
    p12 = tmp_path / "demo-signer.p12"
    first = p12.read_bytes()
    call_command("create_demo_signer", "--dir", str(tmp_path))
    assert p12.read_bytes() == first  # idempotent
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = str(p12), settings.SIGNING_PKCS12_PASSWORD
    signer.reset_cache()
    assert signer.signer_status().ok
    signer.reset_cache()


def test_a_damaged_result_pdf_is_not_signed_and_served_as_it_is(signing_on, decided, client):
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    d = decided(result_file=SimpleUploadedFile("hong.pdf", broken, content_type="application/pdf"))
    client.force_login(decided.citizen)
    response = client.get(f"/cong-dan/ho-so/{d.code}/ket-qua/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == broken
    assert not SignedDocument.objects.exists()
    assert "Đã ký số bởi" not in client.get(f"/cong-dan/ho-so/{d.code}/").content.decode()
