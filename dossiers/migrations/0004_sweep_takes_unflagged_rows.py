"""The deadline sweep now takes only rows whose flag is not yet set, and the services no longer set the
flags when they set a due time. Open dossiers the services flagged before this change, and that the sweep
has therefore not warned about yet (no apology opened), get their flags cleared so the sweep warns about
them once, as it did before."""

from django.db import migrations
from django.db.models import Q


def clear_unwarned_flags(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Dossier.objects.filter(finished_at__isnull=True, apology_opened_at__isnull=True).filter(
        Q(is_due_soon=True) | Q(is_late=True)
    ).update(is_due_soon=False, is_late=False)


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0003_supplement_resume_status"),
    ]

    operations = [
        migrations.RunPython(clear_unwarned_flags, migrations.RunPython.noop),
    ]
