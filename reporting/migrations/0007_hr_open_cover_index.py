"""A covering index of the unfinished dossiers and an index of the dissatisfied ratings, on PostgreSQL only.

A report of a running period counts every dossier still in progress (reporting/selectors.open_before: received
before the window, not finished): 8,072 at 1,000,000 dossiers, 80,720 at 10,000,000, one or two to a table page,
so reading them from the table meant reading as many pages as dossiers. This index holds every column their
counts read, so PostgreSQL answers from it alone (an index-only scan). It has the key and the condition of
`dossier_open_received` (reporting/0005), which it replaces. Built CONCURRENTLY so that adding it to a live
database does not block intake.

The count of dossiers complained about (`complained`, of the 766 index) asks of each of those dossiers whether it has a dissatisfied
rating: a probe of the whole one-to-one index of ratings (13 µs each at 1,000,000 dossiers, its pages cold) for
the 2% of ratings that are dissatisfied. The partial index holds only those.
"""

from django.db import migrations

INDEX = "report_open_cover"
COLUMNS = ("id, agency_id, procedure_id, channel, finished_at, receipt_due_at, appointment_at, portal_due_at, "
           "supplement_count, verdict")
WHERE = "finished_at IS NULL AND received_at IS NOT NULL"
OLD = "dossier_open_received"
RATINGS = "report_rating_dissatisfied"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON dossiers_dossier (received_at) "
                          f"INCLUDE ({COLUMNS}) WHERE {WHERE}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {RATINGS} ON citizens_rating (dossier_id) "
                          "WHERE overall = 'dissatisfied'")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD} ON dossiers_dossier (received_at) WHERE {WHERE}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {RATINGS}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0001_initial"),
        ("citizens", "0002_feedback_rating"),
        ("reporting", "0006_hC_report_key_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
