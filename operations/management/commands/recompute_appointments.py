"""`manage.py recompute_appointments [--since 2027-01-01]`: open dossiers' due times under today's calendar.

Run it after the working calendar changed (a holiday added on /lich/ngay-nghi/, a swapped Saturday): every
open dossier without an apology whose appointment falls on or after `--since` gets the appointment the new
calendar gives from the same start, its steps likewise, a timeline event, and a notice to its applicant.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dossiers.recompute import recompute_appointments
from organisation.models import Agency


class Command(BaseCommand):
    help = "Recompute the appointments of open dossiers after the working calendar changed."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only dossiers due on or after this date (YYYY-MM-DD); default: today")
        parser.add_argument("--agency", action="append", default=[], help="agency code (repeatable)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, since=None, agency=(), dry_run=False, **options):
        try:
            day = date.fromisoformat(since) if since else timezone.localdate()
        except ValueError:
            raise CommandError(f"--since must be a date YYYY-MM-DD, got {since!r}") from None
        agency_ids = []
        for code in agency:
            found = Agency.objects.filter(code=code).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"no agency has the code {code!r}")
            agency_ids.append(found)
        result = recompute_appointments(since=day, agency_ids=agency_ids, dry_run=dry_run)
        for code, old, new in result.moved:
            self.stdout.write(f"{code}: {timezone.localtime(old):%Y-%m-%d %H:%M} -> {timezone.localtime(new):%Y-%m-%d %H:%M}")
        verb = "would move" if dry_run else "moved"
        self.stdout.write(f"{result.examined} open dossier(s) examined, {len(result.moved)} {verb}")
