"""`{{ user|header_name }}`: who is signed in, as the header says it (`citizens.rules.header_label`)."""

from django import template

from organisation.names import join_name

from ..rules import header_label

register = template.Library()


@register.filter
def header_name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return header_label(join_name(user.last_name, user.first_name), user.get_username())
