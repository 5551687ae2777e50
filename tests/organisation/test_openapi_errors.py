"""Issue 9, row 13: the OpenAPI schema documents every operation's error responses in the error format,
and marks nullable fields nullable (walked here; real answers are checked against it in
tests/dossiers/test_api_schema_conformance.py)."""

import pytest
import yaml
from django.test import Client

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return yaml.safe_load(Client().get("/api/schema/").content)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield method.upper(), path, op


def test_the_error_format_is_a_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail", "fields"}
    assert error["properties"]["fields"]["additionalProperties"]["type"] == "array"


def test_every_operation_documents_its_errors_in_the_error_format(schema):
    missing = []
    for method, path, op in operations(schema):
        responses = op["responses"]
        if "health" in op.get("tags", []):
            # /healthz and /readyz take no input and need no login (api.md): no client error exists;
            # /readyz documents its 503 (checked below).
            continue
        errors = {code for code in responses if code.startswith("4")}
        if not errors:
            missing.append(f"{method} {path}: no error response")
        for code in errors:
            ref = responses[code].get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if ref != ERROR_REF:
                missing.append(f"{method} {path} {code}: not the error format")
        parameters = op.get("parameters", [])
        expected = set()
        if op.get("requestBody") or any(p["in"] == "query" for p in parameters):
            expected.add("400")
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        if any(requirement for requirement in op.get("security", [])):
            expected.add("401")
        if op.get("requestBody"):
            expected.add("415")
        if method in ("POST", "PUT", "PATCH", "DELETE") and path != "/api/v1/auth/token/":
            expected.add("409")
        if any(requirement for requirement in op.get("security", [])) and {} not in op.get("security", []):
            expected.add("403")
        for code in sorted(expected - errors):
            missing.append(f"{method} {path}: {code} not documented")
    assert missing == []


@pytest.mark.parametrize("method, path, codes", [
    ("get", "/api/v1/lookup/", {"400", "404", "429"}),
    ("post", "/api/v1/lookup/rating/", {"400", "404", "409", "429"}),
    ("post", "/api/v1/auth/token/", {"400", "429"}),
    ("post", "/api/v1/dossiers/", {"400", "401", "403", "409", "413", "415"}),
    ("get", "/api/v1/dossiers/{code}/", {"401", "403", "404"}),
])
def test_particular_operations(schema, method, path, codes):
    responses = schema["paths"][path][method]["responses"]
    assert codes <= set(responses)
    if path == "/api/v1/auth/token/":
        assert "409" not in responses and "401" not in responses


def test_readiness_documents_its_503(schema):
    assert {"200", "503"} <= set(schema["paths"]["/readyz"]["get"]["responses"])


def test_fields_that_may_be_null_are_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Agency"]["properties"]["parent"].get("nullable") is True
    assert components["DossierList"]["properties"]["code"].get("nullable") is True
    assert components["DossierDetail"]["properties"]["apology"].get("nullable") is True
