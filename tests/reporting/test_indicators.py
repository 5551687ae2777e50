"""The Decision 766 formulas, pure: rates, thresholds, points, totals, and what is not computable."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting import indicators as ix


def by_code(result):
    return {i.rule.code: i for i in result.indicators}


# --- percent ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "d", "expected"),
    [(0, 0, None), (5, 0, None), (0, 3, Decimal("0.0")), (1, 3, Decimal("33.3")), (2, 3, Decimal("66.7")),
     (1, 8, Decimal("12.5")), (1, 16, Decimal("6.3")), (5, 11, Decimal("45.5")), (3, 3, Decimal("100.0")),
     (1, 2000, Decimal("0.1")), (1, 2001, Decimal("0.0"))],
)
def test_percent_has_one_decimal_rounded_half_up_and_null_without_denominator(n, d, expected):
    assert ix.percent(n, d) == expected


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percent_is_within_half_a_tenth_of_the_exact_value(n, d):
    value = ix.percent(n, d)
    assert abs(Fraction(value) - Fraction(100 * n, d)) <= Fraction(1, 20)


# --- points --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_points", "rate", "threshold", "expected"),
    [
        (8, Fraction(50), 50, Fraction(8)),          # at the threshold: full points
        (8, Fraction(75), 50, Fraction(8)),          # above: capped at the maximum
        (8, Fraction(25), 50, Fraction(4)),          # below: max × rate ÷ threshold
        (8, Fraction(0), 50, Fraction(0)),
        (4, Fraction(200, 3), 80, Fraction(10, 3)),
        (20, Fraction(400, 9), 100, Fraction(80, 9)),
        (20, Fraction(100), 100, Fraction(20)),
        (6, Fraction(45), None, Fraction(27, 10)),   # no threshold: as if 100%
        (6, None, 80, None),                         # no data: no points, never full marks
    ],
)
def test_points(max_points, rate, threshold, expected):
    assert ix.points(max_points, rate, threshold) == expected


@given(st.integers(1, 30), st.fractions(0, 100), st.sampled_from([50, 80, 90, 100]))
def test_points_never_exceed_the_maximum_and_grow_with_the_rate(max_points, rate, threshold):
    p = ix.points(max_points, rate, threshold)
    assert 0 <= p <= max_points
    assert ix.points(max_points, min(rate + 1, Fraction(100)), threshold) >= p
    assert (p == max_points) == (rate >= threshold)


# --- the rule table ------------------------------------------------------------------------------


def test_groups_add_up_to_100_and_each_group_to_its_maximum():
    assert sum(g.max_points for g in ix.GROUPS) == 100
    assert {g.code: g.max_points for g in ix.GROUPS} == {
        "transparency": 18, "progress": 20, "online": 22, "digitisation": 22, "satisfaction": 18,
    }
    for g in ix.GROUPS:
        assert sum(r.max_points for r in ix.RULES if r.group == g.code) == g.max_points, g.code


def test_thresholds_from_the_domain_rules():
    rules = {r.code: r for r in ix.RULES}
    assert rules["3.1"].threshold == 80   # procedures offered online
    assert rules["3.2"].threshold == 50   # dossiers received online
    assert rules["4.2"].threshold == 80   # digitisation
    assert rules["5.3"].threshold == 90   # satisfaction with procedures


def test_indicators_we_cannot_compute_are_listed_without_points():
    not_computable = {r.code for r in ix.RULES if not r.computable}
    assert not_computable == {"1.1", "1.2", "1.3", "3.3", "3.4", "4.3", "4.4", "4.5"}
    result = ix.score({k: 10 for k in ix.COUNT_KEYS})
    for code in not_computable:
        item = by_code(result)[code]
        assert item.rate is None and item.points is None
        assert item.rule.reason  # says why
    assert all(r.formula for r in ix.RULES if r.computable)


def test_every_rule_has_a_unique_code_and_a_known_group():
    codes = [r.code for r in ix.RULES]
    assert len(codes) == len(set(codes))
    assert {r.group for r in ix.RULES} == {g.code for g in ix.GROUPS}


# --- scoring from counts -------------------------------------------------------------------------

COUNTS = dict(
    received=9, early=1, on_time=1, pending_in_time=2, late=2, pending_late=3, online=4,
    decided=4, electronic_result=1, digitised=1, complained=3,
    procedures_published=3, procedures_online=2,
    feedback_due=3, feedback_on_time=1, feedback_rated=2, feedback_satisfied=1,
)


def test_score_of_the_october_fixture_counts():
    result = ix.score(COUNTS)
    items = by_code(result)
    expected = {
        "2.1": (Decimal("44.4"), Decimal("8.89")),
        "3.1": (Decimal("66.7"), Decimal("3.33")),
        "3.2": (Decimal("44.4"), Decimal("7.11")),
        "4.1": (Decimal("25.0"), Decimal("1.50")),
        "4.2": (Decimal("11.1"), Decimal("0.83")),
        "5.1": (Decimal("33.3"), Decimal("2.00")),
        "5.2": (Decimal("50.0"), Decimal("3.00")),
        "5.3": (Decimal("11.1"), Decimal("0.74")),
    }
    assert {c: (items[c].rate, items[c].points) for c in expected} == expected
    groups = {g.group.code: g for g in result.groups}
    assert groups["progress"].points == Decimal("8.89")
    assert groups["online"].points == Decimal("10.44")   # 10/3 + 64/9 = 94/9
    assert groups["online"].computable_max_points == 12
    assert groups["transparency"].points == Decimal("0.00") and groups["transparency"].computable_max_points == 0
    assert groups["digitisation"].points == Decimal("2.33")  # 3/2 + 5/6
    assert groups["satisfaction"].points == Decimal("5.74")  # 2 + 3 + 20/27
    # Summed exactly, rounded once: 80/9 + 10/3 + 64/9 + 3/2 + 5/6 + 2 + 3 + 20/27 = 740/27.
    assert result.points == Decimal("27.41")
    assert result.max_points == 100
    assert result.computable_max_points == 20 + 12 + 12 + 18
    assert result.scored_max_points == 62


def test_satisfaction_with_procedures_is_100_minus_late_and_complained_shares():
    item = by_code(ix.score({"received": 200, "late": 6, "pending_late": 4, "complained": 10}))["5.3"]
    assert item.rate == Decimal("90.0")          # 100 − (5% + 5%)
    assert item.points == Decimal("6.00")        # at the 90% threshold
    item = by_code(ix.score({"received": 100, "late": 20, "complained": 7}))["5.3"]
    assert item.rate == Decimal("73.0")
    assert item.points == Decimal("4.87")        # 6 × 73 ÷ 90
    # Overlapping shares cannot push the rate below zero.
    item = by_code(ix.score({"received": 10, "late": 8, "complained": 9}))["5.3"]
    assert item.rate == Decimal("0.0") and item.points == Decimal("0.00")


def test_zero_denominators_give_no_rate_and_no_points():
    result = ix.score({})
    for item in result.indicators:
        assert item.rate is None and item.points is None
    assert result.points == Decimal("0.00")
    assert result.scored_max_points == 0


def test_perfect_counts_give_every_computable_point():
    counts = dict(
        received=10, early=5, on_time=5, pending_in_time=0, online=10, decided=10, electronic_result=10,
        digitised=10, complained=0, procedures_published=4, procedures_online=4,
        feedback_due=2, feedback_on_time=2, feedback_rated=2, feedback_satisfied=2,
    )
    result = ix.score(counts)
    assert result.points == Decimal(result.computable_max_points).quantize(Decimal("0.01"))
    assert result.points == Decimal("62.00")


@given(st.dictionaries(st.sampled_from(sorted(ix.COUNT_KEYS)), st.integers(0, 1000)))
def test_totals_are_the_sum_of_the_parts_and_within_bounds(counts):
    result = ix.score(counts)
    assert 0 <= result.points <= result.scored_max_points <= result.computable_max_points <= 100
    for g in result.groups:
        assert 0 <= g.points <= g.scored_max_points <= g.group.max_points
        for item in g.indicators:
            if item.points is not None:
                assert 0 <= item.points <= item.rule.max_points
