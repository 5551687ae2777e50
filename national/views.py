"""Pages of the national sync (/dong-bo-quoc-gia/): the share synced per unit and period (indicator 1.4),
the dossiers not synced or failing, and an administrator's resend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers.selectors import is_staff_viewer, visible_dossiers
from organisation.selectors import scoped_agency_ids

from . import selectors, services
from .forms import SyncFilterForm, bounds


@login_required
def overview(request):
    if not is_staff_viewer(request.user):
        raise PermissionDenied
    form = SyncFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    context = {"form": form, "enabled": services.sync_enabled()}
    if data:
        start, end = bounds(data["start"], data["end"])
        scope = scoped_agency_ids(request.user)
        agencies = None if scope is None else sorted(scope)
        rows = selectors.synced_share_by_agency(agencies, start, end)
        total = selectors.synced_share(agencies, start, end)
        qs = visible_dossiers(request.user).filter(received_at__gte=start, received_at__lt=end)
        if data["which"] != "all":
            qs = selectors.filter_by_sync(qs, data["which"])
        qs = (qs.select_related("procedure", "agency").annotate(
            sync_attempts=F("national_sync__attempts"), sync_error=F("national_sync__last_error"),
            sync_at=F("national_sync__synced_at")).order_by("-received_at", "-id"))
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        context.update({"rows": rows, "total": total, "page": page, "which": data["which"],
                        "query": params.urlencode(), "start": data["start"], "end": data["end"]})
    return render(request, "national/overview.html", context, status=200 if data else 400)


@login_required
@require_POST
def resend(request, pk: int):
    if not request.user.is_superuser:
        raise PermissionDenied
    from dossiers.models import Dossier

    dossier = get_object_or_404(Dossier, pk=pk)
    count = services.resend([dossier])
    if count:
        messages.success(request, _("Đã đưa hồ sơ vào hàng đợi gửi lên Cổng quốc gia."))
    else:
        messages.warning(request, _("Hồ sơ chưa được tiếp nhận nên chưa thể gửi lên Cổng quốc gia."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "national:overview"
    return redirect(target)
