"""The apology's facts on the dossier's row: when it was issued (`apologised_at`) and the new appointment it
promised (`apology_due_at`), copied from the one Apology row a dossier may have (a OneToOne).

The reports ask of every dossier still open at a period's end whether it was apologised for by then and whether
the new date has passed: two probes of the apologies per open dossier (141,900 of them for a year report at
10,000,000 dossiers, 80,720 open). On the row, the same questions are two comparisons answered from the covering
index of the open dossiers (reporting/0008). `services.apology.apologize` writes them in the transaction that
creates the apology; existing apologies are copied here (one UPDATE; apologies are a few per cent of dossiers).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


# PostgreSQL: every dossier's copy from its apology in one statement (also run by bench/generate_dossiers.py, whose
# bulk load writes the apologies beside the dossiers).
COPY_SQL = ("UPDATE dossiers_dossier d SET apologised_at = a.issued_at, apology_due_at = a.new_appointment_at "
            "FROM dossiers_apology a WHERE a.dossier_id = d.id")


def copy_apologies(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Apology = apps.get_model("dossiers", "Apology")
    db = schema_editor.connection.alias
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(COPY_SQL)
        return
    apology = Apology.objects.using(db).filter(dossier_id=OuterRef("pk"))
    Dossier.objects.using(db).filter(pk__in=Apology.objects.using(db).values("dossier_id")).update(
        apologised_at=Subquery(apology.values("issued_at")[:1]),
        apology_due_at=Subquery(apology.values("new_appointment_at")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0023_visibility_worklists_and_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="apologised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="xin lỗi lúc"),
        ),
        migrations.AddField(
            model_name="dossier",
            name="apology_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hẹn mới khi xin lỗi"),
        ),
        migrations.AddField(
            model_name="historicaldossier",
            name="apologised_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="xin lỗi lúc"),
        ),
        migrations.AddField(
            model_name="historicaldossier",
            name="apology_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hẹn mới khi xin lỗi"),
        ),
        migrations.RunPython(copy_apologies, migrations.RunPython.noop, elidable=False),
    ]
