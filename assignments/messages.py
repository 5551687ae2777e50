"""The words of the task notices, in the portal's language (as notices.messages does for dossiers)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

EVENTS = {
    "task_assigned": (
        _("Nhiệm vụ mới: {title}"),
        _("{assigner} giao {lead} chủ trì nhiệm vụ “{title}” theo văn bản {directive}. Hạn hoàn thành: {due}."),
    ),
    "task_extension_requested": (
        _("Đề nghị gia hạn nhiệm vụ: {title}"),
        _("{lead} đề nghị gia hạn nhiệm vụ “{title}” từ {old_due} đến {new_due}. Lý do: {reason}"),
    ),
    "task_extension_granted": (
        _("Đồng ý gia hạn nhiệm vụ: {title}"),
        _("{assigner} đồng ý gia hạn nhiệm vụ “{title}” đến {due} (hạn ban đầu {original_due})."),
    ),
    "task_extension_refused": (
        _("Không đồng ý gia hạn nhiệm vụ: {title}"),
        _("{assigner} không đồng ý gia hạn nhiệm vụ “{title}”; hạn hoàn thành vẫn là {due}. {note}"),
    ),
    "task_completion_reported": (
        _("Báo cáo hoàn thành nhiệm vụ: {title}"),
        _("{lead} báo cáo đã hoàn thành nhiệm vụ “{title}”. Đề nghị xem xét, xác nhận."),
    ),
    "task_accepted": (
        _("Nhiệm vụ đã được xác nhận hoàn thành: {title}"),
        _("{assigner} xác nhận nhiệm vụ “{title}” đã hoàn thành ({verdict})."),
    ),
    "task_returned": (
        _("Nhiệm vụ bị trả lại: {title}"),
        _("{assigner} chưa xác nhận hoàn thành nhiệm vụ “{title}”, yêu cầu tiếp tục thực hiện. {note}"),
    ),
    "task_due_soon": (
        _("Nhiệm vụ sắp đến hạn: {title}"),
        _("Nhiệm vụ “{title}” ({assigner} giao) đến hạn hoàn thành ngày {due}."),
    ),
    "task_late": (
        _("Nhiệm vụ đã quá hạn: {title}"),
        _("Nhiệm vụ “{title}” ({assigner} giao) đã quá hạn hoàn thành từ ngày {due}."),
    ),
    "task_digest": (
        _("Tổng hợp nhiệm vụ tuần {week}: {agency}"),
        _("{agency} đang thực hiện {open} nhiệm vụ, trong đó {due_soon} sắp đến hạn và {late} đã quá hạn; "
          "{waiting} nhiệm vụ chờ đơn vị giao xác nhận hoàn thành."),
    ),
}


def fmt_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else str(_("không có thời hạn"))


def render(event: str, ctx: dict) -> tuple[str, str]:
    subject, body = EVENTS[event]
    with translation.override(settings.LANGUAGE_CODE):
        values = _Default({k: (str(v) if v is not None else "") for k, v in ctx.items()})
        return str(subject).format_map(values), str(body).format_map(values)


def task_context(task, **extra) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {
            "title": task.title,
            "assigner": task.assigner.name,
            "lead": task.lead_agency.name,
            "directive": task.directive.number,
            "due": fmt_date(task.due_on),
            "original_due": fmt_date(task.original_due_on),
        }
        ctx.update({k: fmt_date(v) if hasattr(v, "strftime") else v for k, v in extra.items()})
    return ctx


class _Default(dict):
    def __missing__(self, key):
        return ""
