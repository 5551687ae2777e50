"""The signed-in user's unread notice count for the menu (register in TEMPLATES' context processors).

Lazy: the count query runs only on pages whose template shows it.
"""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_notices(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"unread_notice_count": 0}
    return {"unread_notice_count": SimpleLazyObject(lambda: unread_count(user))}
