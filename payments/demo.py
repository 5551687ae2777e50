"""Demo fee schedules: itemised lines and exemptions for the demo procedures that charge a fee."""

from procedures.models import Procedure

from .models import FeeExemption, FeeItem

SCHEDULES = {
    "1.004859": ([("charge", "Lệ phí thay đổi, cải chính hộ tịch", 15000),
                  ("fee", "Phí cấp bản sao trích lục hộ tịch", 8000)],
                 [("Hộ nghèo, cận nghèo", 100), ("Người cao tuổi", 50)]),
}


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
    return {}
