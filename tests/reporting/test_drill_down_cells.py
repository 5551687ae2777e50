"""Point 4 of issue 10: every number of the dashboard and of the 766 table, read from the monthly fact table,
lists exactly the dossiers it counted. The walk covers every metric × unit (and field, channel) × period cell
of the hand-counted fixture; the lists are the live dossiers (`dossiers_behind`), the numbers come from the
rollup for the closed months and live for the open one."""

from datetime import date

import pytest
from django.core.management import call_command

from reporting import selectors
from reporting.periods import Period, month, quarter, year

PERIODS = {
    "oct": month(2026, 10), "sep-oct": Period(date(2026, 9, 1), date(2026, 10, 31)), "q4": quarter(2026, 4),
    "2026": year(2026), "to-20-oct": Period(date(2026, 1, 1), date(2026, 10, 20)),
}
CELL_METRICS = sorted(({*selectors.Row.NUMBERS} & selectors.METRICS) | {"open", "processed", "late_all"})


@pytest.fixture
def rolled(figures, rules_fixture):
    call_command("rebuild_report_months", "--from", "2026-01", "--to", "2026-10")
    return figures


def _check(cell_flt, row, where):
    for metric in CELL_METRICS:
        ids = list(selectors.dossiers_behind(metric, cell_flt).values_list("id", flat=True))
        assert len(ids) == len(set(ids)), (where, metric)
        assert len(ids) == getattr(row, metric), (where, metric)


@pytest.mark.parametrize("name", PERIODS)
def test_every_dashboard_cell_lists_the_dossiers_it_counted(rolled, org, name):
    period = PERIODS[name]
    tree = selectors.AgencyTree.load()
    scope = {org.province.id, org.commune.id, org.commune2.id}
    for agency in (None, org.commune.code):
        dash = selectors.dashboard(scope, period, agency=agency, with_trend=False)
        if name != "to-20-oct":
            assert selectors._rollup_months(dash.filter), name  # the numbers came from the fact table
        _check(dash.filter, dash.totals, (name, agency, "total"))
        for row in dash.units:
            ids = {row.id} if dash.unit is not None and row.id == dash.unit.id else tree.subtree(row.id) & scope
            _check(selectors.ReportFilter(period, frozenset(ids)), row, (name, agency, row.key))
        for row in dash.breakdown:
            _check(selectors.ReportFilter(period, dash.filter.agency_ids, field_id=row.id), row, (name, agency, row.key))
        for row in dash.channels:
            _check(selectors.ReportFilter(period, dash.filter.agency_ids, channel=row.key), row, (name, agency, row.key))


@pytest.mark.parametrize("name", PERIODS)
def test_every_766_count_lists_the_dossiers_it_counted(rolled, org, name):
    period = PERIODS[name]
    for scope, agency in ((None, None), ({org.province.id, org.commune.id, org.commune2.id}, org.commune2.code),
                          ({org.commune.id}, None)):
        index = selectors.index_766(scope, period, agency)
        if name != "to-20-oct":
            assert selectors._rollup_months(index.filter), name
        for metric in selectors.INDEX_DOSSIER_METRICS:
            ids = list(selectors.dossiers_behind(metric, index.filter).values_list("id", flat=True))
            assert len(ids) == len(set(ids)) == index.counts[metric], (name, agency, metric)
        for numerator, denominator in selectors.INDICATOR_LINKS.values():
            assert index.counts[numerator] <= index.counts[denominator]
