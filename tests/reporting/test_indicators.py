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


def test_percent_in_integers_is_the_exact_fraction_rounded_half_up():
    """The integer shortcut gives the digits (and the exponent: "0.0", "100.0") of rounding the exact fraction."""
    for d in range(1, 401):
        for n in range(0, 2 * d + 1):
            exact = ix.round_half_up(Fraction(100 * n, d), 1)
            assert str(ix.percent(n, d)) == str(exact), (n, d)


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_percent_in_integers_holds_for_large_counts(n, d):
    assert str(ix.percent(n, d)) == str(ix.round_half_up(Fraction(100 * n, d), 1))


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


def test_points_per_indicator_exactly_as_domain_section_7():
    points = {r.code: r.max_points for r in ix.RULES if r.scored}
    assert points == {
        "1.1": 6, "1.2": 4, "1.3": 2, "1.4": 6,
        "2.1": 20,
        "3.3": 12, "3.5": 2, "3.5b": 2, "3.6": 6,
        "4.1": 6, "4.2": 4, "4.2b": 2, "4.3": 2, "4.4": 4, "4.5b": 2, "4.5a": 2,
        "5.2": 6, "5.3": 6, "5.4": 6,
    }
    # Published, without points: procedures offered online, share received online.
    assert {r.code: r.max_points for r in ix.RULES if not r.scored} == {"3.1": 0, "3.2": 0}
    rules = {r.code: r for r in ix.RULES}
    assert rules["5.4"].threshold == 90
    assert all(r.threshold == 100 for r in ix.RULES if r.scored and r.code != "5.4")
    assert all(r.formula or r.reason for r in ix.RULES)


def test_indicators_we_cannot_compute_are_listed_without_points():
    not_computable = {r.code for r in ix.RULES if not r.computable}
    assert not_computable == {"1.1", "1.2", "1.3", "3.5", "4.2b"}
    result = ix.score({k: 10 for k in ix.COUNT_KEYS})
    for code in not_computable:
        item = by_code(result)[code]
        assert item.rate is None and item.points is None and not item.computable
        assert item.rule.reason  # says why
    assert all(r.formula for r in ix.RULES if r.computable)


def test_sync_indicator_is_not_computable_without_a_sync_source():
    item = by_code(ix.score({"received": 10}))["1.4"]
    assert not item.computable and item.points is None and item.rule.reason
    item = by_code(ix.score({"received": 10, "synced": 0}))["1.4"]
    assert item.computable and item.rate == Decimal("0.0")
    item = by_code(ix.score({"received": 10, "synced": 8}))["1.4"]
    assert (item.rate, item.points) == (Decimal("80.0"), Decimal("4.80"))


def test_every_rule_has_a_unique_code_and_a_known_group():
    codes = [r.code for r in ix.RULES]
    assert len(codes) == len(set(codes))
    assert {r.group for r in ix.RULES} == {g.code for g in ix.GROUPS}


# --- scoring from counts -------------------------------------------------------------------------

COUNTS = dict(
    received=9, processed=10, national_in_time=5, national_late=5, online=4, eligible=3, fully_online_eligible=1,
    paid=2, paid_online=1, paper_decided=4, paper_electronic_result=1, digitised=1, reused=1, population=1,
    citizen_store=0, complained=3,
    procedures_published=3, procedures_online=2, procedures_with_fee=1, procedures_paid_online=1,
    procedures_population=0, feedback_due=3, feedback_on_time=1, feedback_rated=2, feedback_satisfied=1,
    feedback_handled=2, feedback_disliked=1, feedback_repeated=0, feedback_late=1,
)


def test_score_of_the_october_fixture_counts():
    result = ix.score(COUNTS)
    items = by_code(result)
    expected = {
        "2.1": (Decimal("50.0"), Decimal("10.00")),
        "3.1": (Decimal("66.7"), None),      # no points
        "3.2": (Decimal("44.4"), None),      # no points
        "3.3": (Decimal("33.3"), Decimal("4.00")),
        "3.5b": (Decimal("100.0"), Decimal("2.00")),
        "3.6": (Decimal("50.0"), Decimal("3.00")),
        "4.1": (Decimal("25.0"), Decimal("1.50")),
        "4.2": (Decimal("11.1"), Decimal("0.44")),
        "4.3": (Decimal("11.1"), Decimal("0.22")),
        "4.4": (Decimal("0.0"), Decimal("0.00")),
        "4.5b": (Decimal("11.1"), Decimal("0.22")),
        "4.5a": (Decimal("0.0"), Decimal("0.00")),  # none of the 3 procedures takes data from the population DB
        "5.2": (Decimal("33.3"), Decimal("2.00")),
        "5.3": (Decimal("0.0"), Decimal("0.00")),   # (2 − 1 disliked − 0 repeated − 1 late) ÷ 2
        "5.4": (Decimal("20.0"), Decimal("1.33")),  # 100 − (50% late + 30% complained), 6 × 20 ÷ 90
    }
    assert {c: (items[c].rate, items[c].points) for c in expected} == expected
    groups = {g.group.code: g for g in result.groups}
    assert groups["progress"].points == Decimal("10.00")
    assert groups["online"].points == Decimal("9.00")
    assert groups["online"].computable_max_points == 20
    assert groups["transparency"].points == Decimal("0.00") and groups["transparency"].computable_max_points == 0
    assert groups["digitisation"].points == Decimal("2.39")  # 3/2 + 4/9 + 2/9 + 2/9
    assert groups["satisfaction"].points == Decimal("3.33")  # 2 + 0 + 4/3
    # Summed exactly, rounded once: 10 + 9 + 3/2 + 8/9 + 2 + 4/3 = 24.72.
    assert result.points == Decimal("24.72")
    assert result.max_points == 100
    assert result.computable_max_points == 20 + 20 + 20 + 18
    assert result.scored_max_points == 78


def test_satisfaction_with_procedures_is_100_minus_late_and_complained_shares():
    item = by_code(ix.score({"processed": 200, "national_late": 10, "complained": 10}))["5.4"]
    assert item.rate == Decimal("90.0")          # 100 − (5% + 5%)
    assert item.points == Decimal("6.00")        # at the 90% threshold
    item = by_code(ix.score({"processed": 100, "national_late": 20, "complained": 7}))["5.4"]
    assert item.rate == Decimal("73.0")
    assert item.points == Decimal("4.87")        # 6 × 73 ÷ 90
    # Overlapping shares cannot push the rate below zero.
    item = by_code(ix.score({"processed": 10, "national_late": 8, "complained": 9}))["5.4"]
    assert item.rate == Decimal("0.0") and item.points == Decimal("0.00")


def test_satisfaction_with_complaint_handling_is_the_national_formula():
    counts = {"feedback_handled": 20, "feedback_disliked": 2, "feedback_repeated": 1, "feedback_late": 3}
    item = by_code(ix.score(counts))["5.3"]
    assert item.rate == Decimal("70.0")  # (20 − 2 − 1 − 3) ÷ 20
    assert item.points == Decimal("4.20")


def test_zero_denominators_give_no_rate_and_no_points():
    result = ix.score({})
    for item in result.indicators:
        assert item.rate is None and item.points is None
    assert result.points == Decimal("0.00")
    assert result.scored_max_points == 0


def test_perfect_counts_give_every_computable_point():
    counts = dict(
        received=10, processed=10, national_in_time=10, national_late=0, online=10, eligible=10,
        fully_online_eligible=10, paid=4, paid_online=4, paper_decided=10, paper_electronic_result=10, digitised=10,
        reused=10, population=10, citizen_store=10, complained=0, procedures_published=4, procedures_online=4,
        procedures_with_fee=2, procedures_paid_online=2, procedures_population=4, feedback_due=2, feedback_on_time=2, feedback_handled=2,
        feedback_disliked=0, feedback_repeated=0, feedback_late=0, synced=10,
    )
    result = ix.score(counts)
    assert result.points == Decimal(result.computable_max_points).quantize(Decimal("0.01"))
    assert result.points == Decimal("84.00")


@given(st.dictionaries(st.sampled_from(sorted(ix.COUNT_KEYS)), st.integers(0, 1000)))
def test_totals_are_the_sum_of_the_parts_and_within_bounds(counts):
    result = ix.score(counts)
    assert 0 <= result.points <= result.scored_max_points <= result.computable_max_points <= 100
    for g in result.groups:
        assert 0 <= g.points <= g.scored_max_points <= g.group.max_points
        for item in g.indicators:
            if item.points is not None:
                assert 0 <= item.points <= item.rule.max_points
