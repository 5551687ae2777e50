"""`python manage.py sweep_deadlines`: the deadline sweep once, now, as beat runs it periodically."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from dossiers.deadlines import sweep


class Command(BaseCommand):
    help = "Flag dossiers and steps that are due soon or late and warn their officers (once)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="sweep as of this ISO 8601 time with offset (default: now)")

    def handle(self, *args, **options):
        now = None
        if options.get("now"):
            now = parse_datetime(options["now"])
            if now is None or now.tzinfo is None:
                raise CommandError("--now must be an ISO 8601 datetime with offset, e.g. 2026-11-23T09:30:00+07:00")
        result = sweep(now)
        for name, count in result.as_dict().items():
            self.stdout.write(f"{name}: {count}")
