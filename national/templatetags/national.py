"""`{% national_sync dossier %}`: the dossier's sync state on its page (staff), with the resend button
for an administrator."""

from django import template

from ..selectors import sync_state

register = template.Library()


@register.inclusion_tag("national/_sync_state.html", takes_context=True)
def national_sync(context, dossier):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"dossier": dossier, "sync": sync_state(dossier), "csrf_token": context.get("csrf_token"),
            "can_resend": bool(user and user.is_superuser), "next": request.get_full_path() if request else ""}
