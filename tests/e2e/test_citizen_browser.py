"""End to end in headless Chromium: a citizen signs in, submits a dossier online with a scan, sees it
waiting for the desk; the desk receives it; anyone looks it up with the code and the phone's last four
digits, on a phone-sized screen too. Screenshots go to tests/output/ for a person to look at."""

from decimal import Decimal

import pytest

from citizens.models import CitizenProfile
from dossiers import services as dossier_services
from dossiers.models import Dossier, Status
from procedures.models import Component, Field, Performer, Procedure, ProcedureStep, StepRole
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "Mot-Cua-2026!"

pytestmark = BROWSER


@pytest.fixture
def world(transactional_db, staff, org, make_user):
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.001193", name="Đăng ký khai sinh", field=field, agency_levels="commune", time_limit_amount=Decimal(3),
        time_limit_unit="working_days", status="published", online_mode="full",
    )
    Component.objects.create(procedure=procedure, order=1, name="Tờ khai đăng ký khai sinh", kind="original")
    Component.objects.create(procedure=procedure, order=2, name="Giấy chứng sinh", kind="original")
    for order, (name, role, hours) in enumerate(
        [("Tiếp nhận", StepRole.DESK, 4), ("Thẩm định", StepRole.PROCESSING, 12), ("Phê duyệt", StepRole.HEAD, 8)],
        start=1,
    ):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                     role=role, allowance_hours=Decimal(hours))
    citizen = make_user("0912345678", password=PASSWORD)
    CitizenProfile.objects.create(user=citizen, full_name="Nguyễn Văn An", phone="0912345678",
                                  id_number="079123456789", email="an@example.vn", address="Thôn 1, xã An Bình")
    return {"procedure": procedure, "citizen": citizen, "staff": staff, "org": org}


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"citizen-{name}.png"), full_page=True)


def test_online_submission_and_public_lookup(live_server, world, browser, tmp_path):
    procedure, org = world["procedure"], world["org"]
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    birth = tmp_path / "giay-chung-sinh.pdf"
    birth.write_bytes(scan.read_bytes())

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/cong-dan/nop-ho-so/{procedure.code}/")
    page.get_by_label("Tên đăng nhập").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/cong-dan/nop-ho-so/{procedure.code}/")
    # The e-form is prefilled from the profile.
    assert page.get_by_label("Họ và tên người nộp").input_value() == "Nguyễn Văn An"
    assert page.get_by_label("Số định danh cá nhân").input_value() == "079123456789"
    page.get_by_label("Cơ quan tiếp nhận").select_option(label=org.commune.name)
    shot(page, "1-eform")

    # Submitting without the required scans names each missing one next to its input.
    page.get_by_role("button", name="Nộp hồ sơ").click()
    assert page.locator(".upload-row .error").count() == 2
    shot(page, "2-eform-errors")

    page.get_by_label("Cơ quan tiếp nhận").select_option(label=org.commune.name)
    page.locator("input[type=file]").nth(0).set_input_files(str(scan))
    page.locator("input[type=file]").nth(1).set_input_files(str(birth))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/cong-dan/ho-so/TT-*/")
    assert "Đã nộp hồ sơ trực tuyến" in page.content()
    assert page.get_by_text("Hẹn trả dự kiến", exact=True).is_visible()
    shot(page, "3-submitted")

    dossier = Dossier.objects.get(citizen=world["citizen"])
    assert dossier.status == Status.SUBMITTED and dossier.components.count() == 2
    # The desk receives it (the dossier helper's services); the citizen sees the code and the receipt.
    dossier = dossier_services.receive(dossier, actor=world["staff"].desk)
    page.goto(f"{live_server.url}/cong-dan/ho-so/")
    assert dossier.code in page.content()
    shot(page, "4-my-dossiers")
    context.close()

    # The public look-up from the receipt's QR code, on a phone, without logging in.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/cong-dan/tra-cuu/?code={dossier.code}")
    assert page.get_by_label("Mã hồ sơ").input_value() == dossier.code
    page.get_by_label("4 số cuối điện thoại của người nộp").fill("1111")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    assert page.get_by_text("Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại đã nhập.").is_visible()
    shot(page, "5-lookup-miss-phone")
    page.get_by_label("4 số cuối điện thoại của người nộp").fill("5678")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    result = page.locator(".result-card")
    assert result.get_by_text("Được tiếp nhận").is_visible()
    assert "Nguyễn Văn An" not in result.inner_text()
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "6-lookup-phone")
    phone.close()


def test_kiosk_and_booking_on_touch_screens(live_server, world, browser):
    from datetime import timedelta

    from django.utils import timezone

    from citizens.models import Slot
    from organisation.models import Desk

    staff, org = world["staff"], world["org"]
    dossier = dossier_services.submit_online(
        citizen=world["citizen"], procedure=world["procedure"], agency=org.commune,
        applicant={"full_name": "Nguyễn Văn An", "phone": "0912345678"}, return_method="desk",
    )
    dossier = dossier_services.receive(dossier, actor=staff.desk)
    dossier = dossier_services.transfer(dossier, actor=staff.desk, assignee=staff.officer)
    dossier = dossier_services.transfer(dossier, actor=staff.officer)
    dossier = dossier_services.decide(dossier, actor=staff.head, result="Đã cấp giấy khai sinh")
    dossier = dossier_services.return_result(dossier, actor=staff.desk)

    tablet = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="vi-VN")
    page = tablet.new_page()
    page.goto(f"{live_server.url}/cong-dan/kiosk/{org.commune.code}/")
    assert page.get_by_text(dossier.code).is_visible()
    shot(page, "7-kiosk")
    page.get_by_text("Nhiệt tình, chu đáo").click()
    page.get_by_role("button", name="Rất hài lòng").click()
    assert page.get_by_text("Cảm ơn ông/bà đã đánh giá!").is_visible()
    shot(page, "8-kiosk-thanks")
    tablet.close()

    desk = Desk.objects.create(agency=org.commune, name="Bộ phận Một cửa xã An Bình", address="Số 1 Lê Lợi")
    tomorrow = timezone.localtime() + timedelta(days=1)
    start = tomorrow.replace(hour=8, minute=0, second=0, microsecond=0)
    for i in range(4):
        Slot.objects.create(desk=desk, start=start + timedelta(minutes=30 * i),
                            end=start + timedelta(minutes=30 * (i + 1)), capacity=1 if i == 1 else 3,
                            booked=1 if i == 1 else 0)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN")
    page = phone.new_page()
    page.goto(f"{live_server.url}/cong-dan/lich-hen/?co-quan={org.commune.code}&ngay={start:%Y-%m-%d}")
    page.get_by_text("08:30–09:00").is_visible()
    page.locator("label[for^=slot-]").first.click()
    page.get_by_label("Họ và tên").fill("Võ Văn Em")
    page.get_by_label("Điện thoại (nhận tin nhắc lịch)").fill("0905123456")
    shot(page, "9-booking-phone")
    page.get_by_role("button", name="Đặt lịch").click()
    assert page.get_by_text("Đã đặt lịch hẹn lúc 08:00").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
