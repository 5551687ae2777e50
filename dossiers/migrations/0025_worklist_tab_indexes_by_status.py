"""The worklist tabs' indexes with the status in their key.

A tab is the rows of one agency waiting for a role in the tab's statuses (dossiers.worklists.tab_rows). The
indexes of 0023 were keyed by (agency, role, urgency), with the status only included: the desk officer's "cần xử
lý" (statuses 2 and 4) read the whole range of the desk officer's rows, most of them decided dossiers waiting to
be returned (status 9: 63,510 of them at a busy commune at 10,000,000 dossiers), to keep the 1,000 its badge
counts: 13 ms for a badge shown on every worklist page. Keyed by (agency, role, status, urgency), a tab reads only
its own statuses' ranges (1 ms); a tab of one role and one status keeps its urgency order from the index.

Built concurrently before the old ones are dropped (a live database always has an index for its tabs).
"""

import importlib

from django.db import migrations, models

before = importlib.import_module("dossiers.migrations.0023_visibility_worklists_and_names")

TAB_INDEXES = (
    models.Index(condition=models.Q(("todo_role__isnull", False)),
                 fields=["agency", "todo_role", "status", "urgency_at", "dossier"], include=["todo_user_id"],
                 name="visibility_tab"),
    models.Index(condition=models.Q(("todo_role__isnull", False), ("urgency_at__isnull", True)),
                 fields=["agency", "todo_role", "status", "dossier"], include=["todo_user_id"],
                 name="visibility_tab_rest"),
)


def _swap(apps, schema_editor, new, old):
    model = apps.get_model("dossiers", "DossierVisibility")
    postgres = schema_editor.connection.vendor == "postgresql"
    for index in new:
        if not postgres:
            schema_editor.add_index(model, index)
            continue
        before._drop_if_invalid(schema_editor, index.name)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [index.name])
            exists = cursor.fetchone()[0]
        if not exists:
            schema_editor.execute(index.create_sql(model, schema_editor, concurrently=True))
    for index in old:
        if postgres:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
        else:
            schema_editor.remove_index(model, index)


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, TAB_INDEXES, before.TODO_INDEXES)


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, before.TODO_INDEXES, TAB_INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0024_apology_facts_on_dossier"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(migrations.RemoveIndex(model_name="dossiervisibility", name=index.name)
                  for index in before.TODO_INDEXES),
                *(migrations.AddIndex(model_name="dossiervisibility", index=index) for index in TAB_INDEXES),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        ),
    ]
