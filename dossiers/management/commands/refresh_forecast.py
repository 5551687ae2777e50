"""`python manage.py refresh_forecast`: the lateness forecast's statistics and risks once, now, as beat
runs it periodically."""

from django.core.management.base import BaseCommand, CommandError

from dossiers.lateness import refresh_forecast
from dossiers.tasks import parse_now


class Command(BaseCommand):
    help = "Rebuild the step duration statistics and the lateness risk of every open dossier."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="as of this ISO 8601 time with offset (default: now)")

    def handle(self, *args, **options):
        try:
            now = parse_now(options.get("now"))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for name, value in refresh_forecast(now).as_dict().items():
            self.stdout.write(f"{name}: {value}")
