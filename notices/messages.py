"""The words of each notice, per event. Vietnamese, as citizens receive them."""

from django.utils import timezone

CITIZEN_EVENTS = {
    "received": (
        "Hồ sơ {code} đã được tiếp nhận",
        "Hồ sơ {code} ({procedure}) đã được tiếp nhận lúc {received}. Ngày hẹn trả kết quả: {appointment}. "
        "Tra cứu: mã hồ sơ và 4 số cuối điện thoại.",
    ),
    "submitted": (
        "Đã nhận hồ sơ trực tuyến {ref}",
        "Hồ sơ trực tuyến {ref} ({procedure}) đã được gửi đến {agency} và đang chờ tiếp nhận.",
    ),
    "refused": ("Hồ sơ {code} không được tiếp nhận", "Hồ sơ {code} ({procedure}) không được tiếp nhận. Lý do: {reason}"),
    "supplement_requested": (
        "Hồ sơ {code} cần bổ sung",
        "Hồ sơ {code} ({procedure}) cần bổ sung: {items}. Lý do: {reason}",
    ),
    "payment_requested": (
        "Hồ sơ {code}: yêu cầu nộp phí, lệ phí",
        "Hồ sơ {code} ({procedure}): vui lòng nộp {amount} đồng để tiếp tục giải quyết.",
    ),
    "apology": (
        "Thư xin lỗi về việc chậm trả kết quả hồ sơ {code}",
        "{agency} xin lỗi vì hồ sơ {code} ({procedure}) chậm so với hẹn {old_appointment}. "
        "Ngày hẹn mới: {new_appointment}. Lý do: {reason}",
    ),
    "result_ready": (
        "Hồ sơ {code} đã có kết quả",
        "Hồ sơ {code} ({procedure}) đã có kết quả. Mời ông/bà nhận kết quả theo hình thức đã đăng ký.",
    ),
    "stopped": ("Hồ sơ {code} dừng xử lý", "Hồ sơ {code} ({procedure}) đã dừng xử lý. Lý do: {reason}"),
    "withdrawn": ("Hồ sơ {code} đã rút", "Yêu cầu rút hồ sơ {code} ({procedure}) đã được ghi nhận."),
    "returned": ("Hồ sơ {code} đã trả kết quả", "Hồ sơ {code} ({procedure}) đã trả kết quả lúc {returned}."),
}

STAFF_EVENTS = {
    "due_soon": ("Hồ sơ {code} sắp đến hạn", "Hồ sơ {code} ({procedure}) đến hạn lúc {appointment}."),
    "late": ("Hồ sơ {code} đã quá hạn", "Hồ sơ {code} ({procedure}) đã quá hạn từ {appointment}. Cần lập phiếu xin lỗi (mẫu 04)."),
    "step_due_soon": ("Bước xử lý hồ sơ {code} sắp đến hạn", "Bước “{step}” của hồ sơ {code} đến hạn lúc {due}."),
    "step_late": ("Bước xử lý hồ sơ {code} đã quá hạn", "Bước “{step}” của hồ sơ {code} đã quá hạn từ {due}."),
    "assigned": ("Hồ sơ {code} được giao cho ông/bà", "Hồ sơ {code} ({procedure}) được giao xử lý bước “{step}”, hạn {due}."),
    "submitted_online": ("Hồ sơ trực tuyến mới", "Có hồ sơ trực tuyến mới ({procedure}) chờ tiếp nhận."),
}


def fmt_time(value) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def dossier_context(dossier, **extra) -> dict:
    ctx = {
        "code": dossier.code or "",
        "ref": dossier.code or f"#{dossier.pk}",
        "procedure": dossier.procedure.name,
        "agency": dossier.agency.name,
        "received": fmt_time(dossier.received_at),
        "appointment": fmt_time(dossier.appointment_at),
        "returned": fmt_time(dossier.returned_at),
        "reason": dossier.reason,
    }
    ctx.update({k: fmt_time(v) if hasattr(v, "tzinfo") else v for k, v in extra.items()})
    return ctx


def render(event: str, ctx: dict) -> tuple[str, str]:
    subject, body = CITIZEN_EVENTS.get(event) or STAFF_EVENTS[event]
    return subject.format_map(_Default(ctx)), body.format_map(_Default(ctx))


class _Default(dict):
    def __missing__(self, key):
        return ""
