"""Done means (issue 17, electronic forms): on a phone, a citizen files a birth registration through the
electronic form (tờ khai điện tử), prefilled from the population database (its stand-in, after the citizen's
consent): the declarant and both parents, the spouse found through the household; a wrong value is named next
to its field; a parent's row is removed and added again without JavaScript. The desk officer sees the data on
the dossier and prints the tờ khai. Screenshots go to tests/output/."""

import datetime
import io

import pytest
from pypdf import PdfReader

from citizens.models import CitizenProfile
from dossiers.models import Dossier, Status
from population.standin import StandInPopulation
from procedures.demo import seed as seed_demo_catalogue
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "Mot-Cua-2026!"
PHONE = {"width": 390, "height": 844}

pytestmark = BROWSER


@pytest.fixture
def population(settings):
    server = StandInPopulation(settings.POPULATION_API_TOKEN).start()
    settings.POPULATION_SERVICE_URL = server.url
    settings.POPULATION_TIMEOUT = 2
    yield server
    server.stop()


@pytest.fixture
def world(transactional_db, staff, org, make_user, population):
    seed_demo_catalogue({"commune": org.commune, "commune2": org.commune2, "province": org.province})
    citizen = make_user("0912345678", password=PASSWORD)
    # Trần Thị Hoa, wife of the head of household Nguyễn Văn An in the population stand-in (population/people.py).
    CitizenProfile.objects.create(user=citizen, full_name="Trần Thị Hoa", phone="0912345678",
                                  id_number="056192004321", email="hoa@example.vn")
    return {"citizen": citizen, "staff": staff, "org": org}


def shot(page, name):
    page.screenshot(path=str(OUTPUT / f"eform-{name}.png"), full_page=True)


def upload_papers(page, scan):
    """The birth certificate (the tờ khai is the electronic form; the identity paper comes from the database)."""
    page.locator("input[type=file]").nth(1).set_input_files(str(scan))


def field(page, key):
    return page.locator(f'[name="{key}"]')


def test_birth_registration_through_the_electronic_form_on_a_phone(live_server, world, population, browser, tmp_path):
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

    # The consent step: the population database is read only after the citizen says yes.
    assert field(page, "form.declarant.full_name").input_value() == "Trần Thị Hoa"  # from the profile so far
    page.locator('input[name="population_consent"]').check()
    page.get_by_role("button", name="Lấy thông tin từ Cơ sở dữ liệu dân cư").click()
    page.wait_for_url("**/cong-dan/nop-ho-so/1.001193/?dan_cu=*")
    assert population.calls and population.calls[0]["id_number"] == "056192004321"

    # Prefilled from the population database: the declarant, the mother and, through the household, the father.
    assert page.get_by_role("group", name="TỜ KHAI ĐĂNG KÝ KHAI SINH").is_visible()
    assert field(page, "form.declarant.full_name").input_value() == "Trần Thị Hoa"
    assert field(page, "form.declarant.id_number").input_value() == "056192004321"
    assert "Diên Khánh" in field(page, "form.declarant.address").input_value()
    assert field(page, "form.parents[0].full_name").input_value() == "Trần Thị Hoa"
    assert field(page, "form.parents[0].birth_date").input_value() == "1992-08-20"
    assert field(page, "form.parents[1].full_name").input_value() == "Nguyễn Văn An"
    assert field(page, "form.parents[1].id_number").input_value() == "056090001234"
    # The page fits the phone: nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "1-prefilled")

    # A row removed and added again, without JavaScript: the page comes back keeping what was typed.
    field(page, "form.child.full_name").fill("Nguyễn Minh An")
    page.get_by_role("button", name="Bỏ dòng này").nth(1).click()
    page.wait_for_load_state()
    assert field(page, "form.parents[1].full_name").count() == 0
    assert field(page, "form.child.full_name").input_value() == "Nguyễn Minh An"
    page.get_by_role("button", name="Thêm cha, mẹ").click()
    page.wait_for_load_state()
    assert field(page, "form.parents[1].full_name").input_value() == ""

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

    field(page, "form.parents[1].role").select_option("cha")
    field(page, "form.parents[1].full_name").fill("Nguyễn Văn An")
    field(page, "form.parents[1].birth_date").fill("1990-05-12")
    field(page, "form.parents[1].ethnicity").fill("Kinh")
    field(page, "form.parents[1].nationality").fill("Việt Nam")
    field(page, "form.parents[1].address").fill("Thôn 1, xã An Bình")
    field(page, "form.parents[1].id_number").fill("05609000123")  # one digit short
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
    field(page, "form.parents[1].id_number").fill("056090001234")
    page.get_by_label("Cơ quan tiếp nhận").select_option(label=org.commune.name)
    upload_papers(page, scan)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()
    shot(page, "3-submitted")
    assert "/cong-dan/ho-so/TT-" in page.url, page.locator(".error").all_inner_texts()

    dossier = Dossier.objects.get(citizen=world["citizen"])
    assert dossier.status == Status.SUBMITTED and dossier.form_definition.procedure.code == "1.001193"
    assert dossier.form_data["child"]["full_name"] == "Nguyễn Minh An"
    assert [p["full_name"] for p in dossier.form_data["parents"]] == ["Trần Thị Hoa", "Nguyễn Văn An"]
    assert dossier.form_data["parents"][0]["birth_date"] == "1992-08-20"
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
    assert "Nguyễn Minh An" in section.inner_text() and "Trần Thị Hoa" in section.inner_text()
    assert "Trạm y tế xã An Bình" in section.inner_text()
    shot(page, "4-officer")
    link = page.get_by_role("link", name="In tờ khai (PDF)")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    for words in ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi:", org.commune.name, "Nguyễn Minh An",
                  "Trần Thị Hoa", "Nguyễn Văn An", "056090001234", "20/08/1992", dossier.reference):
        assert words in text, words
    (OUTPUT / "eform-5-to-khai.pdf").write_bytes(response.body())
    desk.close()
