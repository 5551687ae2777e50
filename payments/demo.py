"""Demo fee schedules (itemised lines and exemptions for the demo procedures that charge a fee) and one
online dossier of the demo citizen waiting for its fee, to pay through the stand-in gateway."""

from django.contrib.auth import get_user_model

from dossiers import services as dossier_services
from dossiers.models import Dossier
from procedures.models import Procedure

from . import services
from .models import FeeExemption, FeeItem

SCHEDULES = {
    "1.004859": ([("charge", "Lệ phí thay đổi, cải chính hộ tịch", 15000),
                  ("fee", "Phí cấp bản sao trích lục hộ tịch", 8000)],
                 [("Hộ nghèo, cận nghèo", 100), ("Người cao tuổi", 50)]),
}
DEMO_KEY = "demo-online-fee"


def _awaiting_fee(context: dict) -> int:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["congdan", "motcua", "chuyenvien"])}
    procedure = Procedure.objects.filter(code="1.004859").first()
    agency = context.get("commune")
    if len(users) < 3 or procedure is None or agency is None:
        return 0
    if Dossier.objects.filter(created_by=users["congdan"], idempotency_key=DEMO_KEY).exists():
        return 0
    d = dossier_services.submit_online(
        citizen=users["congdan"], procedure=procedure, agency=agency, idempotency_key=DEMO_KEY,
        applicant={"full_name": "Nguyễn Văn An", "id_number": "079085001234", "phone": "0905123401",
                   "address": "Tổ 3, thôn Phú Ân Nam, Khánh Hòa"},
        summary="Cải chính năm sinh trong giấy khai sinh", return_method="post",
        return_address="Tổ 3, thôn Phú Ân Nam, Khánh Hòa",
    )
    d = dossier_services.receive(d, actor=users["motcua"])
    d = dossier_services.transfer(d, actor=users["motcua"], assignee=users["chuyenvien"])
    services.request_fee(d, actor=users["chuyenvien"])
    return 1


def seed(context: dict) -> dict:
    for code, (items, exemptions) in SCHEDULES.items():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            continue
        for order, (kind, name, amount) in enumerate(items, start=1):
            FeeItem.objects.get_or_create(procedure=procedure, name=name,
                                          defaults={"order": order, "kind": kind, "amount": amount})
        for name, percent in exemptions:
            FeeExemption.objects.get_or_create(procedure=procedure, name=name, defaults={"percent": percent})
    return {"payments_demo_dossiers": _awaiting_fee(context)}
