"""Periods (pure) and the SVG charts (pure): previous periods, months, escaping, gaps for missing data."""

from datetime import date
from decimal import Decimal

import pytest

from reporting import charts, periods
from reporting.periods import Period


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (periods.month(2026, 3), (date(2026, 2, 1), date(2026, 2, 28))),
        (periods.month(2026, 1), (date(2025, 12, 1), date(2025, 12, 31))),
        (periods.quarter(2026, 1), (date(2025, 10, 1), date(2025, 12, 31))),
        (periods.quarter(2026, 3), (date(2026, 4, 1), date(2026, 6, 30))),
        (periods.year(2024), (date(2023, 1, 1), date(2023, 12, 31))),
        (Period(date(2026, 3, 10), date(2026, 3, 19)), (date(2026, 2, 28), date(2026, 3, 9))),
    ],
)
def test_previous_period_of_the_same_kind_and_length(period, previous):
    p = period.previous()
    assert (p.start, p.end) == previous
    if period.kind == "custom":
        assert p.days == period.days


def test_months_and_bounds():
    assert periods.month(2024, 2).end == date(2024, 2, 29)
    assert Period(date(2025, 11, 15), date(2026, 2, 3)).months() == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert periods.trailing_months(date(2026, 10, 31), 12).start == date(2025, 11, 1)
    with pytest.raises(ValueError):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValueError):
        periods.quarter(2026, 5)


def test_charts_escape_labels_and_describe_the_figures():
    svg = charts.bar_chart([("<script>x</script>", Decimal("12.5")), ("Xã B", None)], "Xếp hạng & so sánh")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Xếp hạng &amp; so sánh" in svg
    assert "12,5%" in svg and "Xã B: —" in svg  # no data is said, not drawn as zero


def test_line_chart_leaves_gaps_where_there_is_no_data():
    svg = charts.line_chart([("01/2026", 90), ("02/2026", None), ("03/2026", 95), ("04/2026", 97)], "Xu hướng")
    assert svg.count("<polyline") == 1  # 03-04 joined; 01 alone, not joined across the gap
    assert svg.count("<circle") == 3
    assert "02/2026: —" in svg


def test_share_bar_without_data():
    svg = charts.share_bar([("Trực tiếp", 0), ("Trực tuyến", 0)], "Kênh")
    assert "Không có dữ liệu" in svg and 'role="img"' in svg


def test_charts_speak_the_pages_language():
    """Vietnamese by default ("88,9%", "1.234"); an English page passes its words and its decimal mark."""
    assert "A: 88,9%" in charts.bar_chart([("A", Decimal("88.9"))], "Xếp hạng")
    assert "A: 88.9%" in charts.bar_chart([("A", Decimal("88.9"))], "Ranking", decimal=".")
    assert "01/2026: 75.5%" in charts.line_chart([("01/2026", Decimal("75.5"))], "Trend", decimal=".")
    english = charts.share_bar([("In person", 1234), ("Online", 0)], "Channels", decimal=".", no_data="No data")
    assert "In person: 1,234 (100.0%)" in english and "Online: 0.0%" in english
    assert "In person: 1.234 (100,0%)" in charts.share_bar([("In person", 1234), ("Online", 0)], "Kênh")
    empty = charts.share_bar([("In person", 0)], "Channels", decimal=".", no_data="No data")
    assert ">No data<" in empty and "Không có dữ liệu" not in empty
