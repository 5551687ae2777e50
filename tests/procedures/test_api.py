"""The catalogue endpoints of api.md: item shape, detail, pagination, schema, and constant query counts."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from procedures.models import ProcedureStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth(org, make_procedure, make_field):
    procedure = make_procedure(
        "1.001193", "Đăng ký khai sinh", field=make_field("G09-TP02", "Hộ tịch"), components=0, steps=0,
        agency_levels="commune,province", time_limit_amount=Decimal("3"), committed_amount=Decimal("1.5"),
        online_mode="full", online_only=True, on_the_spot=True, fee_text="Miễn phí", fee_amount=0,
        legal_basis="Luật Hộ tịch 2014", agencies=[org.commune, org.province],
    )
    component = procedure.components.create(order=1, name="Tờ khai", kind="original", count=1, required=True)
    component.blank_form.save("to-khai.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    procedure.components.create(order=2, name="Giấy chứng sinh", kind="certified_copy", count=2, required=False,
                                held_in="reused")
    ProcedureStep.objects.create(procedure=procedure, order=1, name="Tiếp nhận", performer="receiving",
                                 role="desk_officer", allowance_hours=Decimal("4"))
    ProcedureStep.objects.create(procedure=procedure, order=2, name="Cấp thẻ BHYT", performer="parent",
                                 role="processing_officer", allowance_hours=Decimal("16"), department_name="BHXH tỉnh")
    ProcedureStep.objects.create(procedure=procedure, order=3, name="Thẩm định tại Sở", performer="agency",
                                 agency=org.province, role="head", allowance_hours=Decimal("2.5"))
    return procedure


def test_list_item_shape(api, birth):
    response = api.get("/api/v1/procedures/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    item = body["results"][0]
    assert item == {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": {"code": "G09-TP02", "name": "Hộ tịch"},
        "agency_level": "commune",
        "agency_levels": ["commune", "province"],
        "time_limit": {"amount": 3, "unit": "working_days"},
        "committed_time": {"amount": 1.5, "unit": "working_days"},
        "online": "full",
        "online_only": True,
        "on_the_spot": True,
        "boundary_free": False,
        "fee": {"text": "Miễn phí", "amount": 0},
        "components": [
            {"name": "Tờ khai", "kind": "original", "count": 1, "required": True, "held_in": ""},
            {"name": "Giấy chứng sinh", "kind": "certified_copy", "count": 2, "required": False, "held_in": "reused"},
        ],
    }


def test_detail(api, org, birth):
    response = api.get("/api/v1/procedures/1.001193/")
    assert response.status_code == 200
    body = response.json()
    assert body["legal_basis"] == "Luật Hộ tịch 2014"
    assert body["agencies"] == [  # by level, then code
        {"code": org.commune.code, "name": org.commune.name, "level": "commune"},
        {"code": org.province.code, "name": org.province.name, "level": "province"},
    ]
    assert body["components"][0]["blank_form"].endswith(".pdf")
    assert body["components"][1]["blank_form"] is None
    assert body["steps"] == [
        {"order": 1, "name": "Tiếp nhận", "performer": "receiving", "agency": None, "department": "",
         "role": "desk_officer", "allowance_hours": 4, "inter_agency": False},
        {"order": 2, "name": "Cấp thẻ BHYT", "performer": "parent", "agency": None, "department": "BHXH tỉnh",
         "role": "processing_officer", "allowance_hours": 16, "inter_agency": True},
        {"order": 3, "name": "Thẩm định tại Sở", "performer": "agency", "agency": org.province.code, "department": "",
         "role": "head", "allowance_hours": 2.5, "inter_agency": True},
    ]
    assert body["effective_from"] == "2025-07-01"


def test_same_day_and_no_committed_time(api, make_procedure):
    make_procedure("2.000815", "Chứng thực bản sao", time_limit_unit="same_day", time_limit_amount=Decimal(0))
    item = api.get("/api/v1/procedures/").json()["results"][0]
    assert item["time_limit"] == {"amount": 0, "unit": "same_day"}
    assert item["committed_time"] is None


def test_public_without_login_and_a_bad_token_is_401(api, birth):
    assert api.get("/api/v1/procedures/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get("/api/v1/procedures/").status_code == 401


def test_pagination(api, make_procedure):
    for _ in range(25):
        make_procedure()
    first = api.get("/api/v1/procedures/?page_size=10").json()
    assert first["count"] == 25 and len(first["results"]) == 10 and first["next"]
    last = api.get("/api/v1/procedures/?page_size=10&page=3").json()
    assert len(last["results"]) == 5 and last["next"] is None


def test_schema_documents_the_catalogue(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    listing = schema["paths"]["/api/v1/procedures/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "field", "agency", "level", "online", "page", "page_size"} <= names
    assert "/api/v1/procedures/{code}/" in schema["paths"]


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_list_endpoint_query_count_is_constant(api, make_procedure, make_field, django_assert_num_queries, rows):
    field = make_field()
    for _ in range(rows):
        make_procedure(field=field, components=3)
    # count, page of procedures with their field, their components
    with django_assert_num_queries(3):
        response = api.get("/api/v1/procedures/?page_size=50")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 10, 50])
def test_filtered_list_endpoint_query_count_is_constant(api, org, make_procedure, make_field,
                                                        django_assert_num_queries, rows):
    field = make_field()
    for _ in range(rows):
        make_procedure(field=field, agencies=[org.commune])
    # + looking up the field and the agency codes
    with django_assert_num_queries(5):
        response = api.get("/api/v1/procedures/", {"page_size": 50, "field": field.code, "agency": org.commune.code,
                                                   "q": "thu tuc", "online": "full", "level": "commune"})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("components", [1, 10, 50])
def test_detail_endpoint_query_count_is_constant(api, org, make_procedure, django_assert_num_queries, components):
    procedure = make_procedure(components=components, steps=components, agencies=[org.commune, org.commune2])
    # procedure with field, components, steps with agency, agencies
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/procedures/{procedure.code}/")
    assert len(response.json()["steps"]) == components
