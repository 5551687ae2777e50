"""End to end in headless Chromium: a citizen whose dossier waits for its fee pays it online through the
stand-in payment platform (a real HTTP server), comes back, and sees the dossier moving again and the
electronic receipt. Screenshots go to tests/output/."""


from dossiers.models import Dossier, Status
from payments import services
from payments.models import Payment
from tests.e2e.conftest import BROWSER, OUTPUT
from tests.payments.conftest import citizen, fee_procedure, gateway, processing_dossier  # noqa: F401

pytestmark = BROWSER
PASSWORD = "Mot-Cua-2026!"


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"payment-{name}.png"), full_page=True)


def test_citizen_pays_the_fee_online(transactional_db, live_server, browser, gateway, processing_dossier,  # noqa: F811
                                     staff):
    dossier = services.request_fee(processing_dossier(), actor=staff.officer)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/cong-dan/ho-so/{dossier.code}/")
    page.get_by_label("Tên đăng nhập").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"**/cong-dan/ho-so/{dossier.code}/")
    assert page.get_by_text("Cơ quan yêu cầu nộp 23.000 đồng").is_visible()
    shot(page, "1-dossier")

    # The gateway is down first: the citizen is told, nothing is paid, and may retry.
    page.get_by_role("link", name="Nộp phí, lệ phí trực tuyến").click()
    assert page.locator("#bill-total").inner_text() == "23.000"
    gateway.down = True
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    assert page.get_by_text("Cổng thanh toán hiện không phản hồi").is_visible()
    shot(page, "2-gateway-down")
    gateway.down = False

    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url(f"{gateway.url}/pay/*")
    assert page.locator("#amount").inner_text() == "23.000 đồng"
    shot(page, "3-gateway")
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    page.wait_for_url(f"**/thanh-toan/ho-so/{dossier.code}/")
    assert page.get_by_text("Đã thanh toán thành công").is_visible()
    shot(page, "4-paid")
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    payment = Payment.objects.get(dossier=dossier, status="paid")
    assert payment.credited and gateway.callbacks and gateway.callbacks[-1]["status"] == 200

    page.get_by_role("link", name="Xem biên lai điện tử").first.click()
    assert page.locator("#receipt-number").inner_text() == payment.receipt_number
    shot(page, "5-receipt")
    context.close()
