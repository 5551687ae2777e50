"""The lateness forecast's pure rules (dossiers/forecast.py): hand-worked cases and properties."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dossiers import forecast as fc

hours = st.floats(min_value=0, max_value=400, allow_nan=False, allow_infinity=False)
quantiles = st.lists(hours, min_size=1, max_size=fc.ATOMS).map(sorted).map(tuple)
stats = st.builds(fc.StepStats, samples=st.integers(0, 500), quantiles=quantiles)
step_inputs = st.builds(
    fc.StepInput, name=st.sampled_from(["Tiếp nhận", "Thẩm định", "Phê duyệt"]), allowance_hours=hours,
    elapsed_hours=st.none(), agency=st.none() | stats, pooled=st.none() | stats,
)
remaining = st.tuples(step_inputs, st.none() | hours, st.lists(step_inputs, max_size=3)).map(
    lambda t: [fc.StepInput(t[0].name, t[0].allowance_hours, t[1], t[0].agency, t[0].pooled), *t[2]]
)


# --- hand-worked cases ---------------------------------------------------------------------------


def test_summarise_keeps_few_samples_and_takes_mid_quantiles_of_many():
    assert fc.summarise([3, 1, 2]) == [1, 2, 3]
    assert fc.summarise([]) == []
    points = fc.summarise(list(range(101)), atoms=4)  # mid-quantiles 12.5 %, 37.5 %, 62.5 %, 87.5 %
    assert points == pytest.approx([12.5, 37.5, 62.5, 87.5])


def test_one_step_is_its_tail():
    stats = fc.StepStats(20, tuple(float(h) for h in range(1, 21)))  # 1..20 hours, equally likely
    step = fc.StepInput("Thẩm định", 8, None, agency=stats)
    cfg = fc.Settings(shrink=0)  # no shrinkage: the agency's own figures only
    assert fc.forecast([step], 10, cfg).probability == pytest.approx(0.5)
    assert fc.forecast([step], 20, cfg).probability == 0
    assert fc.forecast([step], 0.5, cfg).probability == 1


def test_the_current_step_is_conditioned_on_its_elapsed_time():
    stats = fc.StepStats(20, tuple(float(h) for h in range(1, 21)))
    cfg = fc.Settings(shrink=0)
    # Ran 10 hours: the remaining time is 1..10 equally likely; 6 hours left → P(> 6) = 4/10.
    f = fc.forecast([fc.StepInput("Thẩm định", 8, 10, agency=stats)], 6, cfg)
    assert f.probability == pytest.approx(0.4)


def test_a_step_slower_than_every_case_still_needs_time():
    stats = fc.StepStats(10, (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0))
    rest = fc.residual(fc.equal_atoms(stats.quantiles), 50)
    assert min(rest.values) > 0
    f = fc.forecast([fc.StepInput("Thẩm định", 8, 50, agency=stats)], 0.01, fc.Settings(shrink=0))
    assert f.probability == 1


def test_two_steps_convolve_exactly():
    a = fc.StepStats(2, (1.0, 3.0))
    b = fc.StepStats(2, (2.0, 4.0))
    cfg = fc.Settings(min_samples=1, shrink=0)
    steps = [fc.StepInput("A", 1, None, agency=a), fc.StepInput("B", 1, None, agency=b)]
    # Sums 3, 5, 5, 7 equally likely.
    assert fc.forecast(steps, 4, cfg).probability == pytest.approx(0.75)
    assert fc.forecast(steps, 5, cfg).probability == pytest.approx(0.25)
    assert fc.forecast(steps, 7, cfg).probability == 0


def test_few_samples_fall_back_to_the_legal_time():
    few = fc.StepStats(3, (1.0, 1.0, 1.0))
    f = fc.forecast([fc.StepInput("Thẩm định", 16, None, agency=few)], 10)
    assert f.probability == 1  # the legal 16 hours do not fit in 10
    assert f.steps[0].basis == "legal"
    assert f.steps[0].typical_hours == 16


def test_shrinkage_weights_the_agency_by_its_samples():
    fast = fc.StepStats(15, (1.0,) * 15)
    cfg = fc.Settings(min_samples=5, shrink=5)
    f = fc.forecast([fc.StepInput("Thẩm định", 16, None, agency=fast)], 10, cfg)
    # 15 / (15 + 5) on the agency's 1 hour, the rest on the legal 16 hours.
    assert f.probability == pytest.approx(0.25)
    assert f.steps[0].basis == "agency" and f.steps[0].samples == 15


def test_the_pooled_figures_are_the_prior_of_a_small_agency():
    pooled = fc.StepStats(1000, (20.0,) * 20)
    f = fc.forecast([fc.StepInput("Thẩm định", 8, None, agency=fc.StepStats(2, (1.0, 1.0)), pooled=pooled)], 10)
    assert f.steps[0].basis == "pooled"
    assert f.probability > 0.99


def test_degenerate_cases():
    assert fc.forecast([], 5).probability == 0
    assert not fc.forecast([], -5).flagged
    step = fc.StepInput("Thẩm định", 0, None)
    assert fc.forecast([step], 1).probability == 0  # a zero legal time and no figures: nothing left
    assert fc.forecast([step], 0).probability == 1  # no time left and a step still open
    assert fc.forecast([fc.StepInput("Thẩm định", 4, 1)], -3).probability == 1


def test_the_explanation_names_the_current_step_and_the_hours():
    stats = fc.StepStats(40, (14.0,) * 20)
    f = fc.forecast([fc.StepInput("Thẩm định", 16, 2, agency=stats), fc.StepInput("Phê duyệt", 4)], 6)
    data = f.as_dict()
    assert data["steps"][0] == {"name": "Thẩm định", "typical_hours": pytest.approx(14.0), "basis": "agency",
                                "samples": 40, "elapsed_hours": 2}
    assert data["steps"][1]["basis"] == "legal"
    assert data["hours_left"] == 6
    assert f.flagged


def test_bad_distributions_are_refused():
    with pytest.raises(ValueError):
        fc.Dist((2.0, 1.0), (0.5, 0.5))
    with pytest.raises(ValueError):
        fc.Dist((1.0,), (0.5,))
    with pytest.raises(ValueError):
        fc.equal_atoms([])


# --- properties ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(remaining, hours, hours)
def test_probability_is_bounded_and_never_grows_with_more_hours_left(steps, h1, h2):
    lo, hi = sorted((h1, h2))
    p_lo = fc.forecast(steps, lo).probability
    p_hi = fc.forecast(steps, hi).probability
    assert 0 <= p_hi <= p_lo <= 1


@settings(max_examples=200, deadline=None)
@given(remaining, hours)
def test_the_flag_is_the_threshold(steps, h):
    cfg = fc.Settings(threshold=0.3)
    f = fc.forecast(steps, h, cfg)
    assert f.flagged == (f.probability >= 0.3)


@settings(max_examples=200, deadline=None)
@given(remaining)
def test_enough_hours_for_the_slowest_case_is_never_late(steps):
    # Longer than the sum of every step's largest possible value: no chance of being late.
    bound = 1.0
    for s in steps:
        values = [s.allowance_hours, *(s.agency.quantiles if s.agency else ()), *(s.pooled.quantiles if s.pooled else ())]
        bound += max(values) + max(values) * 0.1 + 0.1
    assert fc.forecast(steps, bound).probability == 0


@settings(max_examples=200, deadline=None)
@given(quantiles, st.integers(5, 500), hours, hours)
def test_more_elapsed_time_never_helps_a_step_with_a_tail(qs, n, elapsed, left):
    # With the agency's figures alone, P(finish after `left` | ran `elapsed`) is a tail of a residual:
    # a proper probability, and 1 once nothing is left.
    stats = fc.StepStats(n, qs)
    f = fc.forecast([fc.StepInput("A", 8, elapsed, agency=stats)], left, fc.Settings(shrink=0))
    assert 0 <= f.probability <= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(hours, min_size=1, max_size=300))
def test_summary_points_lie_within_the_samples_and_ascend(samples):
    points = fc.summarise(samples)
    assert points == sorted(points)
    assert min(samples) - 1e-9 <= points[0] and points[-1] <= max(samples) + 1e-9
    assert len(points) == min(len(samples), fc.ATOMS)


@settings(max_examples=200, deadline=None)
@given(quantiles, quantiles, st.integers(2, 64))
def test_convolution_preserves_the_range_and_weight(a, b, size):
    da, db = fc.equal_atoms(a), fc.equal_atoms(b)
    s = fc.convolve(da, db, size)
    assert abs(sum(s.weights) - 1) < 1e-6
    assert s.values[0] >= da.values[0] + db.values[0] - 1e-9
    assert s.values[-1] <= da.values[-1] + db.values[-1] + 1e-9
    assert len(s.values) <= max(size, len(da.values) * len(db.values))


@settings(max_examples=200, deadline=None)
@given(quantiles, hours)
def test_residual_is_positive(qs, elapsed):
    assume(qs)
    r = fc.residual(fc.equal_atoms(qs), elapsed)
    assert all(v > 0 for v in r.values)
    assert abs(sum(r.weights) - 1) < 1e-6


@settings(max_examples=100, deadline=None)
@given(remaining, hours)
def test_cached_later_sum_gives_the_same_answer(steps, h):
    later = fc.later_sum(steps[1:])
    assert fc.forecast(steps, h, later=later) == fc.forecast(steps, h)
