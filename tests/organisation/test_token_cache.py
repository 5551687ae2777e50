"""The bearer token's owner comes from the shared cache (no query once cached), and is forgotten whenever
it may change: the token revoked or rotated, the user deactivated or renamed, a membership added, changed
or removed, an agency moved. With Redis away the database answers, never a 500."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organisation.models import Agency, AgencyLevel, Role, StaffMembership
from organisation.selectors import token_owner
from organisation.tokens import issue_token, revoke_tokens
from tests.ops.redis_server import own_redis  # noqa: F401

pytestmark = pytest.mark.django_db

ME = "/api/v1/dossiers/?page_size=1"


def client_for(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


def queries_of(key: str, path: str = ME) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(key).get(path)
    return len(ctx.captured_queries), response


@pytest.fixture
def desk(staff):
    return staff.desk, issue_token(staff.desk).key


def test_a_cached_token_costs_no_query(desk, django_assert_num_queries):
    user, key = desk
    first, response = queries_of(key)
    assert response.status_code == 200 and first >= 2  # the token with its user, the memberships
    owner = token_owner(key)
    with django_assert_num_queries(0):
        again = token_owner(key)
    assert again.user.pk == user.pk and again.created == owner.created
    assert again.user.username == user.username and again.user.is_active
    from organisation.selectors import staff_pairs

    expected = {(m.agency_id, m.role) for m in StaffMembership.objects.filter(user=user)}
    with django_assert_num_queries(0):
        assert staff_pairs(again.user) == expected


def test_the_cache_never_holds_the_password_hash(desk):
    _user, key = desk
    token_owner(key)
    from organisation.selectors import _token_cache_key

    entry = cache.get(_token_cache_key(key))
    assert entry is not None and "password" not in entry["user"]


def test_a_revoked_token_is_refused_at_once(desk):
    user, key = desk
    assert client_for(key).get(ME).status_code == 200
    revoke_tokens(user.pk)
    assert client_for(key).get(ME).status_code == 401


def test_a_rotated_token_is_refused_and_the_new_one_works(desk):
    user, key = desk
    assert client_for(key).get(ME).status_code == 200
    Token.objects.filter(key=key).delete()
    fresh = issue_token(user).key
    assert client_for(key).get(ME).status_code == 401
    assert client_for(fresh).get(ME).status_code == 200


def test_a_deactivated_user_is_refused_at_once(desk):
    user, key = desk
    assert client_for(key).get(ME).status_code == 200
    user.is_active = False
    user.save()
    assert client_for(key).get(ME).status_code == 401


def test_a_renamed_user_is_seen_renamed(desk):
    user, key = desk
    token_owner(key)
    user.last_name = "Nguyễn Thị"
    user.save(update_fields=["last_name"])
    assert token_owner(key).user.last_name == "Nguyễn Thị"


def test_a_log_in_keeps_the_cached_owner(desk, django_assert_num_queries):
    user, key = desk
    token_owner(key)
    user.save(update_fields=["last_login"])
    with django_assert_num_queries(0):
        token_owner(key)


def test_a_membership_added_changed_or_removed_is_seen_at_once(desk, org):
    user, key = desk
    assert token_owner(key).user._motcua_staff_pairs == {(org.commune.pk, Role.DESK_OFFICER)}
    membership = StaffMembership.objects.create(user=user, agency=org.commune2, role=Role.DESK_OFFICER)
    assert (org.commune2.pk, Role.DESK_OFFICER) in token_owner(key).user._motcua_staff_pairs
    membership.role = Role.HEAD
    membership.save()
    assert (org.commune2.pk, Role.HEAD) in token_owner(key).user._motcua_staff_pairs
    membership.delete()
    assert token_owner(key).user._motcua_staff_pairs == {(org.commune.pk, Role.DESK_OFFICER)}


def test_a_managers_agencies_are_cached_and_follow_a_new_agency(staff, org, django_assert_num_queries):
    key = issue_token(staff.manager).key
    from organisation.selectors import scoped_agency_ids

    owner = token_owner(key)
    with django_assert_num_queries(0):
        owner = token_owner(key)
        scope = scoped_agency_ids(owner.user)
    assert scope == {org.province.pk, org.commune.pk, org.commune2.pk}
    new = Agency.objects.create(code="000.01.03.H99", name="UBND xã Mới", level=AgencyLevel.COMMUNE,
                                parent=org.province)
    assert new.pk in scoped_agency_ids(token_owner(key).user)


def test_the_agencies_worked_at_are_cached_and_follow_a_rename_or_deactivation(desk, org,
                                                                              django_assert_num_queries):
    from organisation.selectors import active_agencies_of

    _user, key = desk
    token_owner(key)
    with django_assert_num_queries(0):
        user = token_owner(key).user
        assert [(a.pk, a.code, a.name) for a in active_agencies_of(user, {org.commune.pk})] == [
            (org.commune.pk, org.commune.code, org.commune.name)]
    org.commune.name = "UBND xã Đổi Tên"
    org.commune.save()
    assert [a.name for a in active_agencies_of(token_owner(key).user, {org.commune.pk})] == ["UBND xã Đổi Tên"]
    org.commune.is_active = False
    org.commune.save()
    assert active_agencies_of(token_owner(key).user, {org.commune.pk}) == []
    # An agency the user does not work at is read from the database.
    assert [a.pk for a in active_agencies_of(token_owner(key).user, {org.commune2.pk})] == [org.commune2.pk]


def test_an_unknown_token_is_refused_and_not_cached(db):
    assert client_for("nope" * 10).get(ME).status_code == 401
    assert token_owner("nope" * 10) is None


def test_an_expired_cached_token_is_refused_and_deleted(desk, settings):
    import time_machine
    from django.utils import timezone

    _user, key = desk
    assert client_for(key).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=settings.API_TOKEN_TTL_HOURS + 1)):
        assert client_for(key).get(ME).status_code == 401
    assert not Token.objects.filter(key=key).exists()


def test_with_redis_away_the_database_answers(desk, settings, own_redis):  # noqa: F811
    _user, key = desk
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": own_redis.url(),
                                   "OPTIONS": {"RETRY_AFTER": 60}}}
    assert client_for(key).get(ME).status_code == 200
    own_redis.stop()
    try:
        assert client_for(key).get(ME).status_code == 200  # the breaker opens: the database answers
        count, response = queries_of(key)
        assert response.status_code == 200 and count >= 1  # not from this process's memory
        revoke_tokens(_user.pk)
        assert client_for(key).get(ME).status_code == 401
    finally:
        own_redis.start()


def test_an_entry_of_an_older_generation_is_replaced(desk, org, django_assert_num_queries):
    _user, key = desk
    token_owner(key)
    org.commune.name = "UBND xã An Bình (mới)"
    org.commune.save()  # a new generation: every entry is read again once
    token_owner(key)
    with django_assert_num_queries(0):
        token_owner(key)
