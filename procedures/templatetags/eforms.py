"""Electronic forms in templates: a dossier's tờ khai as filed, and the fields of a form being filled."""

from django import template

from procedures.formtext import bind

register = template.Library()


@register.simple_tag
def filed_form(dossier):
    """The dossier's tờ khai bound to its values, or None when it was filed without one (no query then)."""
    if dossier is None or getattr(dossier, "form_definition_id", None) is None:
        return None
    return bind(dossier.form_definition.parsed(), dossier.form_data or {})
