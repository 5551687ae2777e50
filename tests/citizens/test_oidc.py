"""Log-in through the national identity service: claims fill the profile; the person is known by `sub`."""

import datetime

import pytest

from citizens.models import CitizenProfile
from citizens.oidc import profile_from_claims, sync_user_from_claims

CLAIMS = {
    "sub": "vneid|001090001234", "family_name": "Nguyễn", "middle_name": "Văn", "given_name": "An",
    "personal_id": "001090001234", "birthdate": "1990-05-12", "phone_number": "+84912345678",
    "email": "An@Example.vn", "email_verified": True,
    "address": {"formatted": "Thôn 1, xã An Bình, tỉnh Khánh Hòa"},
}


def test_profile_from_claims():
    fields = profile_from_claims(CLAIMS)
    assert fields == {"full_name": "Nguyễn Văn An", "id_number": "001090001234",
                      "date_of_birth": datetime.date(1990, 5, 12), "phone": "0912345678", "email": "an@example.vn",
                      "address": "Thôn 1, xã An Bình, tỉnh Khánh Hòa"}
    assert profile_from_claims({"sub": "x", "birthdate": "12/05/1990", "email": "a@b.vn", "email_verified": False,
                                "citizen_id": "123"}) == {
        "full_name": "", "id_number": "", "date_of_birth": None, "phone": "", "email": "", "address": ""}


@pytest.mark.django_db
def test_first_log_in_creates_a_verified_account_and_the_next_updates_it():
    user = sync_user_from_claims(CLAIMS)
    profile = CitizenProfile.objects.get(user=user)
    assert user.is_active and not user.has_usable_password()
    assert profile.verified_at and profile.id_number == "001090001234" and profile.oidc_subject == CLAIMS["sub"]
    profile.address = "Địa chỉ tự nhập"
    profile.save()
    again = sync_user_from_claims({**CLAIMS, "given_name": "Ân", "address": {"formatted": "Khác"}})
    assert again.pk == user.pk
    profile.refresh_from_db()
    assert profile.full_name == "Nguyễn Văn Ân" and profile.address == "Địa chỉ tự nhập"
    with pytest.raises(ValueError):
        sync_user_from_claims({"name": "Không có sub"})
