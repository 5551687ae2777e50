"""Issue 9, row 13: real API answers match the OpenAPI schema, nulls included (a field that can be null is
marked nullable), for the public, desk and citizen views of agencies, procedures and dossiers."""

import copy

import pytest
import yaml
from django.test import Client
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def to_json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a `null` type (or an anyOf with null)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def schema():
    return yaml.safe_load(Client().get("/api/schema/").content)


def check(schema, client, method_path, url):
    method, path = method_path
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    body_schema = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    root = {**to_json_schema(copy.deepcopy(body_schema)),
            "components": to_json_schema(copy.deepcopy(schema["components"]))}
    errors = [f"{url} {'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in Draft202012Validator(root).iter_errors(response.json())]
    return errors


def test_answers_match_the_schema_nulls_included(schema, make_dossier, staff, org, procedure):
    received = make_dossier(2)
    public, desk = APIClient(), APIClient()
    desk.force_authenticate(staff.desk)
    errors = []
    errors += check(schema, public, ("get", "/api/v1/agencies/"), "/api/v1/agencies/")  # the province: no parent
    errors += check(schema, public, ("get", "/api/v1/procedures/"), "/api/v1/procedures/")
    errors += check(schema, public, ("get", "/api/v1/procedures/{code}/"), f"/api/v1/procedures/{procedure.code}/")
    errors += check(schema, desk, ("get", "/api/v1/dossiers/"), "/api/v1/dossiers/")
    errors += check(schema, desk, ("get", "/api/v1/dossiers/{code}/"), f"/api/v1/dossiers/{received.code}/")
    errors += check(schema, desk, ("get", "/api/v1/dossiers/{code}/timeline/"),
                    f"/api/v1/dossiers/{received.code}/timeline/")
    errors += check(schema, desk, ("get", "/api/v1/dossiers/{code}/notices/"),
                    f"/api/v1/dossiers/{received.code}/notices/")
    assert errors == []
