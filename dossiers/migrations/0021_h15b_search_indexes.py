"""The staff search's indexes (dossiers.lists.search_q), PostgreSQL only (h15b).

Trigram (pg_trgm, GIN) indexes for "contains" on the folded applicant name (`applicant_search`) and the
normalised phone; btrees with pattern operator classes for the beginning and the end (`reverse(code)`) of a
code and the beginning of an ID number (a code's
trigrams, "000", ".01", "H01", are shared by every dossier of a province: a trigram index cannot narrow
them). Not in the models' Meta: SQLite (the quick start) has neither. Idempotent.
"""

from django.db import migrations

INDEXES = {
    "dossier_name_trgm": "USING gin (applicant_search gin_trgm_ops)",
    "dossier_phone_trgm": "USING gin (applicant_phone gin_trgm_ops)",
    "dossier_code_prefix": "(code varchar_pattern_ops)",
    "dossier_code_suffix": "((reverse(code)) text_pattern_ops)",
    "dossier_id_number_prefix": "(applicant_id_number varchar_pattern_ops)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, how in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON dossiers_dossier {how}")
    schema_editor.execute("ANALYZE dossiers_dossier")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0020_h15b_normalise_phones")]

    operations = [migrations.RunPython(forwards, backwards)]
