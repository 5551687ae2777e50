"""A small, hand-counted set of dossiers for October 2026, built straight with the ORM.

The reports must not depend on the dossier services being finished, so every row carries its own
timestamps and verdicts. The expected figures are written out next to the data (see FIGURES).

An Bình (commune), received in October (period end = 2026-11-01 00:00 +07:00):
  D1 counter  received 01/10 00:00  finished 05/10 early     returned, e-result, both scans (one from the population
                                                              database), rated very satisfied
  D2 online   received 02/10        finished 10/10 on time   returned, 1 of 2 scans (one reused), rated satisfied,
                                                              complaint FB2, fee paid online
  D3 counter  received 03/10        finished 20/10 late      returned, apology (new date 15/10 missed), 1 supplement,
                                                              rated dissatisfied
  D4 online   received 04/10        finished 25/10 late      decided, 2 supplements, complaint FB5
  D5 online   received 20/10        pending, due 05/11       -> pending in time
  D6 postal   received 10/10        pending, due 28/10       -> pending late, apology
  D7 counter  received 12/10        pending, due 30/10       -> pending late
  D8 online   received 25/10        finished 03/11 (after the end), due 04/11 -> pending in time; fully online
  D9 counter  received 26/10        finished 02/11 late, due 31/10 17:00 -> pending late; fee paid in cash
Khai sinh is eligible for fully-online service; Đất đai's result is not a paper document (4.1 leaves D3 out).
  F1 counter  received 30/09 23:59  finished 02/10 on time  -> received in September, finished in October
Outside: F2 received 01/11 00:00 (November), G submitted online, not received.
October counts D1–D9 received; D1–D4 and F1 finished; D5–D9 open at its end (processed: 10).
Phú Mỹ (commune 2), October: E1 online early, E2 counter late (no apology).
"""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from citizens.models import Feedback, Rating
from citizens.services.common import record_complaint
from dossiers.models import Apology, Channel, Dossier, DossierComponent, Status, SupplementRequest, Verdict
from organisation.models import Role
from procedures.models import Field, OnlineMode, Procedure, ProcedureStatus, TimeUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=9, minute=0, month=10, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def frozen_now():
    """Reports are read on 20 November 2026, after the October period has ended."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request in English leaves English active in the thread; the next test's selectors expect Vietnamese."""
    yield
    translation.deactivate()


@pytest.fixture
def catalogue(db):
    civil = Field.objects.create(code="G09-TP02", name="Hộ tịch")
    cert = Field.objects.create(code="G09-TP03", name="Chứng thực")
    land = Field.objects.create(code="G11-TN01", name="Đất đai")
    common = dict(time_limit_amount=3, time_limit_unit=TimeUnit.WORKING_DAYS, status=ProcedureStatus.PUBLISHED)
    birth = Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", field=civil, online_mode=OnlineMode.FULL,
                                     full_online_eligible=True, **common)
    copy = Procedure.objects.create(code="2.000815", name="Chứng thực bản sao từ bản chính", field=cert,
                                    online_mode=OnlineMode.PARTIAL, fee_amount=2000, **common)
    plot = Procedure.objects.create(code="1.003003", name="Đăng ký đất đai lần đầu", field=land, online_mode=OnlineMode.NONE,
                                    paper_result=False, **common)
    draft = Procedure.objects.create(code="9.999999", name="Thủ tục dự thảo", field=land, online_mode=OnlineMode.FULL,
                                     time_limit_amount=1, time_limit_unit=TimeUnit.WORKING_DAYS, status=ProcedureStatus.DRAFT)
    return SimpleNamespace(civil=civil, cert=cert, land=land, birth=birth, copy=copy, plot=plot, draft=draft)


_codes = iter(range(1, 10_000))


def make_dossier(agency, procedure, channel, received, appointment, finished=None, verdict=None, status=Status.PROCESSING, **extra):
    n = next(_codes)
    return Dossier.objects.create(
        code=f"{agency.code}-{received:%y%m%d}-{n:04d}" if received else None,
        procedure=procedure, agency=agency, channel=channel, status=status,
        applicant_name=f"Nguyễn Văn {n}", applicant_phone="0912345678",
        received_at=received, appointment_at=appointment, original_appointment_at=appointment,
        finished_at=finished, returned_at=finished if status == Status.RETURNED else None,
        verdict=verdict, is_late=verdict == Verdict.LATE, **extra,
    )


def apologise(dossier, new_appointment=None, *, issued_at=None, old_appointment=None):
    """An apology written directly, with the dossier's copy of its facts as services.apology.apologize keeps it
    (dossiers/0024): the reports read the copy."""
    apology = Apology.objects.create(
        dossier=dossier, issued_at=issued_at or dossier.received_at, reason="Cần xác minh thêm",
        old_appointment_at=old_appointment or dossier.appointment_at,
        new_appointment_at=new_appointment or dossier.appointment_at,
    )
    Dossier.objects.filter(pk=dossier.pk).update(apologised_at=apology.issued_at,
                                                 apology_due_at=apology.new_appointment_at)
    return apology


@pytest.fixture
def figures(org, catalogue):
    c, a1, a2 = catalogue, org.commune, org.commune2
    on, desk, post = Channel.ONLINE, Channel.COUNTER, Channel.POSTAL
    d = SimpleNamespace()
    d.d1 = make_dossier(a1, c.birth, desk, at(1, 0), at(6), at(5), Verdict.EARLY, Status.RETURNED, result_file="results/2026/10/d1.pdf")
    d.d2 = make_dossier(a1, c.copy, on, at(2), at(10, 17), at(10, 10), Verdict.ON_TIME, Status.RETURNED,
                        fee_amount=2000, paid_at=at(9), fee_paid_via="online")
    d.d3 = make_dossier(a1, c.plot, desk, at(3), at(15), at(20), Verdict.LATE, Status.RETURNED, supplement_count=1)
    d.d4 = make_dossier(a1, c.copy, on, at(4), at(22), at(25), Verdict.LATE, Status.DECIDED, supplement_count=2)
    d.d5 = make_dossier(a1, c.birth, on, at(20), at(5, month=11))
    d.d6 = make_dossier(a1, c.plot, post, at(10), at(28))
    d.d7 = make_dossier(a1, c.plot, desk, at(12), at(30))
    d.d8 = make_dossier(a1, c.birth, on, at(25), at(4, month=11), at(3, month=11), Verdict.ON_TIME, Status.RETURNED,
                        fully_online=True)
    d.d9 = make_dossier(a1, c.copy, desk, at(26), at(31, 17), at(2, month=11), Verdict.LATE, Status.RETURNED,
                        fee_amount=2000, paid_at=at(27), fee_paid_via="cash")
    d.e1 = make_dossier(a2, c.birth, on, at(7), at(9), at(8), Verdict.EARLY, Status.RETURNED)
    d.e2 = make_dossier(a2, c.copy, desk, at(8), at(10), at(14), Verdict.LATE, Status.RETURNED)
    d.f1 = make_dossier(a1, c.birth, desk, at(30, 23, 59, month=9), at(3), at(2), Verdict.ON_TIME, Status.RETURNED)
    d.f2 = make_dossier(a1, c.birth, on, at(1, 0, month=11), at(5, month=11))
    d.g = make_dossier(a1, c.birth, on, None, None, status=Status.SUBMITTED)
    apologise(d.d3)
    SupplementRequest.objects.create(dossier=d.d3, round=1, requested_at=at(5), replied_at=at(6), items="CCCD")
    SupplementRequest.objects.create(dossier=d.d4, round=1, requested_at=at(6), replied_at=at(7), items="CCCD")
    SupplementRequest.objects.create(dossier=d.d4, round=2, requested_at=at(8), replied_at=at(9), items="Ảnh")
    apologise(d.d6, at(30))  # a new date that is still before the end: still pending late
    for name, scanned, source in (("Tờ khai", True, ""), ("Giấy chứng sinh", True, "population")):
        DossierComponent.objects.create(dossier=d.d1, name=name, file="dossiers/2026/10/a.pdf" if scanned else "",
                                        data_source=source)
    for name, scanned, source in (("Bản chính", True, "reused"), ("Bản sao", False, "")):
        DossierComponent.objects.create(dossier=d.d2, name=name, file="dossiers/2026/10/b.pdf" if scanned else "",
                                        data_source=source)
    Rating.objects.create(dossier=d.d1, overall="very_satisfied")
    Rating.objects.create(dossier=d.d2, overall="satisfied")
    for unhappy in (d.d3, d.e1):  # with the dossier's copy, as citizens.services.ratings writes it
        record_complaint(unhappy.pk, Rating.objects.create(dossier=unhappy, overall="dissatisfied").created_at)

    def feedback(received, due, answered=None, rating="", dossier=None, complaint=False, agency=a1):
        item = Feedback.objects.create(
            agency=agency, dossier=dossier, name="Trần Thị B", subject="Góp ý", body="…", is_complaint=complaint,
            received_at=received, answer_due_at=due, answered_at=answered, answer_rating=rating,
        )
        if complaint and dossier is not None:  # the dossier's copy, as citizens.services.feedback writes it
            record_complaint(dossier.pk, received)
            # Which of its complaints repeat an earlier one (made here out of order: all of them again).
            for other in Feedback.objects.filter(dossier=dossier, is_complaint=True):
                other.is_repeat = Feedback.objects.filter(dossier=dossier, is_complaint=True,
                                                          received_at__lt=other.received_at).exists()
                other.save(update_fields=["is_repeat"])
            item.refresh_from_db()
        return item

    feedback(at(3), at(24), at(20), rating="satisfied")                   # FB1 answered on time
    feedback(at(5), at(26), at(28), rating="dissatisfied", dossier=d.d2, complaint=True)  # FB2 answered late
    feedback(at(6), at(27))                                               # FB3 overdue, unanswered
    feedback(at(25), at(14, month=11))                                    # FB4 not yet due
    feedback(at(26), at(16, month=11), dossier=d.d4, complaint=True)     # FB5 complaint, not yet due
    feedback(at(9), at(30), agency=a2)                                    # Phú Mỹ: overdue
    return d


# The hand counts, October 2026.
AN_BINH = dict(
    received=9, finished=5, early=1, on_time=2, late=2, pending_in_time=2, pending_late=3, waiting=0,
    national_in_time=5, national_late=5,
    online=4, fully_online=1, counter=4, postal=1, apologised_late=2, apology_kept=0, apology_missed=2,
    supplemented=2, supplemented_twice=1, supplement_rounds=3,
    rated=3, very_satisfied=1, satisfied=1, dissatisfied=1,
)
AN_BINH_RATES = dict(on_time_rate=60.0, online_share=44.4, apologised_late_share=40.0, satisfaction_rate=66.7,
                     in_time_rate=50.0, national_rate=50.0)
PHU_MY = dict(
    received=2, finished=2, early=1, on_time=0, late=1, pending_in_time=0, pending_late=0, waiting=0,
    national_in_time=1, national_late=1,
    online=1, fully_online=0, counter=1, postal=0, apologised_late=0, apology_kept=0, apology_missed=0,
    supplemented=0, supplemented_twice=0, supplement_rounds=0,
    rated=1, very_satisfied=0, satisfied=0, dissatisfied=1,
)
PHU_MY_RATES = dict(on_time_rate=50.0, online_share=50.0, apologised_late_share=0.0, satisfaction_rate=0.0,
                    in_time_rate=50.0, national_rate=50.0)
PROVINCE = {k: AN_BINH[k] + PHU_MY[k] for k in AN_BINH}
PROVINCE_RATES = dict(on_time_rate=57.1, online_share=45.5, apologised_late_share=33.3, satisfaction_rate=50.0,
                      in_time_rate=50.0, national_rate=50.0)


@pytest.fixture
def commune_manager(org, make_user):
    return make_user("quanly_xa", roles=[(org.commune, Role.MANAGER)])


from tests.reporting.test_h10_rules_fixture import rules_fixture  # noqa: E402, F401  (shared with test_rollup)
