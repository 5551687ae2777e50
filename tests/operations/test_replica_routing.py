"""Reports read from the replica; actions and every other page read and write the primary."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from operations.routers import ReplicaRouter, reading_from_replica

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_report_pages_and_api_read_from_the_replica(replica_on, client, api, staff):
    client.force_login(staff.manager)
    with CaptureQueriesContext(connections["replica"]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        assert client.get("/bao-cao/").status_code == 200
    assert len(on_replica) > 0
    assert not [q for q in on_primary if "dossiers_dossier" in q["sql"]]

    api.as_user(staff.manager)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = api.get("/api/v1/reports/on-time/?from=2026-01-01&to=2026-12-31&group_by=agency")
    assert response.status_code == 200, response.content
    assert any("dossiers_dossier" in q["sql"] for q in on_replica)


def test_other_pages_and_writes_stay_on_the_primary(replica_on, client, staff):
    client.force_login(staff.desk)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/ho-so/").status_code == 200
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert len(on_replica) == 0


def test_the_router_never_writes_or_migrates_the_replica(replica_on):
    router = ReplicaRouter()
    with reading_from_replica():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) is None
    assert router.db_for_read(None) is None
    assert router.allow_migrate("replica", "dossiers") is False
    assert router.allow_migrate("default", "dossiers") is True


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.REPLICA_READS_ENABLED = False
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(None) is None
