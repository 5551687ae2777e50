"""Any desk of the province in headless Chromium (phi địa giới, Decree 309/2026): a boundary-free dossier of the
first commune filed at the second commune's desk reaches the competent commune, whose receipt starts the
clock; both desks see it; the citizen's look-up says where it is. Screenshots: tests/output/boundary-free-*.png."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dossiers.models import Dossier, Status
from procedures.models import Component, Field, Performer, Procedure, ProcedureStep, StepRole
from tests.e2e.conftest import BROWSER, OUTPUT

PASSWORD = "pw-12345!"  # the `make_user` default

pytestmark = BROWSER


@pytest.fixture
def world(transactional_db, staff, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    field = Field.objects.create(code="G09-TP03", name="Chứng thực")
    procedure = Procedure.objects.create(
        code="2.000815", name="Chứng thực bản sao từ bản chính", field=field, agency_levels="",
        time_limit_amount=Decimal(2), time_limit_unit="working_days", status="published", online_mode="partial",
        boundary_free=True,
    )
    procedure.agencies.add(org.commune)
    Component.objects.create(procedure=procedure, order=1, name="Bản chính giấy tờ", kind="original")
    for order, (name, role, hours) in enumerate(
        [("Tiếp nhận", StepRole.DESK, 2), ("Chứng thực", StepRole.PROCESSING, 10), ("Ký", StepRole.HEAD, 4)], start=1,
    ):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                     role=role, allowance_hours=Decimal(hours))
    return {"procedure": procedure, "staff": staff, "org": org}


def login(browser, url, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    return context, page


def shot(page, name):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"boundary-free-{name}.png"), full_page=True)


def test_filed_at_the_second_commune_received_by_the_competent_one(live_server, world, browser):
    staff, org, procedure = world["staff"], world["org"], world["procedure"]
    url = live_server.url

    # The second commune's desk finds the first commune's boundary-free procedure and takes the dossier.
    context, page = login(browser, url, staff.desk2)
    page.goto(f"{url}/ho-so/tiep-nhan/?q=chung thuc")
    page.locator(f"a[href^='/ho-so/tiep-nhan/{procedure.code}/']").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("Thủ tục phi địa giới:").is_visible()
    assert org.commune.name in page.locator("#id_competent_agency").inner_text()
    page.locator("#id_full_name").fill("Trần Thị Bình")
    page.locator("#id_phone").fill("0912000111")
    for component in procedure.components.all():
        page.locator(f"input[name='comp_{component.pk}']").check()
    page.get_by_role("button", name="Tiếp nhận, cấp mã hồ sơ").click()
    page.wait_for_load_state()
    dossier = Dossier.objects.get()
    taken_at = dossier.submitted_at
    assert (dossier.status, dossier.agency, dossier.intake_agency) == (Status.SUBMITTED, org.commune, org.commune2)
    assert dossier.code.startswith(org.commune2.code) and dossier.received_at is None
    assert dossier.code in page.content()
    assert page.locator(f"a[href='/ho-so/{dossier.code}/in/receipt.pdf']").count() >= 1
    shot(page, "1-taken-at-the-second-commune")
    context.close()

    # The competent commune's desk receives it: the clock starts at that receipt.
    context, page = login(browser, url, staff.desk)
    page.goto(f"{url}/ho-so/{dossier.code}/")
    details = page.locator("details.action", has=page.locator("summary", has_text="Tiếp nhận hồ sơ"))
    details.locator("summary").click()
    details.locator("form").get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.wait_for_load_state()
    dossier = Dossier.objects.get()
    assert dossier.status == Status.RECEIVED and dossier.received_at > taken_at
    assert dossier.received_by == staff.desk and dossier.code.startswith(org.commune2.code)
    assert abs(dossier.received_at - timezone.now()) < timedelta(minutes=5)
    first = dossier.steps.filter(order=1).get()
    assert first.agency == org.commune and first.started_at == dossier.received_at
    shot(page, "2-received-by-the-competent-commune")
    context.close()

    # The second commune's desk still sees it, now received at the first commune.
    context, page = login(browser, url, staff.desk2)
    page.goto(f"{url}/ho-so/{dossier.code}/")
    assert page.locator(".status-line").inner_text().startswith("Được tiếp nhận")
    assert org.commune.name in page.content()
    shot(page, "3-seen-by-the-second-commune")
    context.close()

    # The applicant's look-up says where the dossier is.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/cong-dan/tra-cuu/?code={dossier.code}")
    page.locator("#id_secret").fill("0111")
    page.locator("form:has(#id_secret) button[type=submit]").first.click()
    page.wait_for_load_state()
    html = page.content()
    assert "Nơi nhận hồ sơ" in html and org.commune2.name in html and org.commune.name in html
    shot(page, "4-look-up")
    context.close()
