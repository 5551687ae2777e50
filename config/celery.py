"""The Celery app. Periodic tasks are declared here, in one place."""

import os

from celery import Celery

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
    sender.add_periodic_task(6 * 3600.0, sender.signature("reporting.tasks.rebuild_recent_report_months"),
                             name="rebuild report months")
