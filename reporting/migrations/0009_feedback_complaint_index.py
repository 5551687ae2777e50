"""A partial index of the complaints (feedback with `is_complaint`) by dossier, on PostgreSQL only.

A complaint about a dossier repeats an earlier one when the dossier was complained about before (the 766's 5.3):
`citizens.services.feedback.submit_feedback` asks it when the complaint arrives (Feedback.is_repeat), and
citizens/0007 asked it of every existing complaint. This index holds only the complaints (the feedback table's
own dossier index holds every piece of feedback). Built CONCURRENTLY.
"""

from django.db import migrations

INDEX = "report_feedback_complaint"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON citizens_feedback (dossier_id) "
                              "WHERE is_complaint")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("citizens", "0002_feedback_rating"),
        ("reporting", "0008_open_cover_apology_facts"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
