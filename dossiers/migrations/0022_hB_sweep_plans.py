"""Plans that do not flip: the deadline sweep's selections each have exactly one index that serves them.

The plain (status, due_soon_at) and (status, appointment_at) indexes of dossiers served nothing but the
sweep, and after a fresh ANALYZE PostgreSQL sometimes read them instead of the partial indexes, taking
every open row past its point, flagged long ago or not (an idle sweep at 1,000,000 open dossiers: 10-25
ms on the partial index, 228-291 ms on the plain one). They go; the partial indexes are limited to the
swept statuses as well, so their predicates are exactly the sweep's conditions (dossiers.deadlines
`_SELECTIONS`). The steps' (finished_at, due_at) index, the other way to "open and past due", becomes
(finished_at) of finished steps, which is what its one reader (dossiers.lateness) asks.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0021_h15b_search_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossiers_do_status_84e068_idx',
        ),
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossiers_do_status_107770_idx',
        ),
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossier_due_soon_to_sweep',
        ),
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossier_late_to_sweep',
        ),
        migrations.RemoveIndex(
            model_name='step',
            name='dossiers_st_finishe_ba3bbe_idx',
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('finished_at__isnull', True), ('is_due_soon', False), ('status__in', (2, 4, 6))), fields=['due_soon_at'], name='dossier_due_soon_to_sweep'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('finished_at__isnull', True), ('is_late', False), ('status__in', (2, 4, 6))), fields=['appointment_at'], name='dossier_late_to_sweep'),
        ),
        migrations.AddIndex(
            model_name='step',
            index=models.Index(condition=models.Q(('finished_at__isnull', False)), fields=['finished_at'], name='step_finished_at'),
        ),
    ]
