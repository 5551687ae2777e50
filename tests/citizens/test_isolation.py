"""A citizen sees nothing of another citizen's dossiers, documents, files, drafts or ratings: every path
answers 404, exactly as for a dossier that does not exist, and changes nothing."""

import pytest

from citizens.models import Draft, Rating
from dossiers.models import Dossier, Status

from .conftest import login, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_dossiers(citizen, online_dossier):
    return {
        "submitted": online_dossier(citizen, status=1),
        "supplement": online_dossier(citizen, status=5),
        "done": online_dossier(citizen, status=10),
    }


def test_list_shows_only_own_dossiers(citizen, other_citizen, a_dossiers, online_dossier):
    mine = online_dossier(other_citizen, status=2, applicant={"full_name": "Trần Thị Bình", "phone": "0987654321"})
    html = login(other_citizen).get("/cong-dan/ho-so/").content.decode()
    assert mine.reference in html
    for d in a_dossiers.values():
        assert d.reference not in html
    own = login(citizen).get("/cong-dan/ho-so/").content.decode()
    assert mine.reference not in own and all(d.reference in own for d in a_dossiers.values())


def test_every_dossier_path_is_404_for_another_citizen(other_citizen, a_dossiers):
    browser = login(other_citizen)
    done, supp, sub = a_dossiers["done"], a_dossiers["supplement"], a_dossiers["submitted"]
    component = done.components.exclude(file="").first()
    paths = [
        f"/cong-dan/ho-so/{done.code}/",
        f"/cong-dan/ho-so/{sub.reference}/",
        f"/cong-dan/ho-so/{sub.pk}/",
        f"/cong-dan/ho-so/{done.code}/in/receipt.pdf",
        f"/cong-dan/ho-so/{supp.code}/in/supplement.pdf",
        f"/cong-dan/ho-so/{done.code}/ket-qua/",
        f"/cong-dan/ho-so/{done.code}/tep/{component.pk}/",
    ]
    for path in paths:
        assert browser.get(path).status_code == 404, path
    missing = browser.get("/cong-dan/ho-so/000.00.00.X-000000-9999/")
    assert missing.status_code == 404
    # The writes too: supplement upload, rating, withdrawal.
    assert browser.post(f"/cong-dan/ho-so/{supp.code}/bo-sung/", {"item_0": pdf()}).status_code == 404
    assert browser.post(f"/cong-dan/ho-so/{done.code}/danh-gia/", {"overall": "dissatisfied"}).status_code == 404
    assert browser.post(f"/cong-dan/ho-so/{sub.reference}/rut/", {"reason": "x"}).status_code == 404
    assert Dossier.objects.get(pk=supp.pk).status == Status.SUPPLEMENT_REQUESTED
    assert Dossier.objects.get(pk=sub.pk).status == Status.SUBMITTED
    assert not Rating.objects.exists()


def test_owner_reaches_the_same_paths(citizen, a_dossiers):
    browser = login(citizen)
    done = a_dossiers["done"]
    component = done.components.exclude(file="").first()
    assert browser.get(f"/cong-dan/ho-so/{done.code}/").status_code == 200
    assert browser.get(f"/cong-dan/ho-so/{done.code}/in/receipt.pdf").status_code == 200
    assert browser.get(f"/cong-dan/ho-so/{done.code}/ket-qua/").status_code == 200
    assert browser.get(f"/cong-dan/ho-so/{done.code}/tep/{component.pk}/").status_code == 200
    # Forms that do not apply (no refusal) and the internal control sheet are not offered.
    assert browser.get(f"/cong-dan/ho-so/{done.code}/in/refusal.pdf").status_code == 404
    assert browser.get(f"/cong-dan/ho-so/{done.code}/in/control-sheet.pdf").status_code == 404


def test_api_paths_are_closed_to_another_citizen(api, citizen, other_citizen, a_dossiers):
    done = a_dossiers["done"]
    response = api.as_user(other_citizen).post("/api/v1/ratings/", {"dossier": done.code, "overall": "satisfied"},
                                               format="json")
    assert response.status_code == 404
    api.as_user(citizen).post("/api/v1/ratings/", {"dossier": done.code, "overall": "satisfied"}, format="json")
    assert api.as_user(other_citizen).get("/api/v1/ratings/").json()["count"] == 0
    assert api.as_user(citizen).get("/api/v1/ratings/").json()["count"] == 1
    # The dossier API (the dossier helper's) agrees: another citizen sees none of them.
    listed = api.as_user(other_citizen).get("/api/v1/dossiers/").json()
    assert listed["count"] == 0
    assert api.as_user(other_citizen).get(f"/api/v1/dossiers/{done.code}/").status_code == 404


def test_drafts_are_private(citizen, other_citizen, online_procedure):
    draft = Draft.objects.create(citizen=citizen, procedure=online_procedure, data={"summary": "bí mật"})
    browser = login(other_citizen)
    assert browser.get(f"/cong-dan/nop-ho-so/{online_procedure.code}/?nhap={draft.pk}").status_code == 404
    assert browser.post(f"/cong-dan/ban-nhap/{draft.pk}/xoa/").status_code == 404
    assert browser.post(f"/cong-dan/nop-ho-so/{online_procedure.code}/",
                        {"draft": draft.pk, "action": "save", "return_method": "online"}).status_code == 404
    assert Draft.objects.filter(pk=draft.pk, data={"summary": "bí mật"}).exists()


def test_anonymous_is_sent_to_login(a_dossiers):
    from django.test import Client

    done = a_dossiers["done"]
    for path in ("/cong-dan/ho-so/", f"/cong-dan/ho-so/{done.code}/", f"/cong-dan/ho-so/{done.code}/ket-qua/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
