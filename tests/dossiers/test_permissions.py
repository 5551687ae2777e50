"""Scope on every path: the second commune's desk sees nothing of the first commune's dossiers (404 or an
empty list, exactly like a dossier that does not exist); the province sees what is routed to it."""

import pytest

from dossiers import services
from dossiers.api.views import FORMS

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"


@pytest.fixture
def dossier(make_dossier):
    return make_dossier(4)


def codes(api, user, **params):
    response = api.as_user(user).get(URL, params)
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_other_commune_sees_nothing_on_any_path(api, staff, dossier):
    code = dossier.code
    assert codes(api, staff.desk, q=code) == [code]
    assert codes(api, staff.desk2) == []
    for params in ({"q": code}, {"q": "Nguyễn Văn An"}, {"q": "0912345678"}, {"status": "4"},
                   {"procedure": dossier.procedure.code}, {"agency": dossier.agency.code}, {"late": "false"}):
        assert codes(api, staff.desk2, **params) == [], params
    paths = [f"{URL}{code}/", f"{URL}{code}/timeline/", f"{URL}{code}/notices/", f"{URL}TT-{dossier.pk}/"]
    paths += [f"{URL}{code}/documents/{form}.pdf" for form in FORMS]
    missing = f"{URL}000.01.01.H99-991231-9999/"
    for path in [*paths, missing]:
        response = api.as_user(staff.desk2).get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found", path
    before = (dossier.status, dossier.version)
    for action in services.ACTIONS:
        response = api.as_user(staff.desk2).post(f"{URL}{code}/actions/{action}/", {"reason": "x"}, format="json")
        assert response.status_code == 404, action
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == before
    # The same 404 as for a dossier that does not exist at all.
    assert api.as_user(staff.desk2).get(f"{URL}{code}/").json() == api.as_user(staff.desk2).get(missing).json()


def test_province_sees_the_dossiers_routed_to_it(api, staff, org, make_dossier, province_procedure):
    local = make_dossier(4)
    routed = make_dossier(4, procedure=province_procedure)
    assert codes(api, staff.province_officer) == [routed.code]
    assert api.as_user(staff.province_officer).get(f"{URL}{routed.code}/").status_code == 200
    assert api.as_user(staff.province_officer).get(f"{URL}{local.code}/").status_code == 404
    assert api.as_user(staff.province_officer).get(f"{URL}{routed.code}/timeline/").status_code == 200
    # A dossier sent to the province by hand (liên thông) becomes visible there too.
    services.transfer(local, actor=staff.officer, to_agency=org.province)
    assert set(codes(api, staff.province_officer)) == {routed.code, local.code}
    # The province's manager oversees the communes under it.
    assert set(codes(api, staff.manager)) == {routed.code, local.code}


def test_citizens_see_only_their_own(api, staff, org, procedure, make_user, make_dossier):
    owner, other = make_user(), make_user()
    mine = services.submit_online(citizen=owner, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    counter = make_dossier(2)
    assert codes(api, owner) == [None]
    assert api.as_user(owner).get(f"{URL}{mine.reference}/").status_code == 200
    assert api.as_user(owner).get(f"{URL}{counter.code}/").status_code == 404
    assert codes(api, other) == []
    assert api.as_user(other).get(f"{URL}{mine.reference}/").status_code == 404
    # Notices name recipients: staff only.
    assert api.as_user(owner).get(f"{URL}{mine.reference}/notices/").status_code == 403
    # The owner may withdraw; the detail offers it.
    detail = api.as_user(owner).get(f"{URL}{mine.reference}/").json()
    assert detail["available_actions"] == ["withdraw"]
    response = api.as_user(owner).post(f"{URL}{mine.reference}/actions/receive/", {}, format="json")
    assert response.status_code == 403


def test_citizen_sees_only_public_events(api, staff, org, procedure, make_user):
    owner = make_user()
    d = services.submit_online(citizen=owner, procedure=procedure, agency=org.commune, applicant=dict(APPLICANT))
    d = services.receive(d, actor=staff.desk)
    d = services.transfer(d, actor=staff.desk)
    d = services.assign(d, actor=staff.head, assignee=staff.officer)
    staff_view = [e["action"] for e in api.as_user(staff.desk).get(f"{URL}{d.code}/timeline/").json()["results"]]
    own_view = [e["action"] for e in api.as_user(owner).get(f"{URL}{d.code}/timeline/").json()["results"]]
    assert staff_view == ["submit", "receive", "transfer", "assign"]
    assert own_view == ["submit", "receive", "transfer"]
    assert [e["action"] for e in api.as_user(owner).get(f"{URL}{d.code}/").json()["timeline"]] == own_view


def test_anonymous_gets_401(api, make_dossier):
    d = make_dossier(2)
    for path in (URL, f"{URL}{d.code}/", f"{URL}{d.code}/timeline/"):
        response = api.get(path)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_staff_without_agency_role_sees_nothing(api, make_user, make_dossier):
    make_dossier(2)
    assert codes(api, make_user()) == []
