"""`python manage.py sync_holidays --years 2025 2026 2027`: seed the national calendar from the
`holidays` package, keeping every day an administrator edited."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organisation.errors import ValidationFailed
from worktime.services import sync_holidays


class Command(BaseCommand):
    help = "Seed the national working calendar (holidays, swapped Saturdays) from the holidays package."

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument(
            "--years", nargs="+", type=int, default=[this_year - 1, this_year, this_year + 1, this_year + 2],
            help="years to sync (default: last year to two years ahead)",
        )

    def handle(self, *args, years, **options):
        try:
            counts = sync_holidays(years)
        except ValidationFailed as exc:
            raise CommandError(str(exc.detail)) from None
        self.stdout.write(
            f"sync_holidays {', '.join(str(y) for y in sorted(set(years)))}: {counts.created} created, "
            f"{counts.updated} updated, {counts.unchanged} unchanged, {counts.deleted} deleted, "
            f"{counts.kept} kept (edited by an administrator)"
        )
