"""Prometheus metrics: the HTTP traffic of this process and the domain gauges an operator watches.

The domain gauges (outbox depth and age by channel, failed notices, dossiers late now, how the periodic
tasks last ran) are read from the database when the endpoint is scraped, so they are the same whichever
node answers, and cached for `METRICS_CACHE_SECONDS` so several scrapers cost one set of queries.
Under gunicorn with several workers, set `PROMETHEUS_MULTIPROC_DIR` so the HTTP counters of every worker
are summed (prometheus_client's multiprocess mode).
"""

import logging
import os
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

HTTP_DURATION = Histogram(
    "motcua_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, URL pattern and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_CACHE_KEY = "operations:domain-metrics:v1"
access_log = logging.getLogger("motcua.access")


def domain_samples() -> dict:
    """The domain figures as plain data (also what the tests check)."""
    from dossiers.models import Dossier
    from notices.models import Notice, NoticeStatus

    from .models import TaskRunStat

    now = timezone.now()
    queued = {
        row["channel"]: row
        for row in Notice.objects.filter(status=NoticeStatus.QUEUED).values("channel")
        .annotate(n=Count("id"), oldest=Min("created_at")).order_by()
    }
    failed = dict(
        Notice.objects.filter(status=NoticeStatus.FAILED).values_list("channel").annotate(n=Count("id")).order_by()
    )
    late_open = Dossier.objects.filter(finished_at__isnull=True, is_late=True).count()
    national = {"changes": 0, "dossiers": 0, "oldest_age_s": 0.0, "failing_dossiers": 0}
    if apps.is_installed("national"):
        from national.models import OutboxEntry

        backlog = OutboxEntry.objects.filter(sent_at__isnull=True).aggregate(
            changes=Count("id"), dossiers=Count("dossier_id", distinct=True), oldest=Min("created_at"),
            failing=Count("dossier_id", distinct=True, filter=Q(attempts__gt=0)))
        national = {"changes": backlog["changes"], "dossiers": backlog["dossiers"],
                    "oldest_age_s": (now - backlog["oldest"]).total_seconds() if backlog["oldest"] else 0.0,
                    "failing_dossiers": backlog["failing"]}
    tasks = [
        {"task": t.task_name, "duration_s": t.last_duration_ms / 1000, "started": t.last_started_at.timestamp(),
         "ok": t.last_ok, "runs": t.runs, "failures": t.failures, "result": t.last_result}
        for t in TaskRunStat.objects.all()
    ]
    return {
        "outbox_queued": {ch: row["n"] for ch, row in queued.items()},
        "outbox_oldest_age_s": {ch: (now - row["oldest"]).total_seconds() for ch, row in queued.items()},
        "notices_failed": failed,
        "dossiers_late_open": late_open,
        "national_sync": national,
        "tasks": tasks,
    }


class DomainCollector:
    def __init__(self, samples: dict):
        self.samples = samples

    def collect(self):
        s = self.samples
        depth = GaugeMetricFamily("motcua_outbox_queued", "Notices waiting in the outbox, by channel.", labels=["channel"])
        age = GaugeMetricFamily("motcua_outbox_oldest_age_seconds", "Age of the oldest queued notice, by channel.",
                                labels=["channel"])
        failed = GaugeMetricFamily("motcua_notices_failed", "Notices that failed for good, by channel.",
                                   labels=["channel"])
        for channel in sorted(set(s["outbox_queued"]) | set(s["notices_failed"]) | {"email", "sms", "in_app"}):
            depth.add_metric([channel], s["outbox_queued"].get(channel, 0))
            age.add_metric([channel], s["outbox_oldest_age_s"].get(channel, 0))
            failed.add_metric([channel], s["notices_failed"].get(channel, 0))
        yield depth
        yield age
        yield failed
        yield GaugeMetricFamily("motcua_dossiers_late_open", "Open dossiers past their appointment now.",
                                value=s["dossiers_late_open"])
        sync = s["national_sync"]
        yield GaugeMetricFamily("motcua_national_sync_backlog", "Changes waiting to be sent to the national portal.",
                                value=sync["changes"])
        yield GaugeMetricFamily("motcua_national_sync_backlog_dossiers", "Dossiers with changes waiting to be sent.",
                                value=sync["dossiers"])
        yield GaugeMetricFamily("motcua_national_sync_oldest_age_seconds",
                                "Age of the oldest change waiting for the national portal.", value=sync["oldest_age_s"])
        yield GaugeMetricFamily("motcua_national_sync_failing_dossiers",
                                "Dossiers whose next change to the national portal has failed at least once.",
                                value=sync["failing_dossiers"])
        duration = GaugeMetricFamily("motcua_task_last_duration_seconds", "Duration of the last run of a periodic task.",
                                     labels=["task"])
        started = GaugeMetricFamily("motcua_task_last_run_timestamp_seconds", "When the last run of a periodic task began.",
                                    labels=["task"])
        ok = GaugeMetricFamily("motcua_task_last_ok", "1 if the last run of a periodic task succeeded.", labels=["task"])
        runs = GaugeMetricFamily("motcua_task_runs", "Runs of a periodic task recorded.", labels=["task"])
        failures = GaugeMetricFamily("motcua_task_failures", "Failed runs of a periodic task recorded.", labels=["task"])
        flagged = GaugeMetricFamily("motcua_sweep_last_flagged", "What the last deadline sweep flagged, by kind.",
                                    labels=["kind"])
        for t in s["tasks"]:
            duration.add_metric([t["task"]], t["duration_s"])
            started.add_metric([t["task"]], t["started"])
            ok.add_metric([t["task"]], 1 if t["ok"] else 0)
            runs.add_metric([t["task"]], t["runs"])
            failures.add_metric([t["task"]], t["failures"])
            if t["task"] == "dossiers.tasks.sweep_deadlines" and isinstance(t["result"], dict):
                for kind, value in sorted(t["result"].items()):
                    if isinstance(value, int):
                        flagged.add_metric([kind], value)
        yield from (duration, started, ok, runs, failures, flagged)


def cached_domain_samples() -> dict:
    samples = cache.get(_CACHE_KEY)
    if samples is None:
        samples = domain_samples()
        cache.set(_CACHE_KEY, samples, settings.METRICS_CACHE_SECONDS)
    return samples


def render() -> bytes:
    """The text exposition: this process's (or every worker's) HTTP metrics, then the domain gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        http = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        http = generate_latest(REGISTRY)
    domain = CollectorRegistry()
    domain.register(DomainCollector(cached_domain_samples()))
    return http + generate_latest(domain)


class MetricsMiddleware:
    """Times every request under its URL pattern (never the raw path, which would hold dossier codes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = ((match.route or match.view_name) if match else "unmatched")[:100]
        elapsed = time.perf_counter() - start
        HTTP_DURATION.labels(request.method, route, str(response.status_code)).observe(elapsed)
        # One access line per request (JSON in production): the URL pattern, never the path with its codes.
        access_log.info("%s %s %s", request.method, route, response.status_code, extra={
            "method": request.method, "route": route, "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1)})
        return response
