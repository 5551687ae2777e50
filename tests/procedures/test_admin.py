"""The catalogue admin: lists, filters, folded search, the change page with inlines, publishing with history."""

import re

import pytest
from django.urls import reverse

from procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def test_changelist_filters_and_folded_search(admin_client, make_procedure):
    make_procedure("1.001193", "Đăng ký khai sinh")
    make_procedure("1.000894", "Đăng ký kết hôn", status="draft")
    url = reverse("admin:procedures_procedure_changelist")
    html = admin_client.get(url, {"q": "khai sinh"}).content.decode()
    assert "1.001193" in html and "1.000894" not in html
    html = admin_client.get(url, {"q": "dang ky ket hon"}).content.decode()
    assert "1.000894" in html
    html = admin_client.get(url, {"in_effect": "no"}).content.decode()
    assert "1.000894" in html and "1.001193" not in html
    assert reverse("procedures:import") in admin_client.get(url).content.decode()


def test_change_page_and_history(admin_client, make_procedure):
    procedure = make_procedure(agency_levels="commune,province")
    response = admin_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="components-0-name"' in html and 'name="steps-0-allowance_hours"' in html
    assert re.search(r'value="province"[^>]*checked', html) and re.search(r'value="commune"[^>]*checked', html)
    assert not re.search(r'value="ministry"[^>]*checked', html)
    assert admin_client.get(reverse("admin:procedures_procedure_history", args=[procedure.pk])).status_code == 200


def test_save_through_admin_stores_levels_and_validates(admin_client, make_procedure, make_field):
    field = make_field()
    url = reverse("admin:procedures_procedure_add")
    data = {
        "code": "1.111111", "name": "Thủ tục mới", "field": field.pk, "status": "draft", "agency_levels": ["commune", "province"],
        "time_limit_amount": "3", "time_limit_unit": "working_days", "committed_amount": "5", "fee_amount": "0",
        "online_mode": "none",
        "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0",
        "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0",
    }
    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and "không được dài hơn" in refused.content.decode()
    data["committed_amount"] = "2"
    saved = admin_client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    procedure = Procedure.objects.get(code="1.111111")
    assert procedure.agency_levels == "commune,province" and procedure.search_text == "1.111111 thu tuc moi"


def test_publish_action_writes_history(admin_client, make_procedure):
    draft = make_procedure(status="draft")
    before = draft.history.count()
    admin_client.post(reverse("admin:procedures_procedure_changelist"),
                      {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "published" and draft.history.count() == before + 1
