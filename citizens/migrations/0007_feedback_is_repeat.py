"""Whether a complaint repeats an earlier complaint about the same dossier (`Feedback.is_repeat`).

The 766's repeated complaints (5.3) were found by looking, for each complaint answered in the period, for an
earlier complaint about its dossier: 30,490 probes for a province's year at 10,000,000 dossiers (140 ms). It is
known when the complaint is received, so `services.feedback.submit_feedback` writes it then; existing complaints
are marked here by the same rule (an earlier complaint, received strictly before it, about the same dossier).
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

MARK_SQL = """
UPDATE citizens_feedback f SET is_repeat = TRUE
WHERE f.is_complaint AND f.dossier_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM citizens_feedback e
    WHERE e.dossier_id = f.dossier_id AND e.is_complaint AND e.received_at < f.received_at AND e.id <> f.id)
"""


def mark_repeats(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(MARK_SQL)
        return
    Feedback = apps.get_model("citizens", "Feedback")
    db = schema_editor.connection.alias
    earlier = Feedback.objects.using(db).filter(dossier_id=OuterRef("dossier_id"), is_complaint=True,
                                                received_at__lt=OuterRef("received_at")).exclude(pk=OuterRef("pk"))
    Feedback.objects.using(db).filter(Exists(earlier), is_complaint=True, dossier__isnull=False).update(is_repeat=True)


class Migration(migrations.Migration):

    dependencies = [
        ("citizens", "0006_h17b_identity_claims"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="is_repeat",
            field=models.BooleanField(default=False, verbose_name="phản ánh lặp lại"),
        ),
        migrations.RunPython(mark_repeats, migrations.RunPython.noop, elidable=False),
    ]
