"""The log-in page's form for everyone: a citizen types the phone number or e-mail address they signed up
with, in any usual spelling; a staff member types the user name they were given."""

from __future__ import annotations

from organisation.auth import LoginForm as BaseLoginForm

from .rules import login_identifier


class LoginForm(BaseLoginForm):
    """Normalises the identifier before the password check (and before the lock-out counts it), so
    '+84 912 345 678', '0912.345.678' and '0912345678' are one account and one lock-out pair."""

    def clean_username(self):
        return login_identifier(self.cleaned_data.get("username", ""))
