"""Log-in through the national identity service (OpenID Connect), ready to switch on.

`profile_from_claims` is the pure part: which claim fills which profile field. `sync_user_from_claims`
creates or updates the account and its profile (the person is known by the `sub` claim, kept on the
profile). `CitizenOIDCBackend` plugs both into `mozilla-django-oidc` when that package is installed; the
settings that turn it on are listed in the lead's notes (OIDC_ENABLED is read in settings, off by default).

The identity service vouches for the person, so an account made here is active and its profile verified
at once; the claims overwrite the name, number and date of birth at every log-in, while the address,
phone and e-mail the citizen typed in are only filled when still empty. The claims themselves (those in
KEPT_CLAIMS) are kept on the profile with their time, for the person record (population.records).
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from organisation.phones import is_national, normalize_phone

# Claim names that may carry the 12-digit personal identification number (số định danh cá nhân).
ID_NUMBER_CLAIMS = ("personal_id", "citizen_id", "id_number", "cccd", "so_dinh_danh")


def _text(value) -> str:
    return " ".join(str(value or "").split())


def profile_from_claims(claims: dict) -> dict:
    """Profile fields from standard OIDC claims (name, given/family name, email, phone_number,
    birthdate, address) and the personal number under one of ID_NUMBER_CLAIMS."""
    name = _text(claims.get("name")) or _text(f"{claims.get('family_name') or ''} {claims.get('middle_name') or ''} "
                                              f"{claims.get('given_name') or ''}")
    id_number = ""
    for key in ID_NUMBER_CLAIMS:
        digits = re.sub(r"\D", "", str(claims.get(key) or ""))
        if len(digits) == 12:
            id_number = digits
            break
    birth = None
    raw_birth = str(claims.get("birthdate") or "")
    try:
        birth = datetime.date.fromisoformat(raw_birth) if raw_birth else None
    except ValueError:
        birth = None
    address = claims.get("address")
    if isinstance(address, dict):
        address = address.get("formatted") or ", ".join(
            str(address.get(k)) for k in ("street_address", "locality", "region") if address.get(k)
        )
    phone = normalize_phone(str(claims.get("phone_number") or ""))
    if not is_national(phone):
        phone = ""
    email = str(claims.get("email") or "").strip().lower() if claims.get("email_verified", True) else ""
    return {"full_name": name[:255], "id_number": id_number, "date_of_birth": birth, "phone": phone,
            "email": email[:254], "address": _text(address)[:500]}


# The claims kept on the profile at each log-in (population.records prefills forms from them); nothing else
# the identity service sends (tokens, session data) is stored.
KEPT_CLAIMS = ("sub", "name", "family_name", "middle_name", "given_name", "birthdate", "gender", "address",
               "phone_number", "email", "email_verified", *ID_NUMBER_CLAIMS)


def kept_claims(claims: dict) -> dict:
    return {k: claims[k] for k in KEPT_CLAIMS if k in claims and claims[k] not in (None, "")}


def username_for(subject: str) -> str:
    return "vneid-" + hashlib.sha256(subject.encode()).hexdigest()[:24]


def sync_user_from_claims(claims: dict):
    """The account of the person named by `claims["sub"]`, created on first log-in, updated after."""
    from .models import CitizenProfile

    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise ValueError("the identity service sent no subject")
    fields = profile_from_claims(claims)
    User = get_user_model()
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().select_related("user").filter(oidc_subject=subject).first()
        if profile is None:
            user, _created = User.objects.get_or_create(username=username_for(subject), defaults={"is_active": True})
            if _created:
                user.set_unusable_password()
            profile = CitizenProfile(user=user, oidc_subject=subject)
        user = profile.user
        for name in ("full_name", "id_number", "date_of_birth"):
            if fields[name]:
                setattr(profile, name, fields[name])
        for name in ("phone", "email", "address"):
            if fields[name] and not getattr(profile, name):
                setattr(profile, name, fields[name])
        profile.full_name = profile.full_name or user.get_username()
        profile.verified_at = profile.verified_at or timezone.now()
        profile.identity_claims = kept_claims(claims)
        profile.identity_claims_at = timezone.now()
        profile.save()
        last, _sep, first = profile.full_name.rpartition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
        if fields["email"] and not user.email:
            user.email = fields["email"]
        user.save()
    return user


try:  # pragma: no cover - only when mozilla-django-oidc is installed
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend
except ImportError:  # pragma: no cover
    OIDCAuthenticationBackend = None


if OIDCAuthenticationBackend is not None:  # pragma: no cover - exercised with the package installed

    class CitizenOIDCBackend(OIDCAuthenticationBackend):
        """mozilla-django-oidc backend that knows citizens by `sub`, not by e-mail."""

        def verify_claims(self, claims):
            return bool(claims.get("sub"))

        def filter_users_by_claims(self, claims):
            from .models import CitizenProfile

            subject = str(claims.get("sub") or "")
            if not subject:
                return self.UserModel.objects.none()
            return self.UserModel.objects.filter(
                pk__in=CitizenProfile.objects.filter(oidc_subject=subject).values("user_id")
            )

        def create_user(self, claims):
            return sync_user_from_claims(claims)

        def update_user(self, user, claims):
            return sync_user_from_claims(claims)
