"""The covering index of the unfinished dossiers (reporting/0007) with the apology's facts (dossiers/0024) and
when the dossier was first complained about (dossiers/0026).

A report of a running period counts every dossier still open at its end, and asks of each whether it was
apologised for and whether the apology's new date has passed (the open parts of `apologised_late` and
`apology_missed`). With `apologised_at` and `apology_due_at` in the index, PostgreSQL still answers the open
dossiers from the index alone, now without a probe of the apologies per dossier; with `complained_at`, the
766's count of the dossiers complained about needs no probe of the ratings and the feedback either. Built
CONCURRENTLY beside the old one, which is dropped after, so that a live database keeps an index for its reports
throughout.
"""

import importlib

from django.db import migrations

before = importlib.import_module("reporting.migrations.0007_hr_open_cover_index")

INDEX = "report_open_facts"
COLUMNS = before.COLUMNS + ", apologised_at, apology_due_at, complained_at"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON dossiers_dossier (received_at) "
                          f"INCLUDE ({COLUMNS}) WHERE {before.WHERE}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {before.INDEX}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {before.INDEX} ON dossiers_dossier (received_at) "
                          f"INCLUDE ({before.COLUMNS}) WHERE {before.WHERE}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0026_complained_fact_on_dossier"),
        ("reporting", "0007_hr_open_cover_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
