"""The reports' monthly fact table (reporting.ReportMonth) is kept current by the services themselves: after a
seeded random sequence of actions over three months (some of them entered late, dated in a closed month;
ratings and complaints too), every closed month's rows are what `rebuild_report_months` writes for it; and
an action costs at most one more statement for it (none for a dossier received in the open month)."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citizens.services import rate_dossier, submit_feedback
from dossiers import services
from dossiers.models import Dossier, Status
from organisation.errors import ActionNotAllowed, ValidationFailed
from reporting import periods, rollup, selectors
from reporting.models import ReportMonthBuilt

from .conftest import APPLICANT

TZ = ZoneInfo("Asia/Ho_Chi_Minh")




def _act(rng, d: Dossier, staff, now, closed_start):
    """One action the dossier's status allows, sometimes entered late (dated in a closed month)."""
    at = None
    if rng.random() < 0.25 and closed_start is not None:
        earliest = max(d.received_at or now, closed_start)
        if earliest < now - timedelta(hours=2):
            at = earliest + (now - earliest) * rng.random() * 0.5
    s = d.status
    if s == Status.RECEIVED:
        return services.transfer(d, actor=staff.desk, assignee=staff.officer, at=at)
    if s == Status.PROCESSING:
        choice = rng.choice(["decide", "decide", "supplement", "payment", "stop", "apologize"])
        if choice == "decide":
            return services.decide(d, actor=staff.head, result="Đã cấp", at=at)
        if choice == "supplement":
            return services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"], reason="Thiếu", at=at)
        if choice == "payment":
            return services.request_payment(d, actor=staff.officer, amount=15000, at=at)
        if choice == "stop":
            return services.stop(d, actor=staff.head, reason="Không đủ điều kiện", at=at)
        return services.apologize(d, actor=staff.head, reason="Chậm do thẩm định",
                                  new_appointment_at=now + timedelta(days=rng.randint(2, 20)))
    if s == Status.SUPPLEMENT_REQUESTED:
        return services.supplement_received(d, actor=staff.desk, at=at)
    if s == Status.PAYMENT_REQUESTED:
        return services.confirm_payment(d, actor=staff.desk, at=at, method=rng.choice(["cash", "online"]))
    if s == Status.DECIDED:
        return services.return_result(d, actor=staff.desk, at=at)
    if s == Status.RETURNED:
        if rng.random() < 0.5:
            return rate_dossier(d, source="kiosk", overall=rng.choice(["very_satisfied", "satisfied", "dissatisfied"]))
        return submit_feedback(agency=d.agency, subject="Trả chậm", body="Hồ sơ trả chậm", name="Nguyễn Văn An",
                               phone="0912345678", dossier=d, is_complaint=True)
    return None


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_the_fact_table_kept_by_the_services_equals_a_rebuild(staff, procedure, make_procedure, seed):
    rng = random.Random(seed)
    other = make_procedure(amount=1)
    now = datetime(2026, 7, 6, 8, 0, tzinfo=TZ)
    dossiers: list[int] = []
    closed_start = None
    with time_machine.travel(now, tick=False) as clock:
        month = now.month
        for _ in range(120):
            now += timedelta(hours=rng.choice([1, 3, 7, 20, 30]))
            clock.move_to(now)
            if now.month != month:  # the nightly task builds the month that just closed
                first = now.replace(day=1, hour=0, minute=0) - timedelta(days=1)
                rollup.rebuild_month(first.date().replace(day=1))
                closed_start = closed_start or first.replace(day=1, hour=0, minute=0)
                month = now.month
            if not dossiers or rng.random() < 0.3:
                received_at = None
                if closed_start is not None and rng.random() < 0.2:  # a paper receipt entered late
                    received_at = closed_start + (now - closed_start) * rng.random() * 0.5
                d = services.intake(actor=staff.desk, procedure=rng.choice([procedure, other]),
                                    channel=rng.choice(["counter", "postal"]), applicant=dict(APPLICANT),
                                    received_at=received_at)
                dossiers.append(d.pk)
                continue
            d = Dossier.objects.get(pk=rng.choice(dossiers))
            try:
                _act(rng, d, staff, now, closed_start)
            except (ActionNotAllowed, ValidationFailed):
                pass  # not allowed in this state (a second apology, a second rating): nothing written
        months = sorted(ReportMonthBuilt.objects.values_list("month", flat=True))
        assert len(months) >= 2
        for first in months:
            assert rollup.stored_rows(first) == rollup.rebuilt_rows(first), first
        assert any(rollup.stored_rows(first) for first in months)


def test_an_action_costs_the_fact_table_one_statement(staff, procedure):
    with time_machine.travel(datetime(2026, 9, 28, 9, 0, tzinfo=TZ), tick=False) as clock:
        d = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
        d = services.transfer(d, actor=staff.desk, assignee=staff.officer)
        clock.move_to(datetime(2026, 10, 2, 9, 0, tzinfo=TZ))
        rollup.rebuild_month(datetime(2026, 9, 1).date())
        before = rollup.stored_rows(datetime(2026, 9, 1).date())
        september = selectors.ReportFilter(periods.month(2026, 9))
        cached = selectors.totals(september).counts()  # from the fact table, its sums now cached
        assert cached == selectors.totals(selectors.ReportFilter(periods.month(2026, 9), live=True)).counts()
        with CaptureQueriesContext(connection) as ctx:
            d = services.request_supplement(d, actor=staff.officer, items=["Bản sao CCCD"], reason="Thiếu")
        touching = [q["sql"] for q in ctx.captured_queries if "reporting_report" in q["sql"]]
        assert len(touching) == 1  # the upsert of September's rows (its supplement count moved)
        assert rollup.stored_rows(datetime(2026, 9, 1).date()) != before
        assert rollup.stored_rows(datetime(2026, 9, 1).date()) == rollup.rebuilt_rows(datetime(2026, 9, 1).date())
        # The cached sums are keyed by the month's build stamp, which the upsert moved: never stale.
        now = selectors.totals(selectors.ReportFilter(periods.month(2026, 9))).counts()
        assert now != cached
        assert now == selectors.totals(selectors.ReportFilter(periods.month(2026, 9), live=True)).counts()
        # A dossier received in the open month: no statement at all.
        with CaptureQueriesContext(connection) as ctx:
            fresh = services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT))
            services.transfer(fresh, actor=staff.desk, assignee=staff.officer)
        assert not [q for q in ctx.captured_queries if "reporting_report" in q["sql"]]
