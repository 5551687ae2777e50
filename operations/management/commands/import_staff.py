"""`manage.py import_staff FILE.csv|xlsx`: staff accounts and roles from a spreadsheet, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisation.staff_import import import_staff
from procedures.importing import UnreadableFile


class Command(BaseCommand):
    help = "Import staff accounts and their roles from a CSV or Excel file (nothing is written if a row is wrong)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            result = import_staff(path.read_bytes(), path.name)
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported")
        self.stdout.write(f"created {result.created}, updated {result.updated}, roles added {result.roles_added}")
