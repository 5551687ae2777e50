"""Fixtures of the payment tests: the stand-in gateway on an ephemeral port, the portal configured to use
it, and an online dossier of a citizen brought to status 4 through the real dossier services."""

from decimal import Decimal

import pytest

from dossiers import services as dossier_services
from payments.gateway import config
from payments.models import FeeExemption, FeeItem
from payments.standin import StandInGateway
from procedures.models import Field, Performer, Procedure, ProcedureStep, StepRole

APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678",
             "email": "an@example.vn", "address": "Thôn 1, xã An Bình"}


@pytest.fixture
def gateway(settings):
    """The stand-in, and the portal's gateway configuration pointing at it (short time-out)."""
    settings.PAYMENT_GATEWAYS = {
        name: {**cfg, "url": "", "timeout": 2} for name, cfg in settings.PAYMENT_GATEWAYS.items()
    }
    server = StandInGateway(config()).start()
    settings.PAYMENT_GATEWAYS[settings.PAYMENT_GATEWAY]["url"] = server.url
    yield server
    server.stop()


@pytest.fixture
def fee_procedure(db, org):
    field = Field.objects.get_or_create(code="G09-TP02", defaults={"name": "Hộ tịch"})[0]
    procedure = Procedure.objects.create(
        code="1.000656", name="Thay đổi, cải chính hộ tịch", field=field, agency_levels="commune",
        time_limit_amount=Decimal(3), time_limit_unit="working_days", status="published", online_mode="full",
        fee_amount=15000,
    )
    for order, (name, role, hours) in enumerate(
        [("Tiếp nhận", StepRole.DESK, 4), ("Thẩm định", StepRole.PROCESSING, 12), ("Phê duyệt", StepRole.HEAD, 8)],
        start=1,
    ):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, performer=Performer.RECEIVING,
                                     role=role, allowance_hours=Decimal(hours))
    FeeItem.objects.create(procedure=procedure, order=1, name="Lệ phí cải chính hộ tịch", amount=15000)
    FeeItem.objects.create(procedure=procedure, order=2, name="Phí cấp bản sao trích lục", amount=8000, kind="fee")
    FeeExemption.objects.create(procedure=procedure, name="Hộ nghèo", percent=100)
    FeeExemption.objects.create(procedure=procedure, name="Người cao tuổi", percent=50)
    return procedure


@pytest.fixture
def citizen(make_user):
    return make_user("0912345678", password="Mot-Cua-2026!")


@pytest.fixture
def processing_dossier(staff, org, citizen, fee_procedure):
    """A citizen's online dossier, received and being processed (status 4)."""

    def make(applicant=None):
        d = dossier_services.submit_online(citizen=citizen, procedure=fee_procedure, agency=org.commune,
                                           applicant=applicant or dict(APPLICANT))
        d = dossier_services.receive(d, actor=staff.desk)
        return dossier_services.transfer(d, actor=staff.desk, assignee=staff.officer)

    return make
