from celery import shared_task


@shared_task
def rebuild_recent_report_months():
    """Nightly: the last two closed months again (late ratings and backdated actions)."""
    from . import rollup

    for m in rollup.recent_closed_months():
        rollup.rebuild_month(m)
    rollup.analyze()
