"""The monthly fact table: a rebuilt month is what the live reports count, and reports read from it agree
with the live ones on every row (the drill-down always lists the live dossiers)."""

from datetime import date

import pytest
from django.core.management import call_command

from reporting import rollup, selectors
from reporting.models import ReportMonth, ReportMonthBuilt
from reporting.periods import Period, month, quarter, year

SEPT, OCT = date(2026, 9, 1), date(2026, 10, 1)


def as_dicts(rows):
    return sorted((r.key, r.counts()) for r in rows)


@pytest.fixture
def rolled(figures, rules_fixture):
    call_command("rebuild_report_months", "--from", "2026-08", "--to", "2026-11")
    return figures


def test_the_command_writes_the_live_rows_and_is_idempotent(rolled):
    assert set(ReportMonthBuilt.objects.values_list("month", flat=True)) == {date(2026, 8, 1), SEPT, OCT}
    stored = sorted(
        (r.agency_id, r.procedure_id, r.channel, tuple(getattr(r, k) for k in rollup.COUNTS))
        for r in ReportMonth.objects.filter(month=OCT)
    )
    live = sorted((r["agency_id"], r["procedure_id"], r["channel"], tuple(r[k] for k in rollup.COUNTS))
                  for r in rollup.live_rows(OCT))
    assert stored == live and stored
    assert sum(r.received for r in ReportMonth.objects.filter(month=OCT)) == 9 + 2 + 6
    rollup.rebuild_month(OCT)
    assert ReportMonth.objects.filter(month=OCT).count() == len(live)


def test_the_open_month_is_never_rolled_up(rolled):
    assert not ReportMonthBuilt.objects.filter(month=date(2026, 11, 1)).exists()
    with pytest.raises(ValueError):
        rollup.rebuild_month(date(2026, 11, 1))


@pytest.mark.parametrize("period", [month(2026, 10), month(2026, 9), Period(SEPT, date(2026, 10, 31)),
                                    quarter(2026, 4), year(2026), Period(date(2026, 1, 1), date(2026, 10, 20)),
                                    Period(date(2026, 8, 1), date(2026, 11, 20))],
                         ids=["oct", "sep", "sep-oct", "q4", "2026", "to-20-oct", "aug-to-now"])
@pytest.mark.parametrize("group_by", ["agency", "field", "procedure", "channel", "month"])
def test_reports_from_the_rollup_equal_the_live_reports(rolled, period, group_by):
    tree = selectors.AgencyTree.load()
    from_rollup = selectors.report(selectors.ReportFilter(period), group_by, tree)
    live = selectors.report(selectors.ReportFilter(period, live=True), group_by, tree)
    assert as_dicts(from_rollup.rows) == as_dicts(live.rows)
    assert from_rollup.totals.counts() == live.totals.counts()


def test_the_dashboard_from_the_rollup_equals_the_live_one(rolled, org, django_assert_max_num_queries):
    scope = {org.province.id, org.commune.id, org.commune2.id}
    for period in (month(2026, 10), quarter(2026, 4), year(2026)):
        dash = selectors.dashboard(scope, period)
        assert dash.totals.counts() == selectors.totals(selectors.ReportFilter(period, live=True)).counts()
        for unit in dash.units:
            live = selectors.totals(selectors.ReportFilter(period, frozenset(selectors.AgencyTree.load().subtree(unit.id)),
                                                           live=True))
            assert unit.counts() == live.counts(), unit.label


def test_the_drill_down_lists_what_the_rollup_counted(rolled, org):
    period = Period(SEPT, date(2026, 10, 31))
    row = selectors.totals(selectors.ReportFilter(period))
    for metric in ("received", "finished", "late", "pending_late", "waiting", "national_late", "apology_kept"):
        assert selectors.dossiers_behind(metric, selectors.ReportFilter(period)).count() == getattr(row, metric), metric


def test_a_month_not_built_is_read_live(figures, org):
    rollup.rebuild_month(SEPT)  # October is not built: a Sept–Oct period is read live entirely
    period = Period(SEPT, date(2026, 10, 31))
    assert selectors._rollup_months(selectors.ReportFilter(period)) is None
    assert selectors._rollup_months(selectors.ReportFilter(month(2026, 9))) == [SEPT]


INDEX_PERIODS = [month(2026, 10), month(2026, 9), Period(SEPT, date(2026, 10, 31)), quarter(2026, 4), year(2026),
                 Period(date(2026, 1, 1), date(2026, 10, 20)), Period(date(2026, 8, 1), date(2026, 11, 20))]


@pytest.mark.parametrize("period", INDEX_PERIODS, ids=["oct", "sep", "sep-oct", "q4", "2026", "to-20-oct", "aug-to-now"])
def test_the_766_index_from_the_rollup_equals_the_live_one(figures, rules_fixture, org, period):
    scopes = (None, {org.province.id, org.commune.id, org.commune2.id}, {org.commune.id})
    live = [selectors.index_766(scope, period) for scope in scopes]
    assert all(selectors._rollup_months(i.filter) is None for i in live)
    call_command("rebuild_report_months", "--from", "2026-08", "--to", "2026-11")
    for scope, before in zip(scopes, live, strict=True):
        after = selectors.index_766(scope, period)
        if period.start >= date(2026, 8, 1):  # every closed month of it built
            assert selectors._rollup_months(after.filter)
        assert after.counts == before.counts
        assert after.result == before.result


def test_a_payment_after_the_period_is_not_counted_in_it(figures, rules_fixture, org):
    """Paid by now is what the fact table keeps; a period subtracts those paid after its end."""
    from dossiers.models import Dossier, FeePayment

    from .conftest import at

    d = Dossier.objects.filter(received_at__gte=at(1, hour=0), received_at__lt=at(1, hour=0, month=11),
                               paid_at__isnull=True).first()
    Dossier.objects.filter(pk=d.pk).update(paid_at=at(3, month=11), fee_paid_via=FeePayment.ONLINE)
    live = selectors.index_766(None, month(2026, 10)).counts
    call_command("rebuild_report_months", "--from", "2026-10", "--to", "2026-10")
    assert ReportMonth.objects.filter(month=OCT, procedure_id=d.procedure_id, agency_id=d.agency_id,
                                      channel=d.channel).get().paid_online_ever >= 1
    assert selectors.index_766(None, month(2026, 10)).counts == live




def test_refreshing_a_dossier_rewrites_the_rows_of_its_months_in_one_statement(rolled, django_assert_num_queries):
    from dossiers.models import Dossier, Verdict

    from .conftest import at

    d = Dossier.objects.filter(received_at__gte=at(1), received_at__lt=at(1, month=11), finished_at__isnull=True,
                               agency__isnull=False).order_by("received_at").first()
    stamp = ReportMonthBuilt.objects.get(month=OCT).built_at
    # Finished in October after all (a backdated entry): October's rows move, September's do not.
    Dossier.objects.filter(pk=d.pk).update(finished_at=at(30), verdict=Verdict.LATE, supplement_count=2)
    d.refresh_from_db()
    before_sept = rollup.stored_rows(SEPT)
    with django_assert_num_queries(1):
        assert rollup.refresh_dossier(d)
    assert rollup.stored_rows(OCT) == rollup.rebuilt_rows(OCT) != []
    assert rollup.stored_rows(SEPT) == before_sept
    assert ReportMonthBuilt.objects.get(month=OCT).built_at > stamp
    stamp = ReportMonthBuilt.objects.get(month=OCT).built_at
    with django_assert_num_queries(1):
        rollup.refresh_dossier(d)  # nothing changed: the stamp stays
    assert ReportMonthBuilt.objects.get(month=OCT).built_at == stamp
    november = Dossier.objects.filter(received_at__gte=at(1, hour=0, month=11)).first()
    with django_assert_num_queries(0):
        assert not rollup.refresh_dossier(november)  # received in the open month
