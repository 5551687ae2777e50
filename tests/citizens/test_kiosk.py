"""The rating kiosk at the desk: no login, large buttons, it asks about the dossier the desk has just
closed (within ten minutes) and accepts one rating for it."""

import pytest
import time_machine
from django.test import Client

from citizens.models import Rating

pytestmark = pytest.mark.django_db


def test_kiosk_rates_the_dossier_just_returned(citizen, org, online_dossier):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        done = online_dossier(citizen, status=10)
        kiosk = Client()
        page = kiosk.get(f"/cong-dan/kiosk/{org.commune.code}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert done.code in html and "Rất hài lòng" in html
        # The applicant's name is masked; no phone, no ID number.
        assert "N. V. An" in html and "Nguyễn Văn An" not in html and "0912345678" not in html
        response = kiosk.post(f"/cong-dan/kiosk/{org.commune.code}/", {
            "dossier": done.pk, "overall": "satisfied", "attitude": "good", "visits": "1"})
        assert response.status_code == 200 and "Cảm ơn" in response.content.decode()
        rating = Rating.objects.get(dossier=done)
        assert (rating.source, rating.overall, rating.attitude) == ("kiosk", "satisfied", "good")
        # Rated: the kiosk waits for the next citizen; a replayed post changes nothing.
        assert done.code not in kiosk.get(f"/cong-dan/kiosk/{org.commune.code}/").content.decode()
        replay = kiosk.post(f"/cong-dan/kiosk/{org.commune.code}/", {"dossier": done.pk, "overall": "dissatisfied"})
        assert replay.status_code == 409
        assert Rating.objects.get(dossier=done).overall == "satisfied"


def test_kiosk_forgets_a_dossier_after_ten_minutes_and_other_agencies(citizen, org, online_dossier):
    with time_machine.travel("2026-11-23 09:00 +0700", tick=False):
        done = online_dossier(citizen, status=10)
    with time_machine.travel("2026-11-23 09:11 +0700", tick=False):
        page = Client().get(f"/cong-dan/kiosk/{org.commune.code}/").content.decode()
        assert done.code not in page
        late = Client().post(f"/cong-dan/kiosk/{org.commune.code}/", {"dossier": done.pk, "overall": "satisfied"})
        assert late.status_code == 409
    with time_machine.travel("2026-11-23 09:05 +0700", tick=False):
        assert done.code not in Client().get(f"/cong-dan/kiosk/{org.commune2.code}/").content.decode()
        wrong_kiosk = Client().post(f"/cong-dan/kiosk/{org.commune2.code}/", {"dossier": done.pk, "overall": "satisfied"})
        assert wrong_kiosk.status_code == 409
    assert not Rating.objects.exists()


def test_kiosk_of_unknown_agency_is_404(db):
    assert Client().get("/cong-dan/kiosk/KHONG-CO/").status_code == 404
