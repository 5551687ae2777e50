"""Journal lines written before names were shown family name first carry "Lan Nguyễn Thị" in
`actor_name`; rewrite them as "Nguyễn Thị Lan" (only the rows that read exactly as Django's
given-name-first join of their actor's account). Reversible."""

from django.conf import settings
from django.db import migrations


def _rewrite(apps, schema_editor, *, forward: bool):
    TimelineEvent = apps.get_model("dossiers", "TimelineEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    users = User.objects.filter(pk__in=TimelineEvent.objects.exclude(actor=None).values("actor_id").distinct())
    for user in users.only("id", "first_name", "last_name").iterator():
        given_first = f"{user.first_name} {user.last_name}".strip()
        family_first = " ".join(p for p in (" ".join(user.last_name.split()), " ".join(user.first_name.split())) if p)
        if not user.first_name or not user.last_name or given_first == family_first:
            continue
        old, new = (given_first, family_first) if forward else (family_first, given_first)
        TimelineEvent.objects.filter(actor_id=user.pk, actor_name=old).update(actor_name=new[:255])


def forwards(apps, schema_editor):
    _rewrite(apps, schema_editor, forward=True)


def backwards(apps, schema_editor):
    _rewrite(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0007_h16_handler_supplement_draft"),
                    migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [migrations.RunPython(forwards, backwards)]
