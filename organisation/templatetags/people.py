"""`{{ user|full_name }}`: a person's full name family name first (organisation.names.display_name)."""

from django import template

from organisation.names import display_name

register = template.Library()


@register.filter
def full_name(user) -> str:
    return display_name(user)
