"""When a dossier was first complained about (`complained_at`): its first dissatisfied rating or complaint.

The 766 index counts the dossiers complained about (a dissatisfied rating or a complaint about the dossier). For
the dossiers still open at a period's end the reports probed the ratings and the feedback once per dossier each:
161,440 index probes for a year at 10,000,000 dossiers (80,720 open), about 300 ms. On the row (and in the covering
index of the open dossiers, reporting/0008) it is one test. `citizens.services` (ratings, feedback) write it in
the transaction that records the rating or the complaint; existing ones are copied here.
"""

from django.db import migrations, models

# PostgreSQL: the earliest of each dossier's dissatisfied rating and complaints, in one statement (also run by
# bench/generate_dossiers.py after its bulk load).
COPY_SQL = """
UPDATE dossiers_dossier d SET complained_at = c.first
FROM (
    SELECT dossier_id, min(at) AS first FROM (
        SELECT dossier_id, created_at AS at FROM citizens_rating WHERE overall = 'dissatisfied'
        UNION ALL
        SELECT dossier_id, received_at FROM citizens_feedback WHERE is_complaint AND dossier_id IS NOT NULL
    ) e GROUP BY dossier_id
) c
WHERE c.dossier_id = d.id
"""


def copy_complaints(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(COPY_SQL)
        return
    Dossier = apps.get_model("dossiers", "Dossier")
    Rating = apps.get_model("citizens", "Rating")
    Feedback = apps.get_model("citizens", "Feedback")
    db = schema_editor.connection.alias
    first: dict[int, object] = {}
    events = [*Rating.objects.using(db).filter(overall="dissatisfied").values_list("dossier_id", "created_at"),
              *Feedback.objects.using(db).filter(is_complaint=True, dossier_id__isnull=False)
              .values_list("dossier_id", "received_at")]
    for dossier_id, at in events:
        if dossier_id not in first or at < first[dossier_id]:
            first[dossier_id] = at
    for dossier_id, at in first.items():
        Dossier.objects.using(db).filter(pk=dossier_id).update(complained_at=at)


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0025_worklist_tab_indexes_by_status"),
        ("citizens", "0006_h17b_identity_claims"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="complained_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="bị phản ánh lúc"),
        ),
        migrations.AddField(
            model_name="historicaldossier",
            name="complained_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="bị phản ánh lúc"),
        ),
        migrations.RunPython(copy_complaints, migrations.RunPython.noop, elidable=False),
    ]
