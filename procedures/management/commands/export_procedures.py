"""`python manage.py export_procedures <file.csv|file.xlsx>`: the whole catalogue, drafts included."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures import importing, selectors


class Command(BaseCommand):
    help = "Export the procedure catalogue to CSV or Excel, in the format import_procedures reads."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        fmt = importing.format_of(file.name)
        if fmt is None:
            raise CommandError("The file name must end in .csv or .xlsx.")
        try:
            with file.open("wb") as stream:
                count = importing.write(selectors.catalogue_for_export(), stream, fmt)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Exported {count} procedure(s) to {file}."))
