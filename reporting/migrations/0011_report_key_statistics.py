"""Extended statistics of the reports' grouping keys (agency, procedure, channel), on PostgreSQL only.

The open dossiers of a running period are counted grouped by agency, procedure and channel (the live tail of
selectors._from_rollup_each). PostgreSQL multiplies the three columns' distinct counts to guess the groups: 53,876
for 2,563 at 10,000,000 dossiers, so it chose to sort the 80,720 open dossiers (spilling 7 MB to disk: 65 ms)
instead of hashing them (1 MB in memory). Their combined distinct count corrects the guess. ANALYZE fills it
(sampled: a few seconds on a large table); autovacuum keeps it current.
"""

from django.db import migrations

NAME = "dossier_report_keys"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME} (ndistinct) "
                              "ON agency_id, procedure_id, channel FROM dossiers_dossier")
        schema_editor.execute("ANALYZE dossiers_dossier")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0024_apology_facts_on_dossier"),
        ("reporting", "0010_feedback_report_cover"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
