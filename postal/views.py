"""The postal service's callback, the citizen's collection request, and the desk's "refresh now"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from organisation.errors import DomainError, NotFound

from . import services
from .carrier import CarrierUnavailable

STATUS = {"refused": 401, "bad_request": 400, "unknown_order": 404}


@csrf_exempt
@require_POST
def callback(request):
    outcome = services.handle_callback(request.body, request.headers.get("X-Postal-Signature"))
    return JsonResponse({"result": outcome}, status=STATUS.get(outcome, 200))


@login_required
@require_POST
def request_collection(request, ref):
    from citizens.selectors import get_own_dossier

    try:
        dossier = get_own_dossier(request.user, ref)
    except NotFound:
        raise Http404 from None
    try:
        services.request_collection(dossier, citizen=request.user, address=request.POST.get("address", ""),
                                    phone=request.POST.get("phone", "")[:30])
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Đã gửi yêu cầu; bưu điện sẽ liên hệ để đến nhận hồ sơ."))
    return redirect("citizens:dossier", dossier.reference)


@require_POST
def desk_refresh(request, ref):
    from dossiers.selectors import get_visible_dossier

    if not request.user.is_authenticated:
        raise Http404
    try:
        dossier = get_visible_dossier(request.user, ref)
    except NotFound:
        raise Http404 from None
    for order in dossier.postal_orders.all():
        if order.is_open:
            try:
                services.refresh(order)
            except CarrierUnavailable:
                messages.error(request, _("Dịch vụ bưu chính hiện không phản hồi; vui lòng thử lại sau."))
                break
    return redirect("dossiers:detail", dossier.reference)
