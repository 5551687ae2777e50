"""Pages of online payment: the citizen's payment page, the gateway's return and callback, the electronic
receipt, and the desk's two forms (ask for the fee from the catalogue; record cash or bank transfer)."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossiers.models import Status
from organisation.errors import DomainError, NotFound
from organisation.net import client_ip

from . import selectors, services
from .models import Outcome, Payment

log = logging.getLogger("payments")


def _client_ip(request) -> str | None:
    return client_ip(request) or None


def _allow_form_to_gateway(response):
    """The pay button posts here and is redirected to the gateway's page: the page's Content-Security-Policy
    lets that form go to the configured gateway's origin (and nowhere else)."""
    from urllib.parse import urlsplit

    from .gateway import config

    url = urlsplit(config().url)
    if url.scheme in ("http", "https") and url.netloc:
        response._csp_update = {"form-action": [f"{url.scheme}://{url.netloc}"]}
    return response


def _own(request, ref):
    from citizens.selectors import get_own_dossier

    try:
        return get_own_dossier(request.user, ref)
    except NotFound:
        raise Http404 from None


def _visible(request, ref):
    from dossiers.selectors import get_visible_dossier

    try:
        return get_visible_dossier(request.user, ref)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def citizen_payment(request, ref):
    dossier = _own(request, ref)
    bill = services.bill_for(dossier) if dossier.status == Status.PAYMENT_REQUESTED else selectors.bill_of(dossier)
    context = {
        "dossier": dossier, "bill": bill, "payments": selectors.payments_of(dossier),
        "credited": selectors.credited_payment(dossier),
        "can_pay": dossier.status == Status.PAYMENT_REQUESTED and bill is not None
        and selectors.credited_payment(dossier) is None,
    }
    return _allow_form_to_gateway(render(request, "payments/citizen.html", context))


@login_required
@require_POST
def pay_online(request, ref):
    dossier = _own(request, ref)
    try:
        payment = services.start_online_payment(
            dossier, citizen=request.user,
            return_url=request.build_absolute_uri(reverse("payments:return")),
            callback_url=request.build_absolute_uri(reverse("payments:callback")),
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("payments:citizen", dossier.reference)
    return redirect(payment.payment_url)


MESSAGES = {
    Outcome.ACCEPTED: ("success", gettext_lazy("Đã thanh toán thành công. Hồ sơ tiếp tục được giải quyết.")),
    Outcome.DUPLICATE: ("info", gettext_lazy("Giao dịch đã được ghi nhận trước đó.")),
    Outcome.LATE: ("warning", gettext_lazy("Giao dịch đã được ghi nhận nhưng hồ sơ không còn chờ nộp phí; cơ quan "
                                           "sẽ hoàn trả khoản tiền này.")),
    Outcome.FAILED: ("warning", gettext_lazy("Giao dịch chưa thành công. Ông/bà có thể thanh toán lại.")),
}


@require_GET
def gateway_return(request):
    """The browser back from the gateway: the same verification as the callback, then the dossier's page."""
    confirmation = services.handle_confirmation(request.GET, source="return", remote_addr=_client_ip(request))
    payment = confirmation.payment
    if confirmation.outcome == Outcome.REFUSED or payment is None:
        messages.error(request, _("Không xác thực được kết quả thanh toán; hồ sơ không thay đổi. Nếu ông/bà đã bị "
                                  "trừ tiền, hệ thống sẽ đối soát với cổng thanh toán."))
        return redirect("citizens:dossiers")
    level, text = MESSAGES[confirmation.outcome]
    if confirmation.outcome == Outcome.DUPLICATE and payment.credited:
        # The callback got there first: for the citizen this is simply a successful payment.
        level, text = MESSAGES[Outcome.ACCEPTED]
    getattr(messages, level)(request, str(text))
    return redirect("payments:citizen", payment.dossier.reference)


@csrf_exempt
@require_POST
def gateway_callback(request):
    """The gateway's server-to-server confirmation (JSON or form body); authenticated by its checksum."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return JsonResponse({"result_code": "02", "message": "bad request"}, status=400)
    else:
        payload = request.POST
    confirmation = services.handle_confirmation(payload, source="callback", remote_addr=_client_ip(request))
    if confirmation.outcome == Outcome.REFUSED:
        return JsonResponse({"result_code": "97", "message": confirmation.reason}, status=400)
    return JsonResponse({"result_code": "00", "message": confirmation.outcome})


@login_required
@require_GET
def receipt(request, transaction_id):
    """The electronic receipt (biên lai điện tử), to the dossier's owner or the staff who may see it."""
    payment = Payment.objects.select_related("dossier", "dossier__agency", "dossier__procedure").filter(
        transaction_id=transaction_id, status="paid").first()
    if payment is None:
        raise Http404
    if payment.dossier.citizen_id != request.user.pk:
        _visible(request, payment.dossier.reference)
    bill = selectors.bill_of(payment.dossier)
    return render(request, "payments/receipt.html", {"payment": payment, "dossier": payment.dossier, "bill": bill})


def _staff_dossier(request, ref):
    if not request.user.is_authenticated:
        raise Http404
    dossier = _visible(request, ref)
    return dossier


@require_POST
def desk_request(request, ref):
    dossier = _staff_dossier(request, ref)
    try:
        services.request_fee(dossier, actor=request.user, exemption_id=request.POST.get("exemption") or None,
                             expected_version=request.POST.get("version"))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Đã yêu cầu nộp phí, lệ phí theo biểu phí."))
    return redirect("dossiers:detail", dossier.reference)


@require_http_methods(["POST"])
def desk_record(request, ref):
    dossier = _staff_dossier(request, ref)
    try:
        payment = services.record_offline_payment(
            dossier, actor=request.user, method=request.POST.get("method", ""),
            reference=request.POST.get("reference", ""), expected_version=request.POST.get("version"))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Đã ghi nhận nộp phí, lệ phí; biên lai số %(n)s.") % {"n": payment.receipt_number})
    return redirect("dossiers:detail", dossier.reference)
