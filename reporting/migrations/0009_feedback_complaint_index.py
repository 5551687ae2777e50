"""A partial index of the complaints (feedback with `is_complaint`) by dossier, on PostgreSQL only.

The 766's repeated complaints (selectors.feedback_counts: a complaint about a dossier already complained about)
look up, for each complaint answered in the period, the earlier complaints about the same dossier: a probe of
this index, which holds only the complaints (the whole feedback table's dossier index held every piece of
feedback). Built CONCURRENTLY.
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
