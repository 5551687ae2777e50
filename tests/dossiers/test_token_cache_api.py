"""The API's requests with a cached token: the detail costs its own query only, and a role given meanwhile
shows at once (organisation.selectors.token_owner)."""

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
