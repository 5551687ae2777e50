"""Dossier codes `<agency code>-<YYMMDD>-<NNNN>`: per agency and day, never repeated under concurrency."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from dossiers import services
from dossiers.codes import format_code, next_dossier_code
from dossiers.models import Dossier, DossierCodeSequence

from .conftest import APPLICANT


def test_format():
    assert format_code("000.00.06.H56", date(2023, 10, 27), 361) == "000.00.06.H56-231027-0361"
    assert format_code("X", date(2026, 1, 2), 12345) == "X-260102-12345"


@pytest.mark.django_db
def test_sequence_per_agency_and_day(org):
    with transaction.atomic():
        day = date(2026, 11, 23)
        assert next_dossier_code(org.commune, day) == "000.01.01.H99-261123-0001"
        assert next_dossier_code(org.commune, day) == "000.01.01.H99-261123-0002"
        assert next_dossier_code(org.commune2, day) == "000.01.02.H99-261123-0001"
        assert next_dossier_code(org.commune, date(2026, 11, 24)) == "000.01.01.H99-261124-0001"
    assert DossierCodeSequence.objects.get(agency=org.commune, day=day).last == 2


@pytest.mark.django_db
@time_machine.travel("2026-11-23 09:00 +0700", tick=False)
def test_backdated_intake_takes_the_code_of_its_receipt_day(make_dossier):
    d = make_dossier(2, received_at=datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert d.code == "000.01.01.H99-261120-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_a_code(staff, procedure):
    """50 intakes at one agency from 25 threads, each on its own database connection."""
    assert connection.vendor == "postgresql"
    threads_n, per_thread = 25, 2
    barrier = threading.Barrier(threads_n)
    codes, errors = [], []
    lock = threading.Lock()

    def work(i):
        try:
            barrier.wait(timeout=30)
            for j in range(per_thread):
                d = services.intake(actor=staff.desk, procedure=procedure,
                                    applicant={**APPLICANT, "full_name": f"Người nộp {i}-{j}"})
                with lock:
                    codes.append(d.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(codes) == 50
    assert len(set(codes)) == 50
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, 51))  # no gap either
    assert Dossier.objects.filter(agency=staff.desk.memberships.get().agency).count() == 50
