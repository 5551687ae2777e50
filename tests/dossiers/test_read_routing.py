"""The detail and the look-up, compiled once (`dossiers.selectors.CompiledRead`), still read where the database
router sends them: the replica inside `reading_from_replica`, the primary otherwise."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from citizens.selectors import lookup_read
from dossiers import selectors
from operations.routers import reading_from_replica

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_the_detail_and_the_lookup_follow_the_router(replica_on, make_dossier):
    d = make_dossier(4)
    with CaptureQueriesContext(connections["default"]) as primary:
        assert selectors.load_dossier_detail(pk=d.pk).pk == d.pk
        assert lookup_read(d.code, None).pk == d.pk
    assert len(primary) == 2
    with reading_from_replica(), CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary:
        loaded = selectors.load_dossier_detail(code=d.code)
        found = lookup_read(d.code.lower(), None)
    assert loaded.pk == found.pk == d.pk and loaded._state.db == "replica"
    assert [s.order for s in loaded.steps.all()] == sorted(s.order for s in d.steps.all())
    assert len(replica) == 2 and len(primary) == 0


def test_the_list_time_limit_is_set_where_the_list_reads(replica_on, staff, make_dossier):
    """`lists.time_limited` sets its statement timeout on the connection the router picks: inside
    `reading_from_replica` the replica's, so that the list read there is the one limited."""
    from dossiers import lists

    make_dossier(4)
    with reading_from_replica(), CaptureQueriesContext(connections["replica"]) as replica, \
            CaptureQueriesContext(connections["default"]) as primary, lists.time_limited():
        rows = list(lists.scoped(staff.desk).order_by("-pk")[:5])
    assert rows
    assert any("statement_timeout" in q["sql"] for q in replica.captured_queries)
    assert not any("statement_timeout" in q["sql"] for q in primary.captured_queries)
