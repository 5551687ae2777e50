"""A small partial index of the components not yet scanned, on PostgreSQL only.

The digitisation rate (766, indicator 4.2) counts dossiers with no unscanned component. Without this
index PostgreSQL reads the whole component table (2,000,000 rows at 1,000,000 dossiers) to find the
few unscanned ones; with it, it reads only those (~7%). Kept with the reports, like 0001.
"""

from django.db import migrations

INDEX = "reporting_component_unscanned"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON dossiers_dossiercomponent (dossier_id) WHERE file = ''"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("reporting", "0001_dossier_report_index"), ("dossiers", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
