"""Issue 9: schemathesis against the OpenAPI schema at /api/schema/, as the public, a desk officer and a
citizen, on the real test database (the demo data loaded through the seeders): no operation answers a
5xx, whatever the generated input.

Bounded so the suite stays fast: a few examples per operation (`SCHEMATHESIS_MAX_EXAMPLES`, default 4;
raise it for a deeper run by hand), no shrinking, no stateful phase. One test per role walks every
operation of the schema, so the demo data is loaded three times, not once per operation.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4"))
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, keeping the test's database connection across requests (as the test
    client does: a request would otherwise close it, and with it the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [None, "motcua", "congdan"], ids=["public", "desk", "citizen"])
def test_no_server_error_for_any_generated_request(demo, bearer, wsgi_app, role):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    headers = {"Authorization": bearer(role)} if role else {}
    failures, calls = [], [0]
    for result in schema.get_all_operations():
        operation = result.ok()

        @SETTINGS
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            calls[0] += 1
            if response.status_code >= 500:
                failures.append((case.operation.label, case.path_parameters, case.query, case.body,
                                 response.status_code, response.text[:300]))

        run()
    assert calls[0] > 50
    assert failures == [], "\n".join(map(str, failures[:20]))
