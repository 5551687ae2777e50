"""Done means (issue 17, electronic forms): on a phone, a citizen files a birth registration through the
electronic form (tờ khai điện tử), prefilled with what the portal already knows of them; a wrong value is
named next to its field; a second parent is added without JavaScript. The desk officer sees the data on the
dossier and prints the tờ khai. Screenshots go to tests/output/."""

import datetime
import io

import pytest
from pypdf import PdfReader

from citizens.models import CitizenProfile
from dossiers.models import Dossier, Status
from procedures.demo import seed as seed_demo_catalogue
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "Mot-Cua-2026!"
PHONE = {"width": 390, "height": 844}

pytestmark = BROWSER


@pytest.fixture
def world(transactional_db, staff, org, make_user):
    seed_demo_catalogue({"commune": org.commune, "commune2": org.commune2, "province": org.province})
    citizen = make_user("0912345678", password=PASSWORD)
    CitizenProfile.objects.create(user=citizen, full_name="Trần Thị Bình", phone="0912345678",
                                  id_number="079194001234", email="binh@example.vn", address="Thôn 1, xã An Bình",
                                  date_of_birth=datetime.date(1994, 3, 2))
    return {"citizen": citizen, "staff": staff, "org": org}


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"eform-{name}.png"), full_page=True)


def upload_papers(page, scan):
    """The birth certificate and the ID paper (the first component, the tờ khai, is the electronic form)."""
    page.locator("input[type=file]").nth(1).set_input_files(str(scan))
    page.locator("input[type=file]").nth(2).set_input_files(str(scan))


def field(page, key):
    return page.locator(f'[name="{key}"]')


def test_birth_registration_through_the_electronic_form_on_a_phone(live_server, world, browser, tmp_path):
    org = world["org"]
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/cong-dan/nop-ho-so/1.001193/")
    page.locator('input[name="username"]').fill("0912345678")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form button[type="submit"]').first.click()
    page.wait_for_url("**/cong-dan/nop-ho-so/1.001193/")

    # Prefilled from what the portal holds of the citizen: the declarant and the first parent (the mother).
    assert page.get_by_role("group", name="TỜ KHAI ĐĂNG KÝ KHAI SINH").is_visible()
    assert field(page, "form.declarant.full_name").input_value() == "Trần Thị Bình"
    assert field(page, "form.declarant.id_number").input_value() == "079194001234"
    assert field(page, "form.parents[0].full_name").input_value() == "Trần Thị Bình"
    assert field(page, "form.parents[0].birth_date").input_value() == "1994-03-02"
    assert field(page, "form.parents[0].id_number").input_value() == "079194001234"
    # The page fits the phone: nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "1-prefilled")

    page.get_by_label("Cơ quan tiếp nhận").select_option(label=org.commune.name)
    field(page, "form.declarant.relation").fill("Mẹ")
    field(page, "form.child.full_name").fill("Nguyễn Minh An")
    field(page, "form.child.sex").select_option("male")
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    field(page, "form.child.birth_date").fill(future)
    field(page, "form.child.birth_place").fill("Trạm y tế xã An Bình")
    field(page, "form.child.ethnicity").fill("Kinh")
    field(page, "form.child.nationality").fill("Việt Nam")
    field(page, "form.parents[0].role").select_option("me")
    field(page, "form.parents[0].ethnicity").fill("Kinh")
    field(page, "form.parents[0].nationality").fill("Việt Nam")

    # A second parent, added without JavaScript: the page comes back with a new row and keeps what was typed.
    page.get_by_role("button", name="Thêm cha, mẹ").click()
    page.wait_for_load_state()
    assert field(page, "form.child.full_name").input_value() == "Nguyễn Minh An"
    field(page, "form.parents[1].role").select_option("cha")
    field(page, "form.parents[1].full_name").fill("Nguyễn Văn Cường")
    field(page, "form.parents[1].birth_date").fill("1990-05-06")
    field(page, "form.parents[1].ethnicity").fill("Kinh")
    field(page, "form.parents[1].nationality").fill("Việt Nam")
    field(page, "form.parents[1].address").fill("Thôn 1, xã An Bình")
    field(page, "form.parents[1].id_number").fill("07909000123")  # one digit short
    field(page, "form.commitment").check()
    assert page.get_by_role("button", name="Thêm cha, mẹ").count() == 0  # at most two parents
    page.get_by_label("Cơ quan tiếp nhận").select_option(label=org.commune.name)
    upload_papers(page, scan)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()

    # Each wrong value is named next to its own field; nothing was sent.
    assert page.locator("#f-form-child-birth_date-error").inner_text() == "Ngày không được sau ngày hôm nay."
    assert "12 chữ số" in page.locator("#f-form-parents-1-id_number-error").inner_text()
    assert not Dossier.objects.exists()
    shot(page, "2-errors")

    field(page, "form.child.birth_date").fill((datetime.date.today() - datetime.timedelta(days=2)).isoformat())
    field(page, "form.parents[1].id_number").fill("079090001234")
    page.get_by_label("Cơ quan tiếp nhận").select_option(label=org.commune.name)
    upload_papers(page, scan)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()
    shot(page, "3-submitted")
    assert "/cong-dan/ho-so/TT-" in page.url, page.locator(".error").all_inner_texts()

    dossier = Dossier.objects.get(citizen=world["citizen"])
    assert dossier.status == Status.SUBMITTED and dossier.form_definition.procedure.code == "1.001193"
    assert dossier.form_data["child"]["full_name"] == "Nguyễn Minh An"
    assert [p["full_name"] for p in dossier.form_data["parents"]] == ["Trần Thị Bình", "Nguyễn Văn Cường"]
    context.close()

    # The desk officer sees the data as data and prints the tờ khai.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = desk.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/ho-so/{dossier.reference}/")
    page.locator('input[name="username"]').fill("motcua")
    page.locator('input[name="password"]').fill("pw-12345!")
    page.locator('form button[type="submit"]').first.click()
    page.wait_for_url(f"**/ho-so/{dossier.reference}/")
    section = page.locator("section.eform-data")
    assert "Nguyễn Minh An" in section.inner_text() and "Nguyễn Văn Cường" in section.inner_text()
    assert "Trạm y tế xã An Bình" in section.inner_text()
    shot(page, "4-officer")
    link = page.get_by_role("link", name="In tờ khai (PDF)")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    for words in ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi:", org.commune.name, "Nguyễn Minh An",
                  "Nguyễn Văn Cường", "079090001234", dossier.reference):
        assert words in text, words
    (OUTPUT / "eform-5-to-khai.pdf").write_bytes(response.body())
    desk.close()
