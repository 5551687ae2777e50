"""The lateness forecast (dự báo nguy cơ trễ hạn): pure rules, no Django.

For an open dossier, the chance that its remaining steps take longer than the working hours left until
its appointment, from how long the same steps took recently at the same agency.

Method
------
* A step's duration is a distribution of working hours, kept as weighted atoms (value, weight). The
  statistics table stores, per (procedure, step name, agency) and per (procedure, step name) over every
  agency, ``ATOMS`` equal-weight quantile points of the finished steps' durations of the last N days
  (``summarise``), so the table is small whatever the volume.
* Few samples do not make a distribution: below ``min_samples`` the agency's own figures are not used.
  Above it they are shrunk towards a prior with the weight ``n / (n + shrink)`` (a mixture): the prior is
  the same step at every agency when that has enough samples, else the step's legal time (its allowance,
  a point mass). A step with no usable figures at all takes its legal time.
* The current step has already run ``elapsed`` hours: its remaining time is the distribution conditional
  on being longer than that (``residual``). When every recent case was shorter, the dossier is already
  slower than anything seen: its remaining time is then taken as the excess over the median of the slow
  half of the cases (the empirical mean-residual spread), never zero.
* The remaining steps are assumed independent; their sum is an exact convolution of the atoms, reduced
  back to ``size`` quantile atoms after each step (``convolve``), and the last sum is not reduced: the
  probability is the exact weight of pairs whose total exceeds the hours left (``late_probability``).
  It is deterministic (no sampling), between 0 and 1, and never increases when the hours left grow.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

__all__ = [
    "ATOMS",
    "Dist",
    "Forecast",
    "Settings",
    "StepInput",
    "StepStats",
    "convolve",
    "forecast",
    "late_probability",
    "mixture",
    "point",
    "residual",
    "step_distribution",
    "summarise",
]

#: Quantile points stored per statistics row (the 2.5 %, 7.5 %, … 97.5 % points).
ATOMS = 20
_EPS = 1e-9


@dataclass(frozen=True)
class Dist:
    """A discrete distribution of working hours: values ascending, weights positive and summing to 1."""

    values: tuple[float, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values or len(self.values) != len(self.weights):
            raise ValueError("a distribution needs as many weights as values, at least one")
        if any(b < a for a, b in zip(self.values, self.values[1:], strict=False)):
            raise ValueError("values must be ascending")
        if any(w <= 0 for w in self.weights) or abs(sum(self.weights) - 1.0) > 1e-6:
            raise ValueError("weights must be positive and sum to 1")

    def tail(self, hours: float) -> float:
        """P(X > hours)."""
        i = bisect_right(self.values, hours)
        return max(0.0, min(1.0, sum(self.weights[i:])))

    def quantile(self, p: float) -> float:
        """The smallest value whose cumulative weight reaches p (p in [0, 1])."""
        total = 0.0
        for v, w in zip(self.values, self.weights, strict=True):
            total += w
            if total >= p - _EPS:
                return v
        return self.values[-1]

    @property
    def median(self) -> float:
        return self.quantile(0.5)


def _make(pairs: Iterable[tuple[float, float]]) -> Dist:
    """Merge equal values, drop zero weights, normalise."""
    merged: dict[float, float] = {}
    for v, w in pairs:
        if w > 0:
            merged[v] = merged.get(v, 0.0) + w
    if not merged:
        raise ValueError("empty distribution")
    total = sum(merged.values())
    values = tuple(sorted(merged))
    return Dist(values, tuple(merged[v] / total for v in values))


def point(hours: float) -> Dist:
    return Dist((max(0.0, float(hours)),), (1.0,))


def equal_atoms(values: Sequence[float]) -> Dist:
    if not values:
        raise ValueError("no values")
    return _make((max(0.0, float(v)), 1.0) for v in values)


def _reduce(dist: Dist, size: int) -> Dist:
    """``size`` equal-weight atoms at the mid-quantiles of `dist` (kept as is when already small)."""
    if len(dist.values) <= size:
        return dist
    cum = list(accumulate(dist.weights))
    out, j = [], 0
    for k in range(size):
        p = (k + 0.5) / size
        while j < len(cum) - 1 and cum[j] < p - _EPS:
            j += 1
        out.append(dist.values[j])
    return equal_atoms(out)


def summarise(samples: Sequence[float], atoms: int = ATOMS) -> list[float]:
    """The quantile points stored for a set of durations (hours): `atoms` mid-quantiles, or every sample
    when there are fewer, ascending."""
    if not samples:
        return []
    data = sorted(max(0.0, float(s)) for s in samples)
    if len(data) <= atoms:
        return data
    n = len(data)
    out = []
    for k in range(atoms):
        # Linear interpolation between order statistics at the mid-quantile (k + 0.5) / atoms.
        pos = (k + 0.5) / atoms * (n - 1)
        lo = int(pos)
        hi = min(lo + 1, n - 1)
        out.append(data[lo] + (data[hi] - data[lo]) * (pos - lo))
    return out


def mixture(parts: Sequence[tuple[Dist, float]]) -> Dist:
    """The mixture of distributions with the given weights (normalised)."""
    return _make((v, w * pw) for dist, w in parts if w > 0 for v, pw in zip(dist.values, dist.weights, strict=True))


def residual(dist: Dist, elapsed: float) -> Dist:
    """Remaining hours of a step that has run `elapsed` hours and is still open: X - elapsed | X > elapsed.

    When no value exceeds `elapsed` (slower than every recent case), the remaining time is the excess over
    the median among the values at or above it (at least a tenth of the median, at least a few minutes)."""
    elapsed = max(0.0, float(elapsed))
    above = [(v - elapsed, w) for v, w in zip(dist.values, dist.weights, strict=True) if v > elapsed]
    if above:
        return _make(above)
    med = dist.median
    floor = max(med * 0.1, 0.1)
    slow = [(max(v - med, floor), w) for v, w in zip(dist.values, dist.weights, strict=True) if v >= med]
    return _make(slow)


def convolve(a: Dist, b: Dist, size: int = 64) -> Dist:
    """The distribution of X + Y (independent), reduced to `size` quantile atoms."""
    pairs = ((x + y, wx * wy) for x, wx in zip(a.values, a.weights, strict=True)
             for y, wy in zip(b.values, b.weights, strict=True))
    return _reduce(_make(pairs), size)


def late_probability(current: Dist, later: Dist | None, hours_left: float) -> float:
    """P(current + later > hours_left), exact over the atoms (no reduction of the last sum)."""
    if later is None:
        return current.tail(hours_left)
    suffix = list(accumulate(reversed(later.weights)))[::-1] + [0.0]  # suffix[j] = P(later >= values[j])
    p = 0.0
    for x, wx in zip(current.values, current.weights, strict=True):
        j = bisect_right(later.values, hours_left - x)
        p += wx * suffix[j]
    return max(0.0, min(1.0, p))


@dataclass(frozen=True)
class StepStats:
    """A row of the statistics table: number of finished steps and their quantile points (hours)."""

    samples: int
    quantiles: tuple[float, ...]

    @property
    def median(self) -> float:
        return equal_atoms(self.quantiles).median if self.quantiles else 0.0


@dataclass(frozen=True)
class Settings:
    min_samples: int = 5
    shrink: float = 5.0
    threshold: float = 0.5
    size: int = 64


@dataclass(frozen=True)
class StepInput:
    """One remaining step: its name and legal time, the hours it has run if it is the current one (None for
    a step not started), and the statistics at its agency and over all agencies (None: none)."""

    name: str
    allowance_hours: float
    elapsed_hours: float | None = None
    agency: StepStats | None = None
    pooled: StepStats | None = None


@dataclass(frozen=True)
class StepBasis:
    """What a step's estimate rests on, for the explanation."""

    name: str
    typical_hours: float
    basis: str  # "agency", "pooled" or "legal"
    samples: int
    elapsed_hours: float | None


def _usable(stats: StepStats | None, cfg: Settings) -> bool:
    return stats is not None and stats.samples >= cfg.min_samples and bool(stats.quantiles)


def step_distribution(step: StepInput, cfg: Settings = Settings()) -> tuple[Dist, StepBasis]:
    """The step's full duration (not yet conditioned on its elapsed time) and what it rests on."""
    legal = point(step.allowance_hours)
    prior, basis, n = legal, "legal", 0
    if _usable(step.pooled, cfg):
        pooled = equal_atoms(step.pooled.quantiles)
        w = step.pooled.samples / (step.pooled.samples + cfg.shrink)
        prior, basis, n = mixture([(pooled, w), (legal, 1 - w)]), "pooled", step.pooled.samples
    dist = prior
    if _usable(step.agency, cfg):
        own = equal_atoms(step.agency.quantiles)
        w = step.agency.samples / (step.agency.samples + cfg.shrink)
        dist, basis, n = mixture([(own, w), (prior, 1 - w)]), "agency", step.agency.samples
    return dist, StepBasis(step.name, dist.median, basis, n, step.elapsed_hours)


@dataclass(frozen=True)
class Forecast:
    probability: float
    flagged: bool
    hours_left: float
    remaining_typical_hours: float  # median of the remaining time, all steps
    steps: tuple[StepBasis, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "probability": round(self.probability, 4),
            "hours_left": round(self.hours_left, 2),
            "remaining_typical_hours": round(self.remaining_typical_hours, 2),
            "steps": [
                {"name": s.name, "typical_hours": round(s.typical_hours, 2), "basis": s.basis, "samples": s.samples,
                 "elapsed_hours": None if s.elapsed_hours is None else round(s.elapsed_hours, 2)}
                for s in self.steps
            ],
        }


def later_sum(steps: Sequence[StepInput], cfg: Settings = Settings()) -> tuple[Dist | None, tuple[StepBasis, ...]]:
    """The summed duration of steps not started yet (None when there are none). Depends only on the steps'
    keys and statistics, so callers may cache it."""
    total: Dist | None = None
    bases = []
    for step in steps:
        dist, basis = step_distribution(step, cfg)
        bases.append(basis)
        total = dist if total is None else convolve(total, dist, cfg.size)
    return total, tuple(bases)


def forecast(steps: Sequence[StepInput], hours_left: float, cfg: Settings = Settings(),
             later: tuple[Dist | None, tuple[StepBasis, ...]] | None = None) -> Forecast:
    """The chance that the remaining `steps` (the current one first, with its elapsed hours, then the ones
    after) take more than `hours_left` working hours.

    No remaining step: nothing left to do, probability 0. Hours left ≤ 0 with work remaining: 1 (already
    late). `later` is `later_sum(steps[1:])` when the caller has it cached.
    """
    hours_left = float(hours_left)
    if not steps:
        return Forecast(0.0, False, hours_left, 0.0)
    first, rest = steps[0], steps[1:]
    dist, basis = step_distribution(first, cfg)
    current = residual(dist, first.elapsed_hours) if first.elapsed_hours is not None else dist
    later_dist, later_bases = later if later is not None else later_sum(rest, cfg)
    remaining = current if later_dist is None else convolve(current, later_dist, cfg.size)
    if hours_left <= 0:
        p = 1.0
    else:
        p = late_probability(current, later_dist, hours_left)
    return Forecast(p, p >= cfg.threshold, hours_left, remaining.median, (basis, *later_bases))
