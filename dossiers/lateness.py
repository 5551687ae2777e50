"""The lateness forecast's upkeep and reads: the step statistics, the risk row of each open dossier, the
flag on the staff pages and the count on the managers' dashboard (the estimator is `dossiers.forecast`).

`refresh_forecast` (the periodic task `dossiers.tasks.refresh_forecast` and the command
`refresh_forecast`) rebuilds the statistics from the steps finished in the last FORECAST_WINDOW_DAYS days,
then writes one `DossierRisk` row per open dossier and removes the rows of dossiers no longer open. The
pages read those rows, one query per page (`attach_risks`); the dossier page computes its own dossier's
risk afresh (`risk_now`, a few queries), so an action's effect shows at once there.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from worktime import clock
from worktime.services import calendar_for

from . import forecast as fc
from .models import Dossier, DossierRisk, Status, Step, StepDurationStat

log = logging.getLogger(__name__)

#: The statuses whose dossiers get a forecast: received and running. A dossier waiting for the applicant
#: (5) is never late while it waits, and its clock restarts when the documents arrive.
FORECAST_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_REQUESTED)
#: Steps closed by these outcomes were cut short: their durations say nothing about the step.
_CUT_SHORT = (Status.REFUSED, Status.WITHDRAWAL_REQUESTED, Status.STOPPED)


def config() -> fc.Settings:
    return fc.Settings(min_samples=settings.FORECAST_MIN_SAMPLES, shrink=settings.FORECAST_SHRINK,
                       threshold=settings.FORECAST_THRESHOLD)


class Hours:
    """Working hours between two instants on an agency's calendar (calendars fetched once per agency)."""

    def __init__(self):
        self._calendars: dict = {}

    def calendar(self, agency_id):
        cal = self._calendars.get(agency_id)
        if cal is None:
            cal = self._calendars[agency_id] = calendar_for(agency_id)
        return cal

    def between(self, a: datetime, b: datetime, agency_id) -> float:
        """Signed: negative when `b` is before `a`."""
        cal = self.calendar(agency_id)
        if b >= a:
            return clock.working_seconds_between(a, b, cal) / 3600
        return -clock.working_seconds_between(b, a, cal) / 3600


# --- statistics ----------------------------------------------------------------------------------------


StatKey = tuple[int, str, int | None]  # (procedure id, step name, agency id or None for every agency)


def stats_from_durations(durations: Iterable[tuple[int, str, int, float]]) -> dict[StatKey, fc.StepStats]:
    """(procedure, step name, agency, hours) → the statistics per agency and over every agency."""
    groups: dict[StatKey, list[float]] = defaultdict(list)
    for procedure_id, name, agency_id, hours in durations:
        groups[(procedure_id, name, agency_id)].append(hours)
        groups[(procedure_id, name, None)].append(hours)
    return {key: fc.StepStats(len(values), tuple(fc.summarise(values))) for key, values in groups.items()}


def finished_step_rows(since: datetime, until: datetime):
    """The steps finished in [since, until) whose duration tells how long the step takes: not cut short by
    a refusal, stop or withdrawal, and of dossiers never asked for a supplement (their steps include the
    applicant's waiting time)."""
    return (Step.objects.filter(finished_at__gte=since, finished_at__lt=until, started_at__isnull=False)
            .exclude(dossier__status__in=_CUT_SHORT).filter(dossier__supplement_count=0)
            .values_list("dossier__procedure_id", "name", "agency_id", "started_at", "finished_at")
            .order_by().iterator(chunk_size=5000))


def refresh_step_stats(now: datetime | None = None) -> int:
    """Rebuild the statistics table from the last FORECAST_WINDOW_DAYS days; returns the rows written."""
    now = now or timezone.now()
    hours = Hours()
    since = now - timedelta(days=settings.FORECAST_WINDOW_DAYS)
    stats = stats_from_durations(
        (procedure_id, name, agency_id, hours.between(started, finished, agency_id))
        for procedure_id, name, agency_id, started, finished in finished_step_rows(since, now)
    )
    rows = [StepDurationStat(procedure_id=p, step_name=name, agency_id=a, samples=s.samples,
                             quantiles=list(s.quantiles), median_hours=s.median, computed_at=now)
            for (p, name, a), s in stats.items()]
    with transaction.atomic():
        StepDurationStat.objects.all().delete()
        StepDurationStat.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def load_stats() -> dict[StatKey, fc.StepStats]:
    return {(p, name, a): fc.StepStats(n, tuple(q)) for p, name, a, n, q in
            StepDurationStat.objects.values_list("procedure_id", "step_name", "agency_id", "samples", "quantiles")}


# --- one dossier's forecast ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenStep:
    order: int
    name: str
    agency_id: int
    allowance_seconds: int
    started_at: datetime | None


def remaining_steps(steps: Iterable[OpenStep]) -> list[OpenStep]:
    """The current step (started, not finished; the latest such) and the steps after it not started yet;
    without a current step, every step not started. `steps` are the dossier's unfinished steps."""
    steps = sorted(steps, key=lambda s: s.order)
    started = [s for s in steps if s.started_at is not None]
    if started:
        current = started[-1]
        return [current, *(s for s in steps if s.started_at is None and s.order > current.order)]
    return steps


class Forecaster:
    """Forecasts for many dossiers against one statistics snapshot, caching the sums of later steps."""

    def __init__(self, stats: dict[StatKey, fc.StepStats], cfg: fc.Settings | None = None, hours: Hours | None = None):
        self.stats = stats
        self.cfg = cfg or config()
        self.hours = hours or Hours()
        self._later: dict = {}

    def _input(self, procedure_id: int, step: OpenStep, now: datetime) -> fc.StepInput:
        elapsed = None
        if step.started_at is not None:
            elapsed = max(self.hours.between(step.started_at, now, step.agency_id), 0.0)
        return fc.StepInput(step.name, step.allowance_seconds / 3600, elapsed,
                            agency=self.stats.get((procedure_id, step.name, step.agency_id)),
                            pooled=self.stats.get((procedure_id, step.name, None)))

    def forecast(self, *, procedure_id: int, agency_id: int, appointment_at: datetime, steps: Iterable[OpenStep],
                 now: datetime) -> fc.Forecast:
        remaining = remaining_steps(steps)
        inputs = [self._input(procedure_id, s, now) for s in remaining]
        later_key = (procedure_id, tuple((s.name, s.agency_id, s.allowance_seconds) for s in remaining[1:]))
        later = self._later.get(later_key)
        if later is None:
            later = self._later[later_key] = fc.later_sum(inputs[1:], self.cfg)
        hours_left = self.hours.between(now, appointment_at, agency_id)
        return fc.forecast(inputs, hours_left, self.cfg, later=later)


def _open_steps(dossier_ids) -> dict[int, list[OpenStep]]:
    by_dossier: dict[int, list[OpenStep]] = defaultdict(list)
    rows = (Step.objects.filter(dossier_id__in=dossier_ids, finished_at__isnull=True).order_by()
            .values_list("dossier_id", "order", "name", "agency_id", "allowance_seconds", "started_at"))
    for dossier_id, order, name, agency_id, allowance, started in rows:
        by_dossier[dossier_id].append(OpenStep(order, name, agency_id, allowance, started))
    return by_dossier


def open_dossiers():
    return Dossier.objects.filter(status__in=FORECAST_STATUSES, finished_at__isnull=True, appointment_at__isnull=False)


@dataclass
class RefreshCounts:
    stats: int = 0
    dossiers: int = 0
    flagged: int = 0
    removed: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"stats": self.stats, "dossiers": self.dossiers, "flagged": self.flagged, "removed": self.removed,
                "seconds": round(self.seconds, 2)}


def refresh_risks(now: datetime | None = None, *, batch: int = 2000) -> RefreshCounts:
    """One risk row per open dossier, against the statistics as they are; rows of dossiers no longer open
    removed."""
    now = now or timezone.now()
    counts = RefreshCounts()
    forecaster = Forecaster(load_stats())
    ids = list(open_dossiers().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        steps = _open_steps(chunk)
        rows = []
        for pk, procedure_id, agency_id, appointment_at in (
                Dossier.objects.filter(pk__in=chunk).values_list("pk", "procedure_id", "agency_id", "appointment_at")):
            f = forecaster.forecast(procedure_id=procedure_id, agency_id=agency_id, appointment_at=appointment_at,
                                    steps=steps.get(pk, ()), now=now)
            rows.append(DossierRisk(dossier_id=pk, probability=f.probability, flagged=f.flagged,
                                    explanation=f.as_dict(), appointment_at=appointment_at, computed_at=now))
            counts.flagged += f.flagged
        DossierRisk.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["dossier"],
            update_fields=["probability", "flagged", "explanation", "appointment_at", "computed_at"],
        )
        counts.dossiers += len(rows)
    counts.removed, _detail = DossierRisk.objects.exclude(dossier__in=open_dossiers()).delete()
    return counts


def refresh_forecast(now: datetime | None = None) -> RefreshCounts:
    """The periodic upkeep: the statistics, then every open dossier's risk."""
    t0 = time.perf_counter()
    now = now or timezone.now()
    stats = refresh_step_stats(now)
    counts = refresh_risks(now)
    counts.stats = stats
    counts.seconds = time.perf_counter() - t0
    log.info("lateness forecast refreshed: %s", counts.as_dict())
    return counts


# --- reads ----------------------------------------------------------------------------------------------


def is_open(dossier) -> bool:
    return (dossier.status in FORECAST_STATUSES and dossier.finished_at is None
            and dossier.appointment_at is not None)


def _shown(dossier, risk: DossierRisk | None) -> DossierRisk | None:
    """A stored risk counts only while it still describes the dossier: open, same appointment."""
    if risk is None or not is_open(dossier) or risk.appointment_at != dossier.appointment_at:
        return None
    return risk


def attach_risks(rows) -> None:
    """Set `at_risk` (flagged and not late yet), `risk_probability` and `risk_text` on each dossier of a page:
    one query."""
    rows, now = list(rows), timezone.now()
    ids = [d.pk for d in rows if is_open(d)]
    found = {r.dossier_id: r for r in DossierRisk.objects.filter(dossier_id__in=ids)} if ids else {}
    for d in rows:
        risk = _shown(d, found.get(d.pk))
        d.at_risk = bool(risk and risk.flagged and d.appointment_at > now)
        d.risk_probability = risk.probability if risk else None
        d.risk_text = explain(risk.explanation) if d.at_risk else ""


def risk_now(dossier, now: datetime | None = None) -> fc.Forecast | None:
    """The dossier's forecast computed now from the stored statistics of its steps (the dossier page)."""
    if not is_open(dossier):
        return None
    now = now or timezone.now()
    steps = _open_steps([dossier.pk]).get(dossier.pk, [])
    names = {s.name for s in steps}
    stats = {(p, n, a): fc.StepStats(s, tuple(q)) for p, n, a, s, q in StepDurationStat.objects.filter(
        procedure_id=dossier.procedure_id, step_name__in=names,
    ).values_list("procedure_id", "step_name", "agency_id", "samples", "quantiles")}
    return Forecaster(stats).forecast(procedure_id=dossier.procedure_id, agency_id=dossier.agency_id,
                                      appointment_at=dossier.appointment_at, steps=steps, now=now)


def at_risk_count(agency_ids: Iterable[int] | None, *, field_id: int | None = None,
                  procedure_id: int | None = None) -> int:
    """Open dossiers flagged at risk and not late yet, received by one of `agency_ids` (None: all)."""
    qs = DossierRisk.objects.filter(flagged=True, dossier__status__in=FORECAST_STATUSES,
                                    dossier__finished_at__isnull=True,
                                    dossier__appointment_at__gt=timezone.now()).filter(
        appointment_at=F("dossier__appointment_at"))
    if agency_ids is not None:
        qs = qs.filter(dossier__agency_id__in=sorted(agency_ids))
    if field_id is not None:
        qs = qs.filter(dossier__procedure__field_id=field_id)
    if procedure_id is not None:
        qs = qs.filter(dossier__procedure_id=procedure_id)
    return qs.count()


def _hours(value: float) -> str:
    from django.utils.formats import number_format

    rounded = round(value, 1)
    return number_format(rounded, 0 if rounded == int(rounded) else 1)


def explain(data: dict) -> str:
    """The sentence under the flag, e.g. "Bước Thẩm định thường mất 14 giờ làm việc; còn 6 giờ làm việc
    đến hạn", from a risk row's explanation data (the active language)."""
    steps = data.get("steps") or []
    left = max(float(data.get("hours_left", 0)), 0.0)
    left_text = _("còn %(hours)s giờ làm việc đến hạn") % {"hours": _hours(left)}
    if not steps:
        return left_text
    first = steps[0]
    text = _("Bước %(step)s thường mất %(hours)s giờ làm việc") % {"step": first["name"],
                                                                   "hours": _hours(first["typical_hours"])}
    if first.get("elapsed_hours"):
        text += _(" (đã xử lý %(hours)s giờ)") % {"hours": _hours(first["elapsed_hours"])}
    later = steps[1:]
    if later:
        later_hours = sum(s["typical_hours"] for s in later)
        text += ngettext("; %(count)d bước sau thường mất thêm %(hours)s giờ",
                         "; %(count)d bước sau thường mất thêm %(hours)s giờ", len(later)) % {
            "count": len(later), "hours": _hours(later_hours)}
    basis = {"legal": _("theo thời gian quy định"), "pooled": _("theo số liệu của mọi cơ quan")}.get(first["basis"])
    if basis:
        text += f" ({basis})"
    return f"{text}; {left_text}"
