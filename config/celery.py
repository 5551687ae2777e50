"""The Celery app. Periodic tasks are declared here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def setup_periodic_tasks(sender, **kwargs):
    from django.conf import settings

    minutes = settings.SWEEP_INTERVAL_MINUTES
    sender.add_periodic_task(minutes * 60.0, sender.signature("dossiers.tasks.sweep_deadlines"), name="sweep deadlines")
    sender.add_periodic_task(60.0, sender.signature("notices.tasks.resend_stuck_notices"), name="resend stuck notices")
    sender.add_periodic_task(minutes * 60.0, sender.signature("citizens.tasks.sweep_feedback"), name="sweep feedback")
    sender.add_periodic_task(3600.0, sender.signature("citizens.tasks.send_booking_reminders"), name="booking reminders")
    sender.add_periodic_task(minutes * 60.0, sender.signature("assignments.tasks.sweep_tasks"), name="sweep tasks")
    sender.add_periodic_task(crontab(hour=7, minute=0, day_of_week=1), sender.signature("assignments.tasks.weekly_digest"), name="task digest")
    sender.add_periodic_task(settings.PAYMENT_RECONCILE_AFTER_MINUTES * 60.0,
                             sender.signature("payments.tasks.reconcile_payments"), name="reconcile payments")
    sender.add_periodic_task(settings.POSTAL_POLL_MINUTES * 60.0, sender.signature("postal.tasks.poll_postal_orders"),
                             name="poll postal orders")
    sender.add_periodic_task(settings.DVCQG_SWEEP_SECONDS, sender.signature("national.tasks.sweep_outbox"),
                             name="national sync sweeper")
    sender.add_periodic_task(6 * 3600.0, sender.signature("reporting.tasks.rebuild_recent_report_months"),
                             name="rebuild report months")
    sender.add_periodic_task(settings.FORECAST_REFRESH_MINUTES * 60.0, sender.signature("dossiers.tasks.refresh_forecast"),
                             name="lateness forecast")
