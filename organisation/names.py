"""The one way a person's full name is shown: Vietnamese order, family name first.

Accounts keep Django's split (`last_name` = family and middle names, `first_name` = given name, as the
demo, sign-up and OpenID Connect log-in store them); Django's own `get_full_name()` joins them given
name first ("Lan Nguyễn Thị"), so nothing of the project calls it: pages, printed forms, exports,
notices, the admin and the journal all use `display_name` (templates: the `full_name` filter of
`{% load people %}`). Pure: no Django import.
"""

from __future__ import annotations


def join_name(family: str, given: str) -> str:
    """ "Nguyễn Thị" + "Lan" → "Nguyễn Thị Lan"; either part may be empty."""
    return " ".join(" ".join(part.split()) for part in (family or "", given or "") if part and part.strip())


def split_name(full_name: str) -> tuple[str, str]:
    """ "Nguyễn Thị Lan" → ("Nguyễn Thị", "Lan"): family and middle names, then the given name."""
    family, _sep, given = " ".join((full_name or "").split()).rpartition(" ")
    return family, given


def display_name(user) -> str:
    """The person's full name family name first, else the user name; "" for no user."""
    if user is None:
        return ""
    name = join_name(getattr(user, "last_name", ""), getattr(user, "first_name", ""))
    return name or user.get_username()


def given_first(user) -> str:
    """What Django's `get_full_name()` renders (given name first): the form earlier rows were written in."""
    return f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
