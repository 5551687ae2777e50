"""The demo catalogue: at least 20 real procedures, published, linked, some liên thông; idempotent."""

import pytest

from organisation import demo as organisation_demo
from procedures import demo
from procedures.models import Component, Procedure, ProcedureStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def context():
    return organisation_demo.seed({})


def test_seed_loads_a_real_catalogue(context, client, api):
    result = demo.seed(context)
    procedures = result["procedures"]
    assert len(procedures) >= 20
    assert procedures["1.004873"].name == "Xác nhận tình trạng hôn nhân"
    assert procedures["2.000815"].name.startswith("Chứng thực bản sao từ bản chính")
    assert all(p.status == "published" for p in procedures.values())
    assert {p.field.name for p in procedures.values()} >= {"Hộ tịch", "Chứng thực", "Cư trú", "Hoạt động xây dựng",
                                                          "Bảo trợ xã hội", "Bảo hiểm y tế", "Đất đai"}
    commune, commune2, province = context["commune"], context["commune2"], context["province"]
    birth = procedures["1.001193"]
    assert set(birth.agencies.all()) == {commune, commune2}
    assert set(procedures["2.000488"].agencies.all()) == {province}
    with_parent_step = {s.procedure.code for s in ProcedureStep.objects.filter(performer="parent").select_related("procedure")}
    assert {"1.009994", "2.000720", "1.003583"} <= with_parent_step
    for procedure in procedures.values():
        assert procedure.components.exists(), procedure.code
        steps = list(procedure.steps.all())
        assert [s.role for s in steps][0] == "desk_officer" and "head" in [s.role for s in steps]
        assert all(s.allowance_hours > 0 for s in steps), procedure.code
    # Everything is public and searchable straight away.
    found = api.get("/api/v1/procedures/", {"q": "khai sinh", "agency": commune2.code}).json()["results"]
    assert [p["code"] for p in found] == ["1.001193", "1.001022", "1.003583"]  # the shortest name first
    assert client.get(f"/thu-tuc/{birth.code}/").status_code == 200


def test_seed_twice_changes_nothing(context):
    demo.seed(context)
    counts = (Procedure.objects.count(), Component.objects.count(), ProcedureStep.objects.count(),
              Procedure.history.count(), Component.history.count(), ProcedureStep.history.count())
    result = demo.seed(context)
    assert len(result["procedures"]) == counts[0]
    assert (Procedure.objects.count(), Component.objects.count(), ProcedureStep.objects.count(),
            Procedure.history.count(), Component.history.count(), ProcedureStep.history.count()) == counts


def test_seed_demo_command_runs_the_catalogue(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "procedures ok" in out.getvalue()
    assert Procedure.objects.filter(agencies__code=organisation_demo.COMMUNE).count() >= 20
