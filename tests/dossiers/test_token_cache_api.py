"""The API's requests with a cached token: the detail costs its own query only, an intake takes its desk's
agency from the cache, and a role given or an agency closed meanwhile shows at once
(organisation.selectors.token_owner)."""

import pytest
from rest_framework.test import APIClient

from organisation.models import Role, StaffMembership
from organisation.tokens import issue_token

pytestmark = pytest.mark.django_db


def client_for(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_cached_token_costs_no_query_in_a_request(api, staff, make_dossier, django_assert_num_queries):
    d = make_dossier(4)
    client = api.as_user(staff.desk)
    client.get(f"/api/v1/dossiers/{d.code}/")
    # The detail's own query is all that is left: the token is answered by the cache.
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/dossiers/{d.code}/").status_code == 200


def test_a_role_change_changes_what_the_api_shows(api, staff, org, make_dossier):
    d = make_dossier(2, actor=staff.desk2)  # at the second commune
    key = issue_token(staff.desk).key
    assert client_for(key).get(f"/api/v1/dossiers/{d.code}/").status_code == 404
    StaffMembership.objects.create(user=staff.desk, agency=org.commune2, role=Role.DESK_OFFICER)
    assert client_for(key).get(f"/api/v1/dossiers/{d.code}/").status_code == 200


def test_an_intake_takes_the_desks_agency_from_the_cached_token_and_sees_it_closed(api, staff, org, procedure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.dossiers.conftest import APPLICANT

    client = client_for(issue_token(staff.desk).key)
    body = {"procedure": procedure.code, "applicant": dict(APPLICANT)}
    assert client.post("/api/v1/dossiers/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        answer = client.post("/api/v1/dossiers/", body, format="json")
    assert answer.status_code == 201 and answer.json()["agency"] == org.commune.code
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "organisation_agency"')]
    org.commune.is_active = False
    org.commune.save()
    assert client.post("/api/v1/dossiers/", body, format="json").status_code == 403
