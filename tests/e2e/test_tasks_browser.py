"""End to end in headless Chromium: the lead unit reports a task done with its evidence, the province
accepts it, both see the verdict and the history. Screenshots go to tests/output/."""

from datetime import timedelta

from django.utils import timezone

from assignments import services
from assignments.models import Task
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "pw-12345!"  # the shared `make_user` fixture's

pytestmark = BROWSER


def login(page, url, username):
    page.goto(f"{url}/accounts/login/?next=/nhiem-vu/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/nhiem-vu/")


def test_unit_reports_completion_and_the_province_accepts(live_server, transactional_db, staff, org, browser,
                                                          tmp_path):
    today = timezone.localdate()
    assigner = staff.province_officer
    directive = services.create_directive(actor=assigner, number="25/CT-UBND", issued_on=today, signer="Nguyễn Văn A",
                                          title="Chỉ thị cải cách hành chính", issuing_agency=org.province)
    task = services.assign_task(actor=assigner, directive=directive, title="Rà soát thủ tục hành chính cấp xã",
                                lead_agency=org.commune, due_on=today + timedelta(days=10), deadline_kind="date")
    evidence = tmp_path / "bao-cao-ket-qua.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    unit = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = unit.new_page()
    login(page, live_server.url, staff.officer.username)
    page.goto(f"{live_server.url}/nhiem-vu/?view=mine")
    page.get_by_role("link", name="Rà soát thủ tục hành chính cấp xã").click()
    page.wait_for_url(f"**/nhiem-vu/{task.pk}/")
    assert page.locator("#task-state").inner_text() == "Đang thực hiện, trong hạn"
    page.get_by_label("Kết quả và minh chứng").fill("Đã rà soát 42 thủ tục, đề xuất đơn giản hóa 7 thủ tục.")
    page.locator("#report-completion-files").set_input_files(str(evidence))
    page.get_by_role("button", name="Báo cáo hoàn thành", exact=True).click()
    page.wait_for_url(f"**/nhiem-vu/{task.pk}/")
    assert page.get_by_text("Đã ghi nhận: Báo cáo hoàn thành.").is_visible()
    assert page.locator("#task-status").inner_text() == "Chờ xác nhận hoàn thành"
    assert page.get_by_role("link", name="bao-cao-ket-qua.pdf").is_visible()
    # The lead unit cannot accept its own report.
    assert page.get_by_role("button", name="Xác nhận hoàn thành").count() == 0
    page.screenshot(path=str(OUTPUT / "tasks-1-completion-reported.png"), full_page=True)
    unit.close()

    province = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = province.new_page()
    login(page, live_server.url, assigner.username)
    page.get_by_role("link", name="Rà soát thủ tục hành chính cấp xã").click()
    page.wait_for_url(f"**/nhiem-vu/{task.pk}/")
    page.get_by_label("Ý kiến").first.fill("Đạt yêu cầu.")
    page.get_by_role("button", name="Xác nhận hoàn thành", exact=True).click()
    page.wait_for_url(f"**/nhiem-vu/{task.pk}/")
    assert page.locator("#task-state").inner_text() == "Hoàn thành trước hạn"
    assert page.locator("#task-status").inner_text() == "Đã hoàn thành"
    actions = page.locator(".timeline li").evaluate_all("items => items.map(i => i.dataset.action)")
    assert actions == ["assign", "report_completion", "accept_completion"]
    assert "Báo cáo hoàn thành" in page.locator(".timeline").inner_text()
    page.screenshot(path=str(OUTPUT / "tasks-2-accepted.png"), full_page=True)
    province.close()

    task = Task.objects.get(pk=task.pk)
    assert task.status == "done" and task.verdict == "early" and task.reports.get().files.count() == 1
