"""`python manage.py seed_demo`: the demo organisation, calendar, catalogue, accounts and dossiers.

Idempotent: a second run changes nothing. Each app seeds its own part through its `demo` module.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# In dependency order; an app that has no demo module yet is skipped.
PARTS = ["organisation", "worktime", "procedures", "national", "citizens", "dossiers", "assignments", "payments"]


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args, **options):
        context: dict = {}
        for app in PARTS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                result = module.seed(context)
            if isinstance(result, dict):
                context.update(result)
            self.stdout.write(f"seed_demo: {app} ok")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
