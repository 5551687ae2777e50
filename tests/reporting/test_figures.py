"""Every number of the on-time report against the hand counts of the October fixture."""

from datetime import date
from decimal import Decimal

import pytest

from reporting import selectors
from reporting.periods import Period, month
from tests.reporting.conftest import AN_BINH, AN_BINH_RATES, PHU_MY, PHU_MY_RATES, PROVINCE, PROVINCE_RATES

OCT = month(2026, 10)


def check(row, counts, rates):
    assert {k: getattr(row, k) for k in counts} == counts
    assert {k: (None if getattr(row, k) is None else float(getattr(row, k))) for k in rates} == rates


@pytest.mark.django_db
def test_rows_by_agency_match_the_hand_counts(figures, org):
    report = selectors.report(selectors.ReportFilter(OCT), "agency")
    by_code = {r.label: r for r in report.rows}
    assert set(by_code) == {org.commune.name, org.commune2.name}
    check(by_code[org.commune.name], AN_BINH, AN_BINH_RATES)
    check(by_code[org.commune2.name], PHU_MY, PHU_MY_RATES)
    check(report.totals, PROVINCE, PROVINCE_RATES)


@pytest.mark.django_db
def test_aggregate_totals_agree_with_the_sum_of_rows(figures):
    flt = selectors.ReportFilter(OCT)
    check(selectors.totals(flt), PROVINCE, PROVINCE_RATES)


@pytest.mark.django_db
def test_on_time_report_scoped_to_one_commune(figures, org):
    rows = selectors.on_time_report({org.commune.id}, date(2026, 10, 1), date(2026, 10, 31), "agency")
    assert [r.key for r in rows] == [org.commune.code]
    check(rows[0], AN_BINH, AN_BINH_RATES)


@pytest.mark.django_db
def test_agency_outside_scope_is_not_found(figures, org):
    from organisation.errors import NotFound

    with pytest.raises(NotFound):
        selectors.on_time_report({org.commune.id}, date(2026, 10, 1), date(2026, 10, 31), "agency", agency=org.commune2.code)


@pytest.mark.django_db
def test_rows_by_field_procedure_channel(figures, org, catalogue):
    flt = selectors.ReportFilter(OCT, frozenset({org.commune.id}))
    fields = {r.id: r for r in selectors.report(flt, "field").rows}
    # Hộ tịch: D1 early, F1 on time (received in September), D5 and D8 pending in time;
    # Chứng thực: D2 on time, D4 late, D9 pending late;
    # Đất đai: D3 late, D6 and D7 pending late.
    civil = fields[catalogue.civil.id]
    assert (civil.received, civil.finished, civil.early, civil.on_time, civil.pending_in_time) == (3, 2, 1, 1, 2)
    assert fields[catalogue.civil.id].on_time_rate == Decimal("100.0")
    civ = fields[catalogue.cert.id]
    assert (civ.received, civ.on_time, civ.late, civ.pending_late, civ.on_time_rate) == (3, 1, 1, 1, Decimal("50.0"))
    land = fields[catalogue.land.id]
    assert (land.received, land.late, land.pending_late, land.apologised_late, land.on_time_rate) == (3, 1, 2, 2, Decimal("0.0"))
    assert land.apologised_late_share == Decimal("66.7")

    procedures = {r.id: r for r in selectors.report(flt, "procedure").rows}
    assert procedures[catalogue.birth.id].label == "1.001193 – Đăng ký khai sinh"
    assert sum(r.received for r in procedures.values()) == 9

    channels = {r.key: r for r in selectors.report(flt, "channel").rows}
    assert [r.key for r in selectors.report(flt, "channel").rows] == ["counter", "online", "postal"]
    assert (channels["online"].received, channels["counter"].received, channels["postal"].received) == (4, 4, 1)
    assert channels["postal"].pending_late == 1 and channels["postal"].apologised_late == 1


@pytest.mark.django_db
def test_each_month_is_its_own_window(figures, org):
    flt = selectors.ReportFilter(Period(date(2026, 9, 1), date(2026, 10, 31)), frozenset({org.commune.id}))
    report = selectors.report(flt, "month")
    rows = report.rows
    assert [r.key for r in rows] == ["2026-09", "2026-10"]
    # F1, received 30/09 23:59 and finished 02/10: received in September (open at its end), finished in October.
    assert (rows[0].received, rows[0].finished, rows[0].pending_in_time) == (1, 0, 1)
    check(rows[1], AN_BINH, AN_BINH_RATES)
    # The two months together: received 10, finished 5, open at the end of October 5 (not the sum of the months).
    assert (report.totals.received, report.totals.finished, report.totals.processed) == (10, 5, 10)


@pytest.mark.django_db
def test_zero_denominators_are_null_not_100(figures, org):
    # September alone, as it stood at the end of September: F1 was still pending, nothing finished.
    row = selectors.totals(selectors.ReportFilter(month(2026, 9), frozenset({org.commune.id})))
    assert (row.received, row.finished, row.pending_in_time) == (1, 0, 1)
    assert row.on_time_rate is None
    assert row.apologised_late_share is None
    assert row.satisfaction_rate is None
    assert row.online_share == Decimal("0.0")
    # A period with nothing at all.
    empty = selectors.totals(selectors.ReportFilter(month(2025, 1)))
    assert empty.received == 0
    assert all(getattr(empty, r) is None for r in selectors.RATES)


@pytest.mark.django_db
def test_compare_with_the_previous_period(figures, org):
    flt = selectors.ReportFilter(OCT, frozenset({org.commune.id}))
    before = selectors.totals(selectors.ReportFilter(OCT.previous(), frozenset({org.commune.id})))
    diff = selectors.compare(selectors.totals(flt), before)
    assert diff["received"] == {"current": 9, "previous": 1, "delta": 8}
    assert diff["on_time_rate"]["delta"] is None  # no rate last month: no change to show
    assert diff["online_share"] == {"current": Decimal("44.4"), "previous": Decimal("0.0"), "delta": Decimal("44.4")}


@pytest.mark.django_db
def test_ranking_puts_units_without_data_last(figures):
    rows = [selectors.Row(key="a", label="A", received=0), selectors.Row(key="b", label="B", received=4, finished=4, early=4),
            selectors.Row(key="c", label="C", received=4, finished=4, on_time=1)]
    assert [r.key for r in selectors.ranking(rows)] == ["b", "c", "a"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("received", {"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9"}),
        ("finished", {"d1", "d2", "d3", "d4", "f1"}),
        ("early", {"d1"}),
        ("on_time", {"d2", "f1"}),
        ("late", {"d3", "d4"}),
        ("pending_in_time", {"d5", "d8"}),
        ("pending_late", {"d6", "d7", "d9"}),
        ("late_all", {"d3", "d4", "d6", "d7", "d9"}),
        ("apologised_late", {"d3", "d6"}),
        ("unapologised_late", {"d4", "d7", "d9"}),
        ("in_time", {"d1", "d2", "f1", "d5", "d8"}),
        ("processed", {"d1", "d2", "d3", "d4", "f1", "d5", "d6", "d7", "d8", "d9"}),
        ("national_in_time", {"d1", "d2", "f1", "d5", "d8"}),
        ("national_late", {"d3", "d4", "d6", "d7", "d9"}),
        ("waiting", set()),
        ("apology_kept", set()),
        ("apology_missed", {"d3", "d6"}),
        ("online", {"d2", "d4", "d5", "d8"}),
        ("postal", {"d6"}),
        ("supplemented", {"d3", "d4"}),
        ("supplemented_twice", {"d4"}),
        ("decided", {"d1", "d2", "d3", "d4", "f1"}),
        ("electronic_result", {"d1"}),
        ("digitised", {"d1"}),
        ("rated", {"d1", "d2", "d3"}),
        ("dissatisfied", {"d3"}),
        ("complained", {"d2", "d3", "d4"}),
    ],
)
def test_dossiers_behind_each_number(figures, org, metric, expected):
    flt = selectors.ReportFilter(OCT, frozenset({org.commune.id}))
    names = {v.pk: k for k, v in vars(figures).items()}
    found = {names[d.pk] for d in selectors.dossiers_behind(metric, flt)}
    assert found == expected
    row = selectors.totals(flt)
    if hasattr(row, metric):
        assert getattr(row, metric) == len(expected)


@pytest.mark.django_db
def test_drill_down_into_one_month_uses_that_month_as_the_window(figures, org):
    period = Period(date(2026, 9, 1), date(2026, 10, 31))
    sept = selectors.ReportFilter(period, frozenset({org.commune.id}), month=date(2026, 9, 1))
    assert list(selectors.dossiers_behind("on_time", sept)) == []
    assert [d.pk for d in selectors.dossiers_behind("pending_in_time", sept)] == [figures.f1.pk]
    october = selectors.ReportFilter(period, frozenset({org.commune.id}), month=date(2026, 10, 1))
    assert {d.pk for d in selectors.dossiers_behind("on_time", october)} == {figures.f1.pk, figures.d2.pk}


@pytest.mark.django_db
def test_unknown_metric_is_a_validation_error(figures):
    from organisation.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        selectors.dossiers_behind("bogus", selectors.ReportFilter(OCT))
    assert "metric" in err.value.fields


@pytest.mark.django_db
def test_feedback_summary(figures, org):
    fb = selectors.feedback_summary(selectors.ReportFilter(OCT, frozenset({org.commune.id})))
    assert (fb.received, fb.complaints, fb.due, fb.on_time, fb.rated, fb.satisfied) == (5, 2, 3, 1, 2, 1)
    assert fb.on_time_rate == Decimal("33.3") and fb.satisfaction_rate == Decimal("50.0")
