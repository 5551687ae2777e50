"""Every write about fees and payments: the bill from the catalogue, an online payment through the gateway,
the gateway's confirmation (verified before anything changes), the desk's cash or bank transfer, and the
reconciliation of payments left pending.

The dossier's own change (6 → 4, `paid_at`, its timeline event) is made by the dossier service
`dossiers.services.confirm_payment`, called inside the same transaction.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import services as dossier_services
from dossiers.models import Dossier, FeePayment, Status
from organisation.errors import ActionNotAllowed, DomainError, NotFound, ValidationFailed

from . import fees
from .gateway import SUCCESS, GatewayUnavailable, PaymentOrder, config, get_gateway
from .models import Bill, BillLine, Confirmation, FeeExemption, Method, Outcome, Payment, PaymentStatus

log = logging.getLogger("payments")

# Result codes of the gateway that end an attempt without payment (anything else but "00" and "01").
PENDING_CODE = "01"


class PaymentUnavailable(DomainError):
    """The gateway is down or slow: the citizen is told and may try again; nothing is marked paid."""

    status_code = 503
    default_code = "payment_gateway_unavailable"


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


# --- the bill --------------------------------------------------------------------------------------


def catalogue_lines(procedure, exemption: FeeExemption | None = None) -> list[tuple[str, str, fees.Line]]:
    """The procedure's fee lines (kind, name, line) with the exemption applied; the procedure's single fee
    amount when it has no itemised schedule."""
    items = list(procedure.fee_items.all())
    percent = exemption.percent if exemption else 0
    if items:
        lines = fees.bill_lines([(i.name, i.amount) for i in items], percent)
        return [(i.kind, i.name, line) for i, line in zip(items, lines, strict=True)]
    if procedure.fee_amount:
        (line,) = fees.bill_lines([(_("Lệ phí"), procedure.fee_amount)], percent)
        return [("charge", line.name, line)]
    return []


def _write_bill(dossier, rows, *, exemption=None, actor=None) -> Bill:
    bill = Bill.objects.create(
        dossier=dossier, total=fees.total([line for _k, _n, line in rows]), created_by=actor,
        exemption_name=exemption.name if exemption else "", exemption_percent=exemption.percent if exemption else 0,
    )
    BillLine.objects.bulk_create([
        BillLine(bill=bill, order=n, name=line.name, kind=kind, amount=line.amount, exempted=line.exempted)
        for n, (kind, _name, line) in enumerate(rows)
    ])
    return bill


def request_fee(dossier, *, actor, exemption_id=None, expected_version=None) -> Dossier:
    """Ask for the fee from the catalogue's lines (with the exemption chosen): the bill is written and the
    dossier goes 4 → 6 through the dossier service, in one transaction."""
    exemption = None
    if exemption_id not in (None, ""):
        exemption = FeeExemption.objects.filter(pk=exemption_id, procedure_id=dossier.procedure_id).first()
        if exemption is None:
            msg = _("Đối tượng miễn, giảm không thuộc thủ tục này.")
            raise ValidationFailed(msg, fields={"exemption": [msg]})
    rows = catalogue_lines(dossier.procedure, exemption)
    total = fees.total([line for _k, _n, line in rows])
    if total <= 0:
        raise ValidationFailed(_("Hồ sơ không phải nộp phí, lệ phí (thủ tục miễn phí hoặc được miễn)."),
                               code="nothing_to_pay")
    with transaction.atomic():
        updated = dossier_services.request_payment(dossier, actor=actor, amount=total,
                                                   expected_version=expected_version)
        Bill.objects.filter(dossier=updated).delete()
        _write_bill(updated, rows, exemption=exemption, actor=actor)
    return updated


def bill_for(dossier) -> Bill | None:
    """The dossier's bill; for a fee asked as a single amount (the desk's generic action), a one-line bill."""
    bill = Bill.objects.filter(dossier=dossier).prefetch_related("lines").first()
    if bill is not None or not dossier.fee_amount:
        return bill
    with transaction.atomic():
        line = fees.Line(_("Phí, lệ phí theo yêu cầu của cơ quan giải quyết"), dossier.fee_amount)
        try:
            with transaction.atomic():
                _write_bill(dossier, [("charge", line.name, line)])
        except IntegrityError:
            pass
    return Bill.objects.filter(dossier=dossier).prefetch_related("lines").first()


# --- online payment --------------------------------------------------------------------------------


def _new_transaction_id() -> str:
    return "MC" + timezone.now().strftime("%y%m%d") + secrets.token_hex(6).upper()


def start_online_payment(dossier, *, citizen, return_url: str, callback_url: str) -> Payment:
    """Register a payment at the gateway and return it with the URL the citizen goes to.

    The attempt is written (pending) before the gateway is called, so an answer that arrives after a
    time-out still finds it; when the gateway fails the attempt is closed and PaymentUnavailable raised.
    """
    cfg = config()
    with transaction.atomic():
        d = Dossier.objects.select_for_update(of=("self",)).select_related("procedure").get(pk=dossier.pk)
        if d.citizen_id is None or d.citizen_id != getattr(citizen, "pk", None):
            raise NotFound(_("Không tìm thấy hồ sơ."))
        if d.status != Status.PAYMENT_REQUESTED:
            raise ActionNotAllowed(_("Hồ sơ không ở trạng thái chờ nộp phí, lệ phí."), code="not_awaiting_payment")
        if Payment.objects.filter(dossier=d, credited=True).exists():
            raise ActionNotAllowed(_("Hồ sơ đã được nộp phí, lệ phí."), code="already_paid")
        bill = bill_for(d)
        payment = Payment.objects.create(
            dossier=d, method=Method.ONLINE, amount=bill.total, gateway=cfg.name,
            transaction_id=_new_transaction_id(), created_by=citizen,
        )
        lines = [{"name": line.name, "amount": line.due} for line in bill.lines.all()]
    order = PaymentOrder(
        transaction_id=payment.transaction_id, amount=payment.amount, dossier_code=d.reference,
        procedure_code=d.procedure.code, payer_name=d.applicant_name,
        description=_("Nộp phí, lệ phí hồ sơ %(code)s") % {"code": d.reference}, lines=lines,
        return_url=return_url, callback_url=callback_url,
    )
    try:
        url = get_gateway(cfg.name).create_payment(order)
    except GatewayUnavailable as exc:
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=PaymentStatus.FAILED, note=f"gateway: {exc}"[:255])
        raise PaymentUnavailable(
            _("Cổng thanh toán hiện không phản hồi. Hồ sơ chưa được ghi nhận đã nộp; vui lòng thử lại sau ít phút.")
        ) from None
    Payment.objects.filter(pk=payment.pk).update(payment_url=url)
    payment.payment_url = url
    return payment


def _paid_at(value) -> datetime:
    try:
        naive = datetime.strptime(str(value), "%Y%m%d%H%M%S")
    except (TypeError, ValueError):
        return timezone.now()
    return min(timezone.make_aware(naive), timezone.now())


def _receipt_number(payment: Payment, given) -> str:
    given = str(given or "").strip()[:64]
    return given or f"BL{timezone.localtime(payment.paid_at):%y%m%d}-{payment.pk:06d}"


def _log(cfg, source, payload, outcome, reason="", *, payment=None, remote_addr=None) -> Confirmation:
    if outcome == Outcome.REFUSED:
        log.warning("payment confirmation refused (%s) from %s via %s: transaction %s", reason, remote_addr, source,
                    str(payload.get("transaction_id", ""))[:100])
    else:
        log.info("payment confirmation %s (%s) via %s: transaction %s", outcome, reason, source,
                 str(payload.get("transaction_id", ""))[:100])
    return Confirmation.objects.create(
        gateway=cfg.name, source=source, transaction_id=str(payload.get("transaction_id", ""))[:100],
        payment=payment, payload=payload, outcome=outcome, reason=reason, remote_addr=remote_addr,
    )


def _clean_payload(payload) -> dict:
    """A flat dict of short strings: what we sign, compare and store."""
    out = {}
    for key, value in dict(payload).items():
        if isinstance(value, list):
            value = value[0] if value else ""
        out[str(key)[:64]] = "" if value is None else str(value)[:500]
    return dict(list(out.items())[:40])


def handle_confirmation(payload, *, source: str, remote_addr: str | None = None) -> Confirmation:
    """Act on a gateway's confirmation only once it is verified: the checksum with the confirmation key, our
    client id, a transaction we started, its dossier, its amount, and a gateway transaction not used by any
    other payment. A refused confirmation changes nothing but the log; a repeated one is harmless; one that
    arrives after the dossier was paid otherwise is recorded and the payment flagged for refund."""
    cfg = config()
    data = _clean_payload(payload)
    if not cfg.confirmation_valid(data):
        return _log(cfg, source, data, Outcome.REFUSED, "bad_signature", remote_addr=remote_addr)
    if data.get("client_id") != cfg.client_id:
        return _log(cfg, source, data, Outcome.REFUSED, "wrong_client", remote_addr=remote_addr)
    payment = Payment.objects.filter(transaction_id=data.get("transaction_id", ""), gateway=cfg.name,
                                     method=Method.ONLINE).first()
    if payment is None:
        return _log(cfg, source, data, Outcome.REFUSED, "unknown_transaction", remote_addr=remote_addr)
    try:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=payment.dossier_id)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            return _apply(cfg, source, data, payment, dossier, remote_addr)
    except IntegrityError:
        # The same gateway transaction credited elsewhere in a concurrent request, or a receipt number clash.
        return _log(cfg, source, data, Outcome.REFUSED, "transaction_reused", payment=payment,
                    remote_addr=remote_addr)


def _apply(cfg, source, data, payment: Payment, dossier: Dossier, remote_addr) -> Confirmation:
    def refuse(reason):
        return _log(cfg, source, data, Outcome.REFUSED, reason, payment=payment, remote_addr=remote_addr)

    if data.get("dossier_code") != dossier.reference:
        return refuse("other_dossier")
    try:
        amount = int(data.get("trans_amount", ""))
    except ValueError:
        return refuse("wrong_amount")
    if amount != payment.amount:
        return refuse("wrong_amount")
    code = data.get("result_code", "")
    gateway_txn = data.get("gateway_transaction_id", "").strip()[:64]
    if code == PENDING_CODE:
        return _log(cfg, source, data, Outcome.DUPLICATE, "still_pending", payment=payment, remote_addr=remote_addr)
    if code != SUCCESS:
        if payment.status == PaymentStatus.PAID:
            return refuse("contradicts_paid")
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.CANCELLED if code == "24" else PaymentStatus.FAILED
            payment.note = f"result_code {code}"[:255]
            payment.save(update_fields=["status", "note"])
        return _log(cfg, source, data, Outcome.FAILED, f"result_{code}"[:40], payment=payment, remote_addr=remote_addr)
    if not gateway_txn:
        return refuse("no_gateway_transaction")
    if payment.status == PaymentStatus.PAID:
        if payment.gateway_transaction_id == gateway_txn:
            return _log(cfg, source, data, Outcome.DUPLICATE, "already_applied", payment=payment,
                        remote_addr=remote_addr)
        return refuse("conflicting_transaction")
    if Payment.objects.filter(gateway=cfg.name, gateway_transaction_id=gateway_txn).exclude(pk=payment.pk).exists():
        return refuse("transaction_reused")

    # Verified: the money is the gateway's fact whatever the dossier's state now.
    payment.status, payment.gateway_transaction_id = PaymentStatus.PAID, gateway_txn
    payment.paid_at = _paid_at(data.get("paid_at"))
    payment.receipt_number = _receipt_number(payment, data.get("receipt_no"))
    fields = ["status", "gateway_transaction_id", "paid_at", "receipt_number"]
    already = Payment.objects.filter(dossier=dossier, credited=True).exists()
    if already or dossier.status != Status.PAYMENT_REQUESTED:
        payment.needs_refund = True
        payment.save(update_fields=[*fields, "needs_refund"])
        reason = "already_paid" if already else "dossier_not_awaiting_payment"
        return _log(cfg, source, data, Outcome.LATE, reason, payment=payment, remote_addr=remote_addr)
    payment.credited = True
    payment.save(update_fields=[*fields, "credited"])
    dossier_services.confirm_payment(
        dossier, actor=None, verified=True, at=payment.paid_at, method=FeePayment.ONLINE,
        note=_("Thanh toán trực tuyến %(amount)s đồng, biên lai %(receipt)s")
        % {"amount": _money(payment.amount), "receipt": payment.receipt_number},
    )
    return _log(cfg, source, data, Outcome.ACCEPTED, payment=payment, remote_addr=remote_addr)


# --- the desk --------------------------------------------------------------------------------------


def record_offline_payment(dossier, *, actor, method: str, reference: str = "", expected_version=None) -> Payment:
    """The desk took the fee in cash or by bank transfer: a paid, credited payment with a receipt number,
    and the dossier 6 → 4 through the dossier service (which checks the officer's role), in one transaction."""
    if method not in (Method.CASH, Method.BANK_TRANSFER):
        msg = _("Chọn tiền mặt hoặc chuyển khoản.")
        raise ValidationFailed(msg, fields={"method": [msg]})
    reference = (reference or "").strip()[:100]
    if method == Method.BANK_TRANSFER and not reference:
        msg = _("Vui lòng nhập số chứng từ chuyển khoản.")
        raise ValidationFailed(msg, fields={"reference": [msg]})
    with transaction.atomic():
        updated = dossier_services.confirm_payment(
            dossier, actor=actor, expected_version=expected_version,
            method=FeePayment.TRANSFER if method == Method.BANK_TRANSFER else FeePayment.CASH)
        bill = bill_for(updated)
        payment = Payment.objects.create(
            dossier=updated, method=method, status=PaymentStatus.PAID, amount=bill.total if bill else 0,
            transaction_id=_new_transaction_id(), credited=True, reference=reference, created_by=actor,
            paid_at=updated.paid_at,
        )
        payment.receipt_number = _receipt_number(payment, "")
        payment.save(update_fields=["receipt_number"])
    return payment


# --- reconciliation --------------------------------------------------------------------------------


def reconcile_pending(*, older_than_minutes: int | None = None, limit: int = 200) -> dict:
    """Ask the gateway about online payments still pending after a while (the citizen closed the tab, the
    callback was lost); each signed answer goes through `handle_confirmation` like any other. A payment the
    gateway still does not know after `PAYMENT_PENDING_EXPIRE_HOURS` is closed as failed."""
    minutes = settings.PAYMENT_RECONCILE_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    now = timezone.now()
    pending = list(
        Payment.objects.filter(method=Method.ONLINE, status=PaymentStatus.PENDING,
                               created_at__lte=now - timedelta(minutes=minutes))
        .order_by("last_checked_at", "created_at")[:limit]
    )
    counts = {"checked": 0, "unavailable": 0}
    expire_before = now - timedelta(hours=settings.PAYMENT_PENDING_EXPIRE_HOURS)
    for payment in pending:
        try:
            answer = get_gateway(payment.gateway).query(payment.transaction_id)
        except GatewayUnavailable:
            counts["unavailable"] += 1
            continue
        Payment.objects.filter(pk=payment.pk).update(last_checked_at=now)
        counts["checked"] += 1
        if answer.get("checksum") and answer.get("result_code") != PENDING_CODE:
            confirmation = handle_confirmation(answer, source="query")
            counts[confirmation.outcome] = counts.get(confirmation.outcome, 0) + 1
        if payment.created_at < expire_before:
            Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.FAILED, note="expired unpaid")
    return counts
