"""A partial index of the complaints (feedback with `is_complaint`) by dossier, on PostgreSQL only.

The 766 index counts the dossiers complained about (`complained`: a dissatisfied rating or a complaint). For the
dossiers open at a period's end PostgreSQL hashes the complaints once, and it read them from the whole feedback
table (every piece of feedback, a seq scan of 443 pages at 1,000,000 dossiers, ten times that at 10,000,000).
With this index it reads only the complaints' dossier ids, from the index alone, as reporting/0007 does for the
dissatisfied ratings. Built CONCURRENTLY.
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
