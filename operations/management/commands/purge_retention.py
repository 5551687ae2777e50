"""`manage.py purge_retention`: delete delivered notices and history rows older than the retention settings.

Queued notices are never deleted (they are owed to someone). History rows (django-simple-history) are the
audit trail: they are kept unless `HISTORY_RETENTION_DAYS` (or `--history-days`) says otherwise. Rows go in
batches, each in its own short transaction, so a purge never holds a long lock.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from notices.models import Notice, NoticeStatus

BATCH = 5000


def _purge(queryset) -> int:
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            total += queryset.model.objects.filter(pk__in=ids).delete()[0]


class Command(BaseCommand):
    help = "Delete sent/failed notices and history rows older than the retention settings."

    def add_arguments(self, parser):
        parser.add_argument("--notice-days", type=int, default=None)
        parser.add_argument("--history-days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, notice_days=None, history_days=None, dry_run=False, **options):
        notice_days = settings.NOTICE_RETENTION_DAYS if notice_days is None else notice_days
        history_days = settings.HISTORY_RETENTION_DAYS if history_days is None else history_days
        for name, value in (("notice", notice_days), ("history", history_days)):
            if value < 0:
                raise CommandError(f"--{name}-days must be 0 (keep for ever) or a positive number")
        now = timezone.now()
        plans = []
        if notice_days:
            plans.append(("notices", Notice.objects.filter(
                status__in=[NoticeStatus.SENT, NoticeStatus.FAILED], created_at__lt=now - timedelta(days=notice_days))))
        if history_days:
            cutoff = now - timedelta(days=history_days)
            for model in registered_models.values():
                try:
                    history = get_history_model_for_model(model)
                except NotHistoricalModelError:
                    continue  # a many-to-many history table: its rows go with their parent history rows
                plans.append((f"history of {model._meta.label}", history.objects.filter(history_date__lt=cutoff)))
        if not plans:
            self.stdout.write("nothing to purge: retention is 0 (keep for ever) for notices and history")
        for label, queryset in plans:
            count = queryset.count() if dry_run else _purge(queryset)
            self.stdout.write(f"{label}: {count} row(s) {'would be ' if dry_run else ''}deleted")
