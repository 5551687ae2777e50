"""Covering indexes of the feedback by the time it was received and by the time it was answered, PostgreSQL only.

The dashboard's feedback summary (selectors.feedback_summary: received, complaints, due, answered on time, rated,
satisfied) counts the feedback received in the period. Without an index on `received_at` a year read the whole
table (199,000 rows, 35 MB, 76 ms at 10,000,000 dossiers). This index holds every column the counts read, so the
period's range is read from it alone. The 766's feedback figures (selectors.feedback_counts: handled, disliked,
repeated and late answers) count the feedback answered in the period: the second index, by `answered_at`, holds
what they read (a year read all 199,000 rows and probed each complaint's earlier ones: 251 ms at 10,000,000
dossiers; whether a complaint repeats one is now its own column, citizens/0007).
Built CONCURRENTLY.
"""

from django.db import migrations

INDEX = "report_feedback_received_cover"
ANSWERED = "report_feedback_answered_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON citizens_feedback (received_at) "
                              "INCLUDE (id, agency_id, status, is_complaint, answered_at, answer_due_at, answer_rating)")
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {ANSWERED} ON citizens_feedback (answered_at) "
                              "INCLUDE (id, agency_id, status, is_complaint, is_repeat, answer_due_at, answer_rating, "
                              "dossier_id) WHERE answered_at IS NOT NULL")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {ANSWERED}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("citizens", "0007_feedback_is_repeat"),
        ("reporting", "0009_feedback_complaint_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
