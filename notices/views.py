"""Pages of the notices app: the signed-in user's inbox of in-app notices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organisation.selectors import is_staff_member

from . import selectors, services

PAGE_SIZE = 25


@require_GET
@login_required
def inbox(request):
    unread_only = request.GET.get("chua-doc") == "1"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {
        "page": page,
        "unread_only": unread_only,
        "query": "chua-doc=1" if unread_only else "",
        "unread_total": selectors.unread_count(request.user),
        "is_staff_member": is_staff_member(request.user),
    })


@require_POST
@login_required
def mark_read(request):
    """Mark one notice read (`id`), or all of them; back to where the user was."""
    raw = request.POST.get("id")
    if raw:
        try:
            ids = [int(raw)]
        except ValueError:
            messages.error(request, _("Thông báo không hợp lệ."))
            return redirect("notices:inbox")
        services.mark_read(request.user, ids)
    else:
        count = services.mark_read(request.user)
        messages.success(request, _("Đã đánh dấu %(n)d thông báo là đã đọc.") % {"n": count})
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("notices:inbox")
