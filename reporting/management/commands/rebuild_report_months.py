"""Rebuild the monthly fact table of the reports for closed months.

    manage.py rebuild_report_months                      # the last two closed months (the nightly task does this)
    manage.py rebuild_report_months --from 2025-01 --to 2026-10
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reporting import rollup


def _month(text: str) -> date:
    try:
        y, m = (int(x) for x in text.split("-"))
        return date(y, m, 1)
    except ValueError:
        raise CommandError(f"not a month (YYYY-MM): {text}") from None


class Command(BaseCommand):
    help = "Rebuild the reports' monthly fact table for closed months."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start")
        parser.add_argument("--to", dest="end")

    def handle(self, *args, start=None, end=None, **options):
        if start:
            first, last = _month(start), _month(end or start)
            months, cur = [], first
            while cur <= last:
                months.append(cur)
                cur = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
        else:
            months = rollup.recent_closed_months()
        for m in months:
            if not rollup.closed(m):
                self.stdout.write(f"{m:%Y-%m}: still open, read live")
                continue
            self.stdout.write(f"{m:%Y-%m}: {rollup.rebuild_month(m)} rows")
        rollup.analyze()
