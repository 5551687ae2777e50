"""The visibility fact's indexes, built once after the backfill (0015): every page of every scope is an
index-ordered top-N (dossiers.visibility)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0018_h15b_visibility_backfill")]

    operations = [
        migrations.AddIndex("dossiervisibility", models.Index(condition=models.Q(("direct", True)), fields=["agency", "dossier"], name="visibility_direct")),
        migrations.AddIndex("dossiervisibility", models.Index(fields=["agency", "status", "dossier"], name="visibility_status")),
        migrations.AddIndex("dossiervisibility", models.Index(fields=["agency", "procedure", "dossier"], name="visibility_procedure")),
        migrations.AddIndex("dossiervisibility", models.Index(condition=models.Q(("late_from__isnull", False)), fields=["agency", "dossier"], name="visibility_may_be_late", include=["late_from"])),
        migrations.AddIndex("dossiervisibility", models.Index(condition=models.Q(("due_soon_from__isnull", False)), fields=["agency", "dossier"], name="visibility_may_be_due_soon", include=["due_soon_from"])),
        migrations.AddIndex("dossiervisibility", models.Index(condition=models.Q(("urgency_at__isnull", False)), fields=["agency", "urgency_at", "dossier"], name="visibility_urgent")),
    ]
