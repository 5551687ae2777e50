"""Every write about postal orders: creating them when the dossier reaches the state that needs one, sending
them to the postal service, and applying tracking updates (authenticated callbacks or polling). A delivered
result closes the return (9 → 10) through the dossier service."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dossiers import services as dossier_services
from dossiers.models import Dossier, ReturnMethod, Status
from organisation.errors import ActionNotAllowed, DomainError, NotFound, ValidationFailed

from . import states
from .carrier import CarrierUnavailable, HttpCarrier, signature_valid
from .models import Direction, OrderStatus, PostalOrder, TrackingEvent

log = logging.getLogger("postal")

COLLECTABLE = (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED)


class PostalUnavailable(DomainError):
    status_code = 503
    default_code = "postal_service_unavailable"


def _agency_party(dossier: Dossier) -> dict:
    agency = dossier.agency
    return {"name": agency.name, "address": agency.address or agency.name, "phone": agency.phone}


def _contents_of_dossier(dossier: Dossier) -> str:
    """What the envelope holds: the dossier's components, or the procedure's list when none were recorded."""
    names = ([c.name for c in dossier.components.all()] or [c.name for c in dossier.procedure.components.all()]
             or [dossier.procedure.name])
    return (_("Hồ sơ %(code)s: %(items)s") % {"code": dossier.reference, "items": "; ".join(names)})[:2000]


# A request that waits for the post (the head's decision, the citizen's click) gives it this many seconds at
# most; the background poll, which resends what was not accepted, allows the full POSTAL_TIMEOUT.
INLINE_TIMEOUT = 3.0


def _send(order: PostalOrder, *, inline: bool = False) -> PostalOrder:
    """Send a requested order to the postal service; it stays `requested` (retried by the poll) on failure."""
    if order.carrier_order_id:
        return order
    callback = settings.POSTAL_CALLBACK_URL or (settings.PORTAL_URL.rstrip("/") + "/buu-chinh/callback/")
    carrier = HttpCarrier(timeout=min(INLINE_TIMEOUT, settings.POSTAL_TIMEOUT) if inline else None)
    try:
        answer = carrier.create_order({
            "order_number": order.order_number, "service": order.direction,
            "sender": {"name": order.sender_name, "address": order.sender_address, "phone": order.sender_phone},
            "receiver": {"name": order.receiver_name, "address": order.receiver_address,
                         "phone": order.receiver_phone},
            "contents": order.contents, "callback_url": callback,
        })
    except CarrierUnavailable as exc:
        PostalOrder.objects.filter(pk=order.pk).update(last_error=str(exc)[:255], updated_at=timezone.now())
        order.last_error = str(exc)[:255]
        raise
    with transaction.atomic():
        order = PostalOrder.objects.select_for_update().get(pk=order.pk)
        order.carrier_order_id = str(answer["order_id"])[:64]
        order.last_error = ""
        order.save(update_fields=["carrier_order_id", "last_error", "updated_at"])
        _apply(order, {"id": f"create-{order.carrier_order_id}", "at": timezone.now().isoformat(),
                       "status": answer.get("status") or states.CREATED, "note": ""}, "poll")
    return order


def order_result_delivery_on_signal(sender, dossier_id: int, **kwargs) -> None:
    """Receiver of `dossiers.signals.result_ready_for_post` (connected in `postal.apps`)."""
    order_result_delivery(dossier_id)


def order_result_delivery(dossier_id: int) -> PostalOrder | None:
    """The order to deliver a decided result to the applicant, for a dossier returned by post (idempotent)."""
    dossier = Dossier.objects.select_related("agency", "procedure").get(pk=dossier_id)
    if dossier.return_method != ReturnMethod.POST or dossier.status != Status.DECIDED:
        return None
    agency = _agency_party(dossier)
    try:
        with transaction.atomic():
            order, _created = PostalOrder.objects.get_or_create(
                dossier=dossier, direction=Direction.DELIVER,
                defaults=dict(
                    order_number=dossier.reference, sender_name=agency["name"], sender_address=agency["address"],
                    sender_phone=agency["phone"], receiver_name=dossier.applicant_name,
                    receiver_address=dossier.return_address or dossier.applicant_address,
                    receiver_phone=dossier.applicant_phone,
                    contents=_("Kết quả giải quyết hồ sơ %(code)s: %(result)s")
                    % {"code": dossier.reference, "result": dossier.procedure.result or dossier.procedure.name},
                ),
            )
    except IntegrityError:
        order = PostalOrder.objects.get(dossier=dossier, direction=Direction.DELIVER)
    try:
        return _send(order, inline=True)
    except CarrierUnavailable:
        log.warning("postal order for dossier %s not accepted yet; the poll retries it", dossier_id)
        return order


def request_collection(dossier, *, citizen, address: str, phone: str = "") -> PostalOrder:
    """The applicant asks the post to collect the paper dossier (postal submission) and bring it to the desk."""
    address = (address or "").strip()
    if len(address) < 10:
        msg = _("Vui lòng nhập địa chỉ đầy đủ để bưu điện đến nhận hồ sơ.")
        raise ValidationFailed(msg, fields={"address": [msg]})
    d = Dossier.objects.select_related("agency", "procedure").get(pk=dossier.pk)
    if d.citizen_id is None or d.citizen_id != getattr(citizen, "pk", None):
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if d.status not in COLLECTABLE:
        raise ActionNotAllowed(_("Hồ sơ ở trạng thái này không cần gửi giấy tờ qua bưu điện."),
                               code="not_collectable")
    agency = _agency_party(d)
    try:
        with transaction.atomic():
            order = PostalOrder.objects.create(
                dossier=d, direction=Direction.COLLECT, order_number=d.reference,
                sender_name=d.applicant_name, sender_address=address[:500], sender_phone=phone or d.applicant_phone,
                receiver_name=agency["name"], receiver_address=agency["address"], receiver_phone=agency["phone"],
                contents=_contents_of_dossier(d),
            )
    except IntegrityError:
        raise ActionNotAllowed(_("Đã có yêu cầu bưu điện đến nhận hồ sơ này."), code="already_requested") from None
    try:
        return _send(order, inline=True)
    except CarrierUnavailable:
        raise PostalUnavailable(_("Dịch vụ bưu chính hiện không phản hồi. Yêu cầu đã được ghi nhận và sẽ được gửi "
                                  "lại tự động; ông/bà cũng có thể thử lại sau.")) from None


def _when(value) -> datetime:
    at = parse_datetime(str(value or ""))
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return min(at, timezone.now())


def _apply(order: PostalOrder, event: dict, source: str) -> str:
    """One tracking event on a locked order: recorded once; the status moves only forward; a delivered result
    closes the return. Returns "applied", "recorded" (no move) or "duplicate"."""
    event_id = str(event.get("id") or "")[:64]
    status = str(event.get("status") or "")[:12]
    if not event_id or status not in states.KNOWN:
        return "ignored"
    try:
        with transaction.atomic():
            TrackingEvent.objects.create(order=order, event_id=event_id, at=_when(event.get("at")), status=status,
                                         note=str(event.get("note") or "")[:500], source=source)
    except IntegrityError:
        return "duplicate"
    if not states.advances(order.status, status):
        return "recorded"
    order.status = status
    fields = ["status", "updated_at"]
    if status in states.FINAL:
        order.closed_at = timezone.now()
        fields.append("closed_at")
    order.save(update_fields=fields)
    if status == states.DELIVERED and order.direction == Direction.DELIVER:
        dossier = Dossier.objects.get(pk=order.dossier_id)
        if dossier.status == Status.DECIDED:
            dossier_services.return_result(
                dossier, actor=None, verified=True, at=_when(event.get("at")),
                note=_("Bưu điện đã phát kết quả (vận đơn %(id)s)") % {"id": order.carrier_order_id})
    return "applied"


def apply_event(order_id: int, event: dict, source: str) -> str:
    with transaction.atomic():
        order = PostalOrder.objects.select_for_update().get(pk=order_id)
        # Lock order: the dossier row first when a delivery may close the return, as every dossier action does.
        Dossier.objects.select_for_update(of=("self",)).filter(pk=order.dossier_id).first()
        return _apply(order, event, source)


def handle_callback(body: bytes, signature: str | None) -> str:
    """An update pushed by the postal service, authenticated by the HMAC of its body."""
    if not signature_valid(body, signature):
        log.warning("postal callback refused: bad signature")
        return "refused"
    try:
        data = json.loads(body)
        order_id, number, event = str(data["order_id"]), str(data["order_number"]), dict(data["event"])
    except (ValueError, KeyError, TypeError):
        return "bad_request"
    order = PostalOrder.objects.filter(carrier_order_id=order_id).first()
    if order is None or order.order_number != number:
        log.warning("postal callback refused: unknown order %s / %s", order_id, number)
        return "unknown_order"
    return apply_event(order.pk, event, "callback")


def refresh(order: PostalOrder) -> str:
    """Send a waiting order again, or ask the postal service for an open order's events (polling)."""
    if not order.carrier_order_id:
        _send(order)
        return "sent"
    answer = HttpCarrier().track(order.carrier_order_id)
    results = [apply_event(order.pk, event, "poll") for event in answer.get("events") or [] if isinstance(event, dict)]
    return "applied" if "applied" in results else "unchanged"


def poll_open_orders(limit: int = 500) -> dict:
    counts: dict[str, int] = {}
    open_orders = PostalOrder.objects.exclude(status__in=states.FINAL).order_by("updated_at")[:limit]
    for order in open_orders:
        try:
            outcome = refresh(order)
        except CarrierUnavailable:
            outcome = "unavailable"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def status_label(value: str) -> str:
    return OrderStatus(value).label if value in OrderStatus.values else value
