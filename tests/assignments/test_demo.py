"""The demo: a province's directives to its two communes, every state present, loaded twice without change."""

import pytest
import time_machine

from assignments import deadlines, selectors
from assignments.models import ExtensionRequest, Task

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-20 10:00 +0700", tick=False)
def test_demo_tasks_in_every_state():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    count = Task.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Task.objects.count() == count == 12
    states = {selectors.open_state(t) for t in Task.objects.all()}
    assert states == {"early", "on_time", "late", "open_late", "open_in_time", "done_no_deadline"}
    assert set(Task.objects.values_list("status", flat=True)) == {"open", "completion_reported", "done"}
    assert set(ExtensionRequest.objects.values_list("state", flat=True)) == {"granted", "refused", "pending"}
    assert Task.objects.filter(original_due_on__isnull=False).exclude(due_on=models_f()).exists()
    assert set(Task.objects.values_list("lead_agency__code", flat=True)) == {"000.00.06.H56", "000.00.07.H56"}
    result = deadlines.sweep()
    assert result.late >= 1 and result.due_soon >= 1


def models_f():
    from django.db.models import F

    return F("original_due_on")
