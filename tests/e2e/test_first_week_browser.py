"""Issue 16 end to end in headless Chromium, as a desk, a processing officer, a head, a citizen and a manager
notice it in their first week: receive, forward without an assignee, complete a step, a supplement answered
in part, a draft result approved, the return; the manager's tables at 1280 px and on a phone; the due-date
calculator's explanation. Screenshots of each changed page, and of each changed printed form (rendered to
PNG with pdfium), go to tests/output/first-week-*.png."""

from decimal import Decimal

import pytest

from citizens.models import CitizenProfile
from dossiers import services
from dossiers.models import Dossier, Status
from procedures.models import Component, Field, Performer, Procedure, ProcedureStep, StepRole
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "pw-12345!"  # the `make_user` default
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = BROWSER


@pytest.fixture
def world(transactional_db, staff, org, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    field = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    procedure = Procedure.objects.create(
        code="1.004873", name="Xác nhận tình trạng hôn nhân", field=field, agency_levels="commune",
        time_limit_amount=Decimal(3), time_limit_unit="working_days", status="published", online_mode="full",
    )
    Component.objects.create(procedure=procedure, order=1, name="Tờ khai", kind="original")
    for order, (name, role, hours) in enumerate(
        [("Tiếp nhận", StepRole.DESK, 4), ("Thẩm định", StepRole.PROCESSING, 12), ("Phê duyệt", StepRole.HEAD, 8)],
        start=1,
    ):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                     role=role, allowance_hours=Decimal(hours))
    names = {staff.desk: ("Nguyễn Thị", "Lan"), staff.officer: ("Lê Quang", "Huy"), staff.head: ("Trần Văn", "Hùng"),
             staff.manager: ("Phạm Thu", "Hà")}
    for user, (family, given) in names.items():
        user.last_name, user.first_name = family, given
        user.save()
    citizen = make_user("0912345678", last_name="Nguyễn Văn", first_name="An")
    CitizenProfile.objects.create(user=citizen, full_name="Nguyễn Văn An", phone="0912345678",
                                  id_number="079123456789", email="an@example.vn", address="Thôn 1, xã An Bình")
    return {"procedure": procedure, "citizen": citizen, "staff": staff, "org": org}


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"first-week-{name}.png"), full_page=True)


def pdf_shot(data: bytes, name: str):
    """The first page of a printed form as PNG (pdfium), for a person to look at."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # optional: the PDF tests check the text either way
        return
    page = pdfium.PdfDocument(data)[0]
    page.render(scale=2).to_pil().save(OUTPUT / f"first-week-form-{name}.png")


def login(browser, url, user, viewport=(1280, 900)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(user.get_username())
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    return context, page


def act(page, summary: str):
    """Open an action of the dossier page and return its form."""
    details = page.locator("details.action", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    return details.locator("form")


def step_row(page, name: str):
    return page.locator("tr", has=page.locator("td", has_text=name)).first


def test_a_dossier_through_the_first_week(live_server, world, browser, tmp_path):
    staff, org, citizen = world["staff"], world["org"], world["citizen"]
    url = live_server.url
    dossier = services.submit_online(citizen=citizen, procedure=world["procedure"], agency=org.commune,
                                     applicant={"full_name": "Nguyễn Văn An", "phone": "0912345678"})

    # The desk receives the online dossier and forwards it without choosing an officer.
    context, page = login(browser, url, staff.desk)
    page.goto(f"{url}/ho-so/{dossier.reference}/")
    act(page, "Tiếp nhận hồ sơ").get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.wait_for_url("**/ho-so/000.**")
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.RECEIVED and dossier.register_no == 1
    assert "2. Được tiếp nhận" not in page.content() and page.locator(".status-line").inner_text().startswith(
        "Được tiếp nhận")
    shot(page, "1-received")
    form = act(page, "Chuyển xử lý")
    form.get_by_role("button", name="Chuyển xử lý").click()
    page.wait_for_load_state()
    assert "Chưa giao" in step_row(page, "Thẩm định").inner_text()
    assert "Nguyễn Thị Lan" in step_row(page, "Tiếp nhận").inner_text()  # family name first
    shot(page, "2-forwarded-without-assignee")
    context.close()

    # The officer completes the appraisal step; the step names who did it.
    context, page = login(browser, url, staff.officer)
    page.goto(f"{url}/ho-so/{dossier.code}/")
    form = act(page, "Yêu cầu bổ sung")
    form.get_by_label("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)").fill("Bản sao CCCD\nẢnh 4x6")
    form.get_by_label("Lý do").fill("Thiếu giấy tờ")
    form.get_by_role("button", name="Yêu cầu bổ sung").click()
    page.wait_for_load_state()
    context.close()

    # The citizen answers one of the two items: the dossier keeps waiting and says what is missing.
    context, page = login(browser, url, citizen, viewport=(390, 844))
    page.goto(f"{url}/cong-dan/ho-so/{dossier.code}/")
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("Bản sao CCCD").set_input_files(str(scan))
    page.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ông/bà cần bổ sung tiếp: Ảnh 4x6").is_visible()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUPPLEMENT_REQUESTED
    shot(page, "3-citizen-supplement-partly-answered")
    page.get_by_label("Ảnh 4x6").set_input_files(str(scan))
    page.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    page.wait_for_load_state()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    context.close()

    context, page = login(browser, url, staff.officer)
    page.goto(f"{url}/ho-so/{dossier.code}/")
    form = act(page, "Trình dự thảo kết quả")
    form.get_by_label("Nội dung dự thảo kết quả").fill("Cấp giấy xác nhận tình trạng hôn nhân")
    draft = tmp_path / "du-thao.pdf"
    draft.write_bytes(PDF)
    form.get_by_label("Tệp dự thảo kết quả").set_input_files(str(draft))
    form.get_by_role("button", name="Trình dự thảo kết quả").click()
    page.wait_for_load_state()
    form = act(page, "Chuyển xử lý")
    form.get_by_role("button", name="Chuyển xử lý").click()
    page.wait_for_load_state()
    row = step_row(page, "Thẩm định").inner_text()
    assert "Lê Quang Huy" in row and "Chưa giao" not in row
    shot(page, "4-step-completed-names-its-handler")
    context.close()

    # The head sees the draft and approves it as it stands.
    context, page = login(browser, url, staff.head)
    page.goto(f"{url}/ho-so/{dossier.code}/")
    assert page.locator(".draft-result").get_by_text("Cấp giấy xác nhận tình trạng hôn nhân").is_visible()
    form = act(page, "Phê duyệt kết quả")
    assert form.get_by_label("Kết quả giải quyết").input_value() == "Cấp giấy xác nhận tình trạng hôn nhân"
    shot(page, "5-head-sees-the-draft")
    form.get_by_role("button", name="Phê duyệt kết quả").click()
    page.wait_for_load_state()
    context.close()

    # The desk returns the result.
    context, page = login(browser, url, staff.desk)
    page.goto(f"{url}/ho-so/{dossier.code}/")
    act(page, "Trả kết quả").get_by_role("button", name="Trả kết quả").click()
    page.wait_for_load_state()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
    shot(page, "6-returned")
    page.goto(f"{url}/ho-so/so-theo-doi/")
    shot(page, "7-register-page")
    context.close()

    context, page = login(browser, url, citizen, viewport=(390, 844))
    page.goto(f"{url}/cong-dan/ho-so/{dossier.code}/")
    assert "Đã trả kết quả → Đã trả kết quả" not in page.content()
    shot(page, "8-citizen-timeline")
    context.close()

    # The printed forms of this dossier and the desk's register.
    from dossiers.documents import render_dossier_form
    from dossiers.register import render_register

    dossier = Dossier.objects.get(pk=dossier.pk)
    for form in ("receipt", "supplement", "control-sheet"):
        pdf_shot(render_dossier_form(dossier, form), form)
    from django.utils import timezone

    today = timezone.localdate()
    pdf_shot(render_register(org.commune, today.replace(day=1), today), "register")


def test_the_manager_tables_fit_1280_and_become_cards_on_a_phone(live_server, world, browser):
    staff = world["staff"]
    d = services.intake(actor=staff.desk, procedure=world["procedure"],
                        applicant={"full_name": "Trần Thị Bình", "phone": "0987654321"})
    services.transfer(d, actor=staff.desk, assignee=staff.officer)
    context, page = login(browser, live_server.url, staff.manager)
    page.goto(f"{live_server.url}/bao-cao/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    header = page.locator("table.report").first.locator("th", has_text="Tỷ lệ đúng hạn")
    box = header.bounding_box()
    assert header.is_visible() and box["x"] + box["width"] <= 1280
    assert not page.locator("table.report").first.locator("th", has_text="Tỷ lệ trực tuyến").is_visible()
    shot(page, "9-manager-1280")
    page.get_by_label("Xem đủ các cột", exact=False).check()
    assert page.locator("table.report").first.locator("th", has_text="Tỷ lệ trực tuyến").is_visible()
    shot(page, "10-manager-all-columns")
    context.close()

    context, page = login(browser, live_server.url, staff.manager, viewport=(390, 844))
    page.goto(f"{live_server.url}/bao-cao/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cell = page.locator("table.report").first.locator("td[data-label='Tỷ lệ đúng hạn']").first
    assert cell.is_visible() and page.evaluate(
        "(el) => getComputedStyle(el).display", cell.element_handle()) == "flex"
    shot(page, "11-manager-phone-cards")
    context.close()


def test_the_calculator_shows_its_explanation(live_server, world, browser):
    context, page = login(browser, live_server.url, world["staff"].desk)
    # Friday 27/11/2026 09:00, one working day: the weekend is skipped and said so.
    page.goto(f"{live_server.url}/lich/?received_at=2026-11-27T09:00&amount=1&unit=working_days&agency=")
    items = page.locator("ul.explanation li")
    assert items.count() >= 2
    for i in range(items.count()):
        box = items.nth(i).bounding_box()
        assert items.nth(i).is_visible() and box["x"] >= 0, items.nth(i).inner_text()
    assert page.get_by_text("Một ngày làm việc tính 8 giờ làm việc", exact=False).is_visible()
    shot(page, "12-calculator")
    context.close()


def test_the_other_changed_pages(live_server, world, browser, make_user):
    staff = world["staff"]
    d = services.intake(actor=staff.desk, procedure=world["procedure"],
                        applicant={"full_name": "Trần Thị Bình", "phone": "0987654321"})
    services.transfer(d, actor=staff.desk, assignee=staff.officer)
    url = live_server.url

    # The manager's drill-down: the "Thời hạn" column says whether the dossier is in time, not its status.
    context, page = login(browser, url, staff.manager)
    page.goto(f"{url}/bao-cao/")
    page.locator("table.report").first.locator("td[data-label='Tiếp nhận'] a").first.click()
    page.wait_for_load_state()
    cell = page.locator("td.deadline-cell").first
    assert cell.inner_text().strip() in ("Trong hạn", "Quá hạn") and "Đang xử lý" not in cell.inner_text()
    shot(page, "13-drill-down")
    context.close()

    # Staff statuses without their number; the favicon and the link to the published results.
    context, page = login(browser, url, staff.desk)
    page.goto(f"{url}/ho-so/?tab=tat-ca")
    options = page.locator("#f-status option").all_inner_texts()
    assert "Đã xử lý xong" in options and not any(o[:1].isdigit() for o in options)
    shot(page, "14-worklist")
    page.goto(f"{url}/")
    assert page.locator("link[rel=icon]").count() == 1
    assert page.request.get(f"{url}/favicon.ico").ok
    page.get_by_role("link", name="Kết quả giải quyết hồ sơ của các cơ quan (công khai)").click()
    page.wait_for_url("**/bao-cao/cong-khai/")
    shot(page, "15-public-results-from-home")
    context.close()

    # The admin lists accounts family name first.
    admin = make_user("admin", last_name="Quản trị hệ", first_name="thống", is_staff=True, is_superuser=True)
    context, page = login(browser, url, admin)
    page.goto(f"{url}/admin/auth/user/")
    text = page.content()
    assert "Nguyễn Thị Lan" in text and "Quản trị hệ thống" in text and "Lan Nguyễn Thị" not in text
    shot(page, "16-admin-users")
    context.close()


def test_screenshots_of_the_refusal_after_appraisal_and_the_counter_forms(world):
    """Forms 02 (at the counter, never received), 03 after appraisal and 07 with a counter refusal."""
    from django.utils import timezone

    from dossiers.documents import render_dossier_form
    from dossiers.register import render_register
    from organisation.models import Role, StaffMembership

    staff, org, procedure = world["staff"], world["org"], world["procedure"]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    applicant = {"full_name": "Trần Thị Bình", "phone": "0987654321"}
    d = services.intake(actor=staff.desk, procedure=procedure, applicant=applicant)
    d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
    d = services.refuse(d, actor=staff.head, reason="Không đủ điều kiện xác nhận")
    assert StaffMembership.objects.filter(user=staff.head, role=Role.HEAD).exists()
    pdf_shot(render_dossier_form(d, "refusal"), "refusal-after-appraisal")
    home = services.intake(actor=staff.desk, procedure=procedure, applicant=applicant, outcome="supplement",
                           items="Ảnh 4x6", reason="Thiếu ảnh")
    pdf_shot(render_dossier_form(home, "supplement"), "supplement-at-counter")
    services.intake(actor=staff.desk, procedure=procedure, applicant=applicant, outcome="refuse",
                    reason="Không thuộc thẩm quyền")
    today = timezone.localdate()
    from dossiers.views import register_rows

    # The register screen's own selection (a queryset) printed as the PDF.
    rows = register_rows(org.commune, today.replace(day=1), today)
    pdf = render_register(org.commune, today.replace(day=1), today, rows)
    pdf_shot(pdf, "register-with-counter-outcomes")
    from pypdf import PdfReader

    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(__import__("io").BytesIO(pdf)).pages)
    assert "Từ chối tiếp nhận tại quầy" in text and "Hướng dẫn bổ sung, chưa tiếp nhận" in text
