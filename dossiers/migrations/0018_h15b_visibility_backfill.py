"""Fill the visibility fact for the dossiers that existed before 0014 (h15b).

Batched by dossier id (`dossiers_visibility_backfill`, one transaction per batch, so that 10 million dossiers
are neither one huge transaction nor a long lock; the triggers of 0014 already keep new and changed dossiers,
and a batch only adds what is missing). Indexes other than the primary key come after (0016): building them
once is much cheaper than keeping them during the load. Idempotent: run again, it adds nothing.
"""

from django.db import migrations

BATCH = 250_000


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM dossiers_dossier")
        first, last = cursor.fetchone()
    if first is None:
        return
    start = first
    while start <= last:
        with connection.cursor() as cursor:
            cursor.execute("SELECT dossiers_visibility_backfill(%s, %s)", [start, start + BATCH - 1])
        if not connection.get_autocommit():
            connection.commit()
        start += BATCH
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_visibility")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_visibility")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("dossiers", "0017_h15b_visibility")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
