"""API bearer tokens: issued by the token log-in, valid for `API_TOKEN_TTL_HOURS`, and revoked whenever
the user's password changes or the account is deactivated, whichever way that happens (the citizen's
reset and change pages, the admin, `set_password` in a service or a shell): the check sits on the user
model's save, not in each view.

A token past its lifetime is refused (401) and deleted by the authenticator (`organisation.api.auth`);
the next token log-in issues a fresh one. `QuerySet.update()` bypasses model signals: code that changes
passwords or `is_active` in bulk must call `revoke_tokens` itself.

The authenticator reads a token's owner from the shared cache (`organisation.selectors.token_owner`);
the receivers below forget it whenever what it holds may change: the token deleted, the user saved, a
staff membership saved or deleted, an agency saved or deleted (the last forgets every entry). Code that
changes these with `QuerySet.update()` must call `forget_user_tokens` / `forget_all_tokens` itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from organisation.models import Agency, StaffMembership
from organisation.selectors import forget_all_tokens, forget_token, forget_user_tokens

_REVOKE_ATTR = "_motcua_revoke_tokens"


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def is_expired(token: Token, now: datetime | None = None) -> bool:
    return token.created + token_lifetime() <= (now or timezone.now())


def issue_token(user) -> Token:
    """The user's token: the current one while it is valid, else a new one (one token per user)."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not is_expired(token):
            return token
        if token is not None:
            token.delete()
        return Token.objects.create(user=user)


def revoke_tokens(user_id: int) -> int:
    """Delete every API token of the user; returns how many."""
    return Token.objects.filter(user_id=user_id).delete()[0]


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    """Before a user is saved: did its password hash change, or is it being deactivated?"""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every log-in: nothing to compare
    old = get_user_model().objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if old is None:
        return
    changed = old[0] != instance.password or (old[1] and not instance.is_active)
    setattr(instance, _REVOKE_ATTR, changed)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _revoke_on_credential_change(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return
    if getattr(instance, _REVOKE_ATTR, False) or not instance.is_active:
        revoke_tokens(instance.pk)
    setattr(instance, _REVOKE_ATTR, False)


# --- the cached token owners (organisation.selectors.token_owner) --------------------------------


@receiver(post_save, sender=Token)
@receiver(post_delete, sender=Token)
def _forget_token(sender, instance, raw=False, **kwargs):
    forget_token(instance.key)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _forget_user(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or created:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every log-in: nothing the cached owner holds
    forget_user_tokens(instance.pk)


@receiver(post_save, sender=StaffMembership)
@receiver(post_delete, sender=StaffMembership)
def _forget_member(sender, instance, raw=False, **kwargs):
    forget_user_tokens(instance.user_id)


@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
def _forget_everyone(sender, instance, raw=False, **kwargs):
    forget_all_tokens()
