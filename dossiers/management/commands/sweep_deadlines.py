"""`python manage.py sweep_deadlines`: the deadline sweep once, now, as beat runs it periodically."""

from django.core.management.base import BaseCommand, CommandError

from dossiers.deadlines import sweep
from dossiers.tasks import parse_now


class Command(BaseCommand):
    help = "Flag dossiers and steps that are due soon or late and warn their officers (once)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="sweep as of this ISO 8601 time with offset (default: now)")

    def handle(self, *args, **options):
        try:
            now = parse_now(options.get("now"))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        result = sweep(now)
        for name, count in result.as_dict().items():
            self.stdout.write(f"{name}: {count}")
