"""The demo seed: the `congdan` account gets its verified profile and the first commune bookable slots;
running it twice changes nothing."""

import pytest
import time_machine

from citizens import demo
from citizens.models import CitizenProfile, Slot

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-20 10:00 +0700", tick=False)
def test_seed_is_idempotent(make_user, org):
    from organisation.models import Desk

    Desk.objects.create(agency=org.commune, name="Bộ phận Một cửa")
    congdan = make_user("congdan")
    context = {"users": {"congdan": congdan}, "commune": org.commune}
    demo.seed(context)
    profile = CitizenProfile.objects.get(user=congdan)
    assert profile.full_name == "Nguyễn Văn An" and profile.verified_at and len(profile.id_number) == 12
    count = Slot.objects.count()
    # 5 working days (Fri 20 Nov → Mon 23 … Fri 27), 7 morning and 6 afternoon slots each.
    assert count == 5 * 13
    demo.seed(context)
    assert Slot.objects.count() == count and CitizenProfile.objects.count() == 1
