"""Fill the report facts of dossiers received before 0007 (h10).

receipt_due_at: the appointment before any apology moved it (the apology's old date), else the appointment.
portal_due_at: the first appointment plus the working time spent waiting for supplements (worktime clock).
Reversible: the columns are simply cleared.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def forwards(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Apology = apps.get_model("dossiers", "Apology")
    old = Apology.objects.filter(dossier_id=OuterRef("pk")).values("old_appointment_at")[:1]
    received = Dossier.objects.filter(received_at__isnull=False)
    received.update(receipt_due_at=Coalesce(Subquery(old), F("appointment_at")))
    received.filter(supplement_wait_seconds=0).update(
        portal_due_at=Coalesce(F("original_appointment_at"), F("receipt_due_at")))
    waited = received.filter(supplement_wait_seconds__gt=0, original_appointment_at__isnull=False)
    if waited.exists():
        from worktime.services import add_working_hours

        for d in waited.only("id", "agency_id", "original_appointment_at", "supplement_wait_seconds").iterator():
            due = add_working_hours(d.original_appointment_at, d.supplement_wait_seconds / 3600, d.agency_id)
            Dossier.objects.filter(pk=d.pk).update(portal_due_at=due)


def backwards(apps, schema_editor):
    apps.get_model("dossiers", "Dossier").objects.update(receipt_due_at=None, portal_due_at=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0012_h10_report_facts")]

    operations = [migrations.RunPython(forwards, backwards)]
