"""People can see it: the sync state on the dossier's page and in the API, the list of dossiers not synced
or failing, the share synced per unit (indicator 1.4), and an administrator's resend."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers import services
from national.models import SyncState
from national.selectors import synced_share

from .conftest import drain

pytestmark = pytest.mark.django_db


def test_the_api_detail_shows_the_sync_state_to_staff(api, staff, make_dossier, mapped, portal_standin):
    d = make_dossier(2)
    body = api.as_user(staff.desk).get(f"/api/v1/dossiers/{d.code}/").json()
    assert body["national_sync"]["state"] == "pending" and body["national_sync"]["pending"] == 1
    portal_standin.configure(fail=1)
    drain(force=False)
    sync = api.as_user(staff.desk).get(f"/api/v1/dossiers/{d.code}/").json()["national_sync"]
    assert sync["state"] == "failed" and sync["attempts"] == 1 and "error_code 500" in sync["last_error"]
    drain()
    sync = api.as_user(staff.desk).get(f"/api/v1/dossiers/{d.code}/").json()["national_sync"]
    assert sync["state"] == "synced" and sync["synced_at"] and sync["pending"] == 0 and sync["attempts"] == 0


def test_the_dossier_page_shows_it_and_the_admin_can_resend(client, staff, make_dossier, mapped, portal_standin,
                                                           django_user_model):
    d = make_dossier(2)
    portal_standin.configure(fail=1)
    drain(force=False)
    client.force_login(staff.desk)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Đồng bộ lỗi" in page and "Đã thử 1 lần" in page and "Gửi lại lên Cổng quốc gia" not in page
    assert client.post(f"/dong-bo-quoc-gia/ho-so/{d.pk}/gui-lai/").status_code == 403
    admin = django_user_model.objects.create_superuser("quantri", "q@example.vn", "pw-12345!")
    client.force_login(admin)
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Gửi lại lên Cổng quốc gia" in page
    answer = client.post(f"/dong-bo-quoc-gia/ho-so/{d.pk}/gui-lai/", {"next": f"/ho-so/{d.code}/"})
    assert answer.status_code == 302 and answer["Location"] == f"/ho-so/{d.code}/"
    assert SyncState.objects.get(pk=d.pk).retry_at is None
    drain(force=False)
    assert "Đã đồng bộ" in client.get(f"/ho-so/{d.code}/").content.decode()


def test_the_share_synced_per_unit_and_the_list(client, staff, make_dossier, mapped, portal_standin, org):
    synced = make_dossier(2)
    drain()
    failing = make_dossier(2)
    portal_standin.configure(fail=1)
    drain(force=False)
    other = make_dossier(2, actor=staff.desk2)  # the second commune: outside the desk's view
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    share = synced_share([org.commune.pk], start, end)
    assert (share.received, share.synced, share.percent) == (2, 1, 50.0)
    assert synced_share(None, start, end).received == 3
    assert synced_share([org.commune.pk], end, end + timedelta(days=1)).rate is None
    client.force_login(staff.manager)
    page = client.get("/dong-bo-quoc-gia/").content.decode()
    assert ("50,0%" in page or "50.0%" in page) and failing.code in page and synced.code not in page and other.code in page
    page = client.get("/dong-bo-quoc-gia/?which=failed").content.decode()
    assert failing.code in page and other.code not in page
    client.force_login(staff.desk)  # a desk officer sees the list of their own agency only
    page = client.get("/dong-bo-quoc-gia/?which=all").content.decode()
    assert failing.code in page and synced.code in page and other.code not in page
    answer = client.get("/dong-bo-quoc-gia/?start=2026-12-10&end=2026-12-01")
    assert answer.status_code == 400 and "Ngày kết thúc phải sau ngày bắt đầu." in answer.content.decode()


def test_a_dossier_filed_on_the_national_portal_counts_as_synced(staff, make_user, mapped, org):
    citizen = make_user("congdan9")
    d = services.submit_online(citizen=citizen, procedure=mapped, agency=org.commune,
                               applicant={"full_name": "Lê Thị Hoa", "phone": "0912000111"})
    d.national_code = "G22.99-1"
    d.save(update_fields=["national_code"])
    d = services.receive(d, actor=staff.desk)
    share = synced_share(None, timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1))
    assert (share.received, share.synced) == (1, 1)


def test_citizens_and_strangers_cannot_open_the_page(client, make_user):
    client.force_login(make_user("congdan5"))
    assert client.get("/dong-bo-quoc-gia/").status_code == 403


def test_the_api_lists_and_the_share(api, staff, make_dossier, mapped, portal_standin, make_user):
    ok = make_dossier(2)
    drain()
    failing = make_dossier(2)
    portal_standin.configure(fail=1)
    drain(force=False)
    rows = api.as_user(staff.desk).get("/api/v1/national/sync/").json()
    assert [r["code"] for r in rows["results"]] == [failing.code]
    assert rows["results"][0]["attempts"] == 1 and rows["results"][0]["last_error"]
    rows = api.as_user(staff.desk).get("/api/v1/national/sync/", {"state": "all"}).json()
    assert {r["code"] for r in rows["results"]} == {ok.code, failing.code}
    bad = api.as_user(staff.desk).get("/api/v1/national/sync/", {"state": "xyz"})
    assert bad.status_code == 400 and "state" in bad.json()["fields"]
    assert api.as_user(make_user("congdan7")).get("/api/v1/national/sync/").status_code == 403
    share = api.as_user(staff.manager).get("/api/v1/national/synced-share/").json()
    assert (share["received"], share["synced"], share["rate"]) == (2, 1, 50.0)
    assert share["by_agency"][0]["received"] == 2
    assert api.as_user(staff.desk).get("/api/v1/national/synced-share/").status_code == 403
