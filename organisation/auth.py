"""Login throttling for every way in (pages, admin, API token): a user name with too many failures
within the window is locked for the window, whatever the password."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver


def _key(username: str) -> str:
    return f"login-failures:{(username or '').strip().lower()}"


def is_locked(username: str) -> bool:
    return (cache.get(_key(username)) or 0) >= settings.LOGIN_MAX_FAILURES


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if username and is_locked(username):
            # PermissionDenied stops authenticate() at once: no other backend is tried.
            raise PermissionDenied("too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_failure(sender, credentials, **kwargs):
    username = credentials.get("username")
    if not username:
        return
    key = _key(username)
    cache.add(key, 0, settings.LOGIN_LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_LOCK_SECONDS)


@receiver(user_logged_in)
def _reset_failures(sender, user, **kwargs):
    cache.delete(_key(user.get_username()))
