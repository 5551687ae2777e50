"""The words of each notice, per event. Vietnamese, as citizens receive them.

The texts are translatable (the English catalogue serves integrators' test systems), but a notice is
rendered in the portal's language (settings.LANGUAGE_CODE), never in the language of the officer's
browser that happened to trigger it: a citizen reads Vietnamese whoever clicked the button.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

CITIZEN_EVENTS = {
    "received": (
        _("Hồ sơ {code} đã được tiếp nhận"),
        _("Hồ sơ {code} ({procedure}) đã được {agency} tiếp nhận lúc {received}. "
          "Thời gian hẹn trả kết quả: {appointment}. "
          "Ông/bà tra cứu tình trạng hồ sơ bằng mã hồ sơ và 4 số cuối của số điện thoại đã đăng ký."),
    ),
    "forwarded": (
        _("Hồ sơ {code} đã được tiếp nhận và chuyển đến {agency}"),
        _("Hồ sơ {code} ({procedure}) đã được tiếp nhận tại {desk} và chuyển đến {agency}, cơ quan có thẩm quyền "
          "giải quyết. Thời hạn giải quyết tính từ khi {agency} tiếp nhận; ông/bà sẽ nhận thông báo khi đó. "
          "Tra cứu hồ sơ bằng mã hồ sơ và 4 số cuối của số điện thoại đã đăng ký."),
    ),
    "submitted": (
        _("Đã nhận hồ sơ trực tuyến {ref}"),
        _("Hồ sơ trực tuyến {ref} ({procedure}) đã được gửi đến {agency} và đang chờ tiếp nhận."),
    ),
    "refused": (
        _("Hồ sơ {code} không được tiếp nhận"),
        _("Hồ sơ {code} ({procedure}) không được tiếp nhận. Lý do: {reason}"),
    ),
    "supplement_requested": (
        _("Hồ sơ {ref} cần bổ sung, hoàn thiện"),
        _("Hồ sơ {ref} ({procedure}) cần bổ sung, hoàn thiện các giấy tờ sau: {items}. Lý do: {reason}. "
          "Hạn bổ sung: {deadline}. {restart}"),
    ),
    "supplement_incomplete": (
        _("Hồ sơ {ref} còn thiếu giấy tờ bổ sung"),
        _("Đã nhận một phần hồ sơ bổ sung của hồ sơ {ref} ({procedure}). Đề nghị ông/bà bổ sung tiếp: {items}. "
          "Hạn bổ sung: {deadline}. Hồ sơ tiếp tục chờ bổ sung đến khi nhận đủ."),
    ),
    "payment_requested": (
        _("Hồ sơ {code}: yêu cầu nộp phí, lệ phí"),
        _("Hồ sơ {code} ({procedure}): đề nghị ông/bà nộp {amount} đồng phí, lệ phí để hồ sơ được tiếp tục giải quyết."),
    ),
    "apology": (
        _("Thư xin lỗi về việc chậm trả kết quả hồ sơ {code}"),
        _("{agency} thành thật xin lỗi ông/bà vì hồ sơ {code} ({procedure}) không trả kết quả đúng hẹn "
          "{old_appointment}. Lý do: {reason}. Thời gian hẹn trả kết quả mới: {new_appointment}."),
    ),
    "appointment_changed": (
        _("Hồ sơ {code}: thời gian hẹn trả kết quả thay đổi"),
        _("Do lịch làm việc thay đổi, thời gian hẹn trả kết quả hồ sơ {code} ({procedure}) được tính lại: "
          "{new_appointment} (trước đây {old_appointment})."),
    ),
    "result_ready": (
        _("Hồ sơ {code} đã có kết quả"),
        _("Hồ sơ {code} ({procedure}) đã có kết quả. Mời ông/bà nhận kết quả theo hình thức đã đăng ký."),
    ),
    "stopped": (
        _("Hồ sơ {code} dừng xử lý"),
        _("Hồ sơ {code} ({procedure}) đã dừng xử lý. Lý do: {reason}"),
    ),
    "withdrawn": (
        _("Hồ sơ {code} đã rút"),
        _("Yêu cầu rút hồ sơ {code} ({procedure}) của ông/bà đã được ghi nhận."),
    ),
    "returned": (
        _("Hồ sơ {code} đã trả kết quả"),
        _("Hồ sơ {code} ({procedure}) đã trả kết quả lúc {returned}."),
    ),
}

STAFF_EVENTS = {
    "due_soon": (
        _("Hồ sơ {code} sắp đến hạn"),
        _("Hồ sơ {code} ({procedure}) đến hạn trả kết quả lúc {appointment}. "
          "Nếu không kịp, lãnh đạo cần ký phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04) trước thời hạn này."),
    ),
    "late": (
        _("Hồ sơ {code} đã quá hạn"),
        _("Hồ sơ {code} ({procedure}) đã quá hạn từ {appointment}. Cần lập phiếu xin lỗi và hẹn lại ngày trả "
          "kết quả (mẫu 04) gửi công dân."),
    ),
    "late_after_apology": (
        _("Hồ sơ {code} đã quá hạn lần thứ hai"),
        _("Hồ sơ {code} ({procedure}) đã quá ngày hẹn mới {appointment} sau khi đã xin lỗi công dân. "
          "Ngày hẹn chỉ được điều chỉnh một lần: cần giải quyết ngay."),
    ),
    "step_due_soon": (
        _("Bước xử lý hồ sơ {code} sắp đến hạn"),
        _("Bước “{step}” của hồ sơ {code} ({procedure}) đến hạn lúc {due}."),
    ),
    "step_late": (
        _("Bước xử lý hồ sơ {code} đã quá hạn"),
        _("Bước “{step}” của hồ sơ {code} ({procedure}) đã quá hạn từ {due}."),
    ),
    "assigned": (
        _("Hồ sơ {code} được giao cho ông/bà"),
        _("Hồ sơ {code} ({procedure}) được giao xử lý bước “{step}”, hạn {due}."),
    ),
    "forwarded_in": (
        _("Hồ sơ phi địa giới {code} chờ tiếp nhận"),
        _("{desk} đã tiếp nhận hồ sơ {code} ({procedure}) và chuyển đến cơ quan; thời hạn giải quyết tính từ khi "
          "cơ quan tiếp nhận."),
    ),
    "submitted_online": (
        _("Hồ sơ trực tuyến mới"),
        _("Có hồ sơ trực tuyến mới ({procedure}) chờ tiếp nhận."),
    ),
}


def fmt_time(value) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def fmt_amount(value) -> str:
    """50000 → "50.000", as amounts are written in Vietnamese."""
    return f"{value:,}".replace(",", ".")


def _fmt(value):
    if isinstance(value, datetime):
        return fmt_time(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return fmt_amount(value)
    return value


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
    ctx.update({k: _fmt(v) for k, v in extra.items()})
    return ctx


def render(event: str, ctx: dict) -> tuple[str, str]:
    """Subject and body of one event, in the portal's language."""
    subject, body = CITIZEN_EVENTS.get(event) or STAFF_EVENTS[event]
    with translation.override(settings.LANGUAGE_CODE):
        return str(subject).format_map(_Default(ctx)), str(body).format_map(_Default(ctx)).strip()


class _Default(dict):
    def __missing__(self, key):
        return ""
