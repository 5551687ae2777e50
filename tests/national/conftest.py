"""Fixtures of the national sync tests: the dossier fixtures (real services), a stand-in national portal
running as a real HTTP server on an ephemeral port, and the procedure mapped to its national code."""

import pytest

from national.models import OutboxEntry, ProcedureMapping
from national.standin import StandIn
from tests.dossiers.conftest import (  # noqa: F401
    APPLICANT,
    field_hotich,
    make_dossier,
    make_procedure,
    procedure,
    province_procedure,
)

TOKEN = "bi-mat-cua-cong-quoc-gia"


@pytest.fixture
def portal_standin(settings):
    """The stand-in national portal, and the settings pointing at it (as production is configured)."""
    standin = StandIn(username="motcua", password="mat-khau", token=TOKEN).start()
    settings.DVCQG_URL = standin.url
    settings.DVCQG_USERNAME = "motcua"
    settings.DVCQG_PASSWORD = "mat-khau"
    settings.DVCQG_AGENCY_CODE = "000.00.00.H99"
    settings.DVCQG_INBOUND_TOKEN = TOKEN
    settings.DVCQG_TIMEOUT_SECONDS = 2
    settings.DVCQG_RETRY_BASE_SECONDS = 1
    settings.DVCQG_RETRY_MAX_SECONDS = 8
    settings.DVCQG_LEASE_SECONDS = 10
    from national import client

    client._sessions.clear()
    yield standin
    standin.stop()
    client._sessions.clear()


@pytest.fixture
def mapped(procedure):  # noqa: F811 - the fixture imported above
    """The test procedure with its national code."""
    ProcedureMapping.objects.create(procedure=procedure, national_code="1.004873",
                                    national_name="Xác nhận tình trạng hôn nhân")
    return procedure


def drain(dossier_ids=None, *, force=True):
    """Deliver every dossier's waiting rows now, in this process (the worker's job, without Celery)."""
    from national.services import deliver

    ids = dossier_ids or sorted(set(OutboxEntry.objects.filter(sent_at__isnull=True)
                                    .values_list("dossier_id", flat=True)))
    return {i: deliver(i, force=force) for i in ids}


def sent_statuses(standin, code):
    """What the stand-in holds of a dossier: (service, status) per accepted call, in order."""
    out = []
    for call in standin.snapshot()["accepted"]:
        for item in call["data"]:
            if item["MaHoSo"] != code:
                continue
            if call["service"] == "DongBoHoSoMC":
                out.append(("DongBo", item["TrangThaiHoSo"], call["isUpdating"]))
            else:
                out.append(("TienDo", item["TrangThai"]))
    return out
