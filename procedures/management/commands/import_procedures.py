"""`python manage.py import_procedures <file.csv|file.xlsx> [--dry-run]`: all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisation.errors import DomainError
from procedures.services import import_catalogue


class Command(BaseCommand):
    help = "Import the procedure catalogue from CSV or Excel; any invalid row means nothing is imported."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count the changes, write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            report = import_catalogue(content, file.name, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from None
        if not report.ok:
            for error in report.errors:
                value = f" [{error.value}]" if error.value else ""
                self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}{value}")
            raise CommandError(f"{len(report.errors)} error(s); nothing imported.")
        prefix = "Dry run: would import" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(
            f"{prefix} {report.rows} row(s): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.fields_created} new field(s)."
        ))
