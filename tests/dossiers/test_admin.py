"""The admin shows dossiers read-only to those allowed to view them (superusers); changes go through services."""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_shows_dossiers_read_only(client, make_dossier, make_user):
    d = make_dossier(4)
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/dossiers/dossier/").status_code == 200
    page = client.get(f"/admin/dossiers/dossier/{d.pk}/change/")
    assert page.status_code == 200 and d.code in page.content.decode()
    assert client.get("/admin/dossiers/dossier/add/").status_code == 403
    assert client.post(f"/admin/dossiers/dossier/{d.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"/admin/dossiers/dossier/{d.pk}/history/").status_code == 200


def test_staff_flag_alone_does_not_open_dossiers(client, make_dossier, staff):
    make_dossier(2)
    staff.desk.is_staff = True
    staff.desk.save()
    client.force_login(staff.desk)
    # Not an administrator: the admin itself is closed (back to its log-in page), not only the dossiers.
    response = client.get("/admin/dossiers/dossier/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
