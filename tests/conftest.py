"""Shared fixtures: a small two-commune organisation, staff of each role, a citizen, API clients.

Tests run against PostgreSQL and Redis (`make test`); factories build data, nothing is loaded from
an earlier run.
"""

import itertools

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organisation.models import Agency, AgencyLevel, Department, Role, StaffMembership

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread; the next test starts in Vietnamese."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached calendars never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(username=None, password="pw-12345!", roles=(), **extra):
        username = username or f"user{next(_seq)}"
        user = get_user_model().objects.create_user(username=username, password=password, **extra)
        for agency, role in roles:
            StaffMembership.objects.create(user=user, agency=agency, role=role)
        return user

    return make


@pytest.fixture
def org(db):
    """A province with two communes, each with a processing department."""
    province = Agency.objects.create(code="000.00.00.H99", name="UBND tỉnh Demo", level=AgencyLevel.PROVINCE)
    commune = Agency.objects.create(code="000.01.01.H99", name="UBND xã An Bình", level=AgencyLevel.COMMUNE, parent=province)
    commune2 = Agency.objects.create(code="000.01.02.H99", name="UBND xã Phú Mỹ", level=AgencyLevel.COMMUNE, parent=province)
    for agency in (province, commune, commune2):
        Department.objects.create(agency=agency, code="VP", name="Văn phòng")

    class Org:
        pass

    o = Org()
    o.province, o.commune, o.commune2 = province, commune, commune2
    return o


@pytest.fixture
def staff(org, make_user):
    """One account per role at the first commune, a desk officer at the second, a province manager."""

    class Staff:
        pass

    s = Staff()
    s.desk = make_user("motcua", roles=[(org.commune, Role.DESK_OFFICER)])
    s.officer = make_user("chuyenvien", roles=[(org.commune, Role.PROCESSING_OFFICER)])
    s.head = make_user("lanhdao", roles=[(org.commune, Role.HEAD)])
    s.manager = make_user("quanly", roles=[(org.province, Role.MANAGER)])
    s.desk2 = make_user("motcua2", roles=[(org.commune2, Role.DESK_OFFICER)])
    s.province_officer = make_user(
        "chuyenvien_tinh", roles=[(org.province, Role.PROCESSING_OFFICER), (org.province, Role.HEAD)]
    )
    return s


@pytest.fixture
def replica_on(settings):
    """Reads routed to the replica (`operations.routers`): the test settings mirror the primary as one."""
    if "replica" not in settings.DATABASES:
        pytest.skip("needs PostgreSQL (the test settings mirror it as the replica)")
    settings.REPLICA_READS_ENABLED = True


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` sends that user's bearer token."""

    class Client(APIClient):
        def as_user(self, user):
            token, _ = Token.objects.get_or_create(user=user)
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
            return self

    return Client()


@pytest.fixture
def population(settings):
    """The stand-in population database (population.standin, a real HTTP server) on a free port, and the
    portal's adapter pointed at it."""
    from population.standin import StandInPopulation

    server = StandInPopulation(settings.POPULATION_API_TOKEN).start()
    settings.POPULATION_SERVICE_URL = server.url
    settings.POPULATION_TIMEOUT = 1
    yield server
    server.stop()
