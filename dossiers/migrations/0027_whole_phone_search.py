"""A whole phone number found from a btree, PostgreSQL only.

A search by phone was the trigram index of every dossier's phone (0021). A phone's trigrams are few (digits): a
whole number's 8 trigrams each sit in ~80,000 of 10,000,000 dossiers, so finding its one or two dossiers
intersected posting lists of that size (26-31 ms). A stored phone contains a query of its own length only when it
equals it, and never one longer than itself, so a query of 10 digits or more (a whole number) is found as "equal,
or longer and containing it" (dossiers.lists.search_q): the equality from a btree of the phones, the rest from a
trigram index of the few phones longer than ten characters (nearly all are normalised ten-digit mobiles).
A part of a number (4-9 digits) still reads the trigram index of 0021. Built CONCURRENTLY.
"""

from django.db import migrations

INDEXES = {
    "dossier_phone": "(applicant_phone)",
    "dossier_phone_long_trgm": "USING gin (applicant_phone gin_trgm_ops) WHERE length(applicant_phone) > 10",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, how in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON dossiers_dossier {how}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("dossiers", "0026_complained_fact_on_dossier")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
