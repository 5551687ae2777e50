"""Log-in lock-out for every way in (the log-in page, the admin's log-in, the API token log-in), by
django-axes with its database handler (it survives a Redis outage): `LOGIN_MAX_FAILURES` failed log-ins
for one user name *from one client address* within `LOGIN_LOCK_SECONDS` lock that pair for that long,
whatever the password. Someone else typing wrong passwords from elsewhere does not lock the real user out
of their own address. An administrator unlocks by deleting the pair's "access attempt" in the admin.

The client address is `organisation.net.client_ip` (trusted proxies only); user names are compared
trimmed and lower-cased.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils.translation import gettext as _

from organisation.errors import DomainError


class LockedOut(DomainError):
    """Too many failed log-ins for this user name from this address: 429 until the lock is over."""

    status_code = 429
    default_code = "locked_out"


def lockout_message() -> str:
    minutes = max(1, round(settings.LOGIN_LOCK_SECONDS / 60))
    return _("Tài khoản tạm khóa trên địa chỉ này do đăng nhập sai nhiều lần. Vui lòng thử lại sau %(m)d phút.") % {
        "m": minutes}


def lockout_username(request, credentials) -> str | None:
    """The user name a failure is counted against (AXES_USERNAME_CALLABLE)."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username") if hasattr(data, "get") else None
    return username.strip().lower() if isinstance(username, str) else None


def is_locked_out(request) -> bool:
    """Set by axes on the request whose log-in it refused or that reached the limit."""
    return bool(getattr(request, "axes_locked_out", False))


def forget_failures(request, username: str) -> None:
    """A successful log-in that does not go through `login()` (the API token) clears the pair's failures,
    as a page log-in does."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": username})


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, first in AUTHENTICATION_BACKENDS: refuses a locked pair before any password check.

    Every HTTP log-in passes its request; a call without one (Django's test client `login()`, a shell) has
    no client address to count against and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class _LockoutMessage:
    def get_invalid_login_error(self):
        if is_locked_out(self.request):
            return forms.ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


class LoginForm(_LockoutMessage, AuthenticationForm):
    """The log-in page's form: says so when the pair is locked."""


class AdminLoginForm(_LockoutMessage, AdminAuthenticationForm):
    """The admin's log-in form: the same, and only administrators get in (`is_administrator`)."""

    def confirm_login_allowed(self, user):
        from organisation.selectors import is_administrator

        super().confirm_login_allowed(user)
        if not is_administrator(user):
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                        params={"username": self.username_field.verbose_name})


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page that was rendered (its form already tells of the lock), as 429."""
    if original_response is not None and original_response.get("Content-Type", "").startswith("text/html"):
        original_response.status_code = 429
        return original_response
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")
