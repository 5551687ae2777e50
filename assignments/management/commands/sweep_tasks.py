"""`python manage.py sweep_tasks [--digest]`: one task sweep now (as beat does), optionally the weekly digest."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Flag assigned tasks due soon or late and write their reminders (once); --digest also sends the weekly digest."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="also write this week's digest to each unit's head")

    def handle(self, *args, digest=False, **options):
        from assignments.deadlines import sweep, weekly_digest

        result = sweep()
        self.stdout.write(f"task sweep: {result.as_dict()}")
        if digest:
            self.stdout.write(f"weekly digest: {weekly_digest()} notices")
