"""`manage.py retry_failed_notices`: put failed notices back in the outbox and send them now."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notices.delivery import retry_failed
from notices.models import Notice, NoticeChannel, NoticeStatus
from notices.services import enqueue_many_on_commit


class Command(BaseCommand):
    help = "Re-queue failed notices (optionally of one channel or event, or failed in the last N days) and send them."

    def add_arguments(self, parser):
        parser.add_argument("--channel", choices=[c.value for c in NoticeChannel])
        parser.add_argument("--event")
        parser.add_argument("--days", type=int, help="only notices created in the last N days")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, channel=None, event=None, days=None, dry_run=False, **options):
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number")
        failed = Notice.objects.filter(status=NoticeStatus.FAILED)
        if channel:
            failed = failed.filter(channel=channel)
        if event:
            failed = failed.filter(event=event)
        if days:
            failed = failed.filter(created_at__gte=timezone.now() - timedelta(days=days))
        ids = list(failed.values_list("id", flat=True))
        if dry_run:
            self.stdout.write(f"{len(ids)} failed notice(s) would be re-queued")
            return
        with transaction.atomic():
            count = retry_failed(ids)
            enqueue_many_on_commit(ids)
        self.stdout.write(f"{count} failed notice(s) re-queued")
