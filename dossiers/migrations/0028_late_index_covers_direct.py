"""The index of the rows that may be late covers `direct` too.

A desk officer's or a commune's scope is its agency's direct rows (dossiers.visibility.Key). `late=true` is
`late_from <= now` on the rows of `visibility_may_be_late` (0019), which held `late_from` but not `direct`: the
list's capped count read each row from the table to check `direct` (10,001 table reads for a busy commune at
10,000,000 dossiers, 15-20 ms of PostgreSQL per page). `visibility_late` holds both: the count is index-only.

Built concurrently before the old one is dropped (a live database always has an index for the late filter).
"""

import importlib

from django.db import migrations, models

tabs = importlib.import_module("dossiers.migrations.0025_worklist_tab_indexes_by_status")

OLD = (models.Index(fields=["agency", "dossier"], condition=models.Q(late_from__isnull=False),
                    name="visibility_may_be_late", include=["late_from"]),)
NEW = (models.Index(fields=["agency", "dossier"], condition=models.Q(late_from__isnull=False),
                    name="visibility_late", include=["late_from", "direct"]),)


def forwards(apps, schema_editor):
    tabs._swap(apps, schema_editor, NEW, OLD)


def backwards(apps, schema_editor):
    tabs._swap(apps, schema_editor, OLD, NEW)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0027_whole_phone_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="dossiervisibility", name="visibility_may_be_late"),
                migrations.AddIndex(model_name="dossiervisibility", index=NEW[0]),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        ),
    ]
