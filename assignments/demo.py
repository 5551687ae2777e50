"""Demo tasks: the province's directives to its two communes, one task in every state.

Idempotent: when the first directive exists nothing is written again. Times are relative to today, so
the states hold whenever the demo is loaded (in time, due soon, late, done early / on time / late, an
extension granted with the original deadline shown, one refused, one pending, a completion waiting for
the province, one sent back, tasks without a deadline).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from . import services
from .models import Directive


def _at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def seed(context: dict | None = None) -> dict:
    context = context or {}
    province, commune, commune2 = context.get("province"), context.get("commune"), context.get("commune2")
    users = context.get("users") or {}
    assigner, officer, officer2 = users.get("chuyenvientinh"), users.get("chuyenvien"), users.get("chuyenvien2")
    if not all((province, commune, commune2, assigner, officer, officer2)):
        return {}
    if Directive.objects.filter(issuing_agency=province, number="25/CT-UBND").exists():
        return {}
    today = timezone.localdate()
    d0 = today - timedelta(days=70)
    plan = services.create_directive(actor=assigner, number="25/CT-UBND", issued_on=d0, signer="Nguyễn Văn Thắng",
                                     title="Chỉ thị về đẩy mạnh cải cách hành chính, chuyển đổi số năm 2026",
                                     issuing_agency=province)
    plan2 = services.create_directive(actor=assigner, number="112/KH-UBND", issued_on=today - timedelta(days=20),
                                      signer="Trần Hòa Nam", title="Kế hoạch kiểm tra công tác cải cách hành chính",
                                      issuing_agency=province)

    def task(directive, title, lead, *, start, due=None, days=None, support=()):
        return services.assign_task(
            actor=assigner, directive=directive, title=title, lead_agency=lead, supporting_agencies=list(support),
            deadline_kind="working_days" if days else "date" if due else "none", working_days=days,
            due_on=start + timedelta(days=due) if due is not None else None, assigned_at=_at(start, 8), notify=False)

    def done(t, who, day, text="Đã hoàn thành, gửi kèm báo cáo kết quả."):
        t = services.report_completion(t, actor=who, text=text, at=_at(day, 10))
        return services.accept_completion(t, actor=assigner, note="Đạt yêu cầu.", at=_at(day, 16))

    # Done early, on time, late.
    done(task(plan, "Rà soát, đơn giản hóa thủ tục hành chính cấp xã", commune, start=d0, due=30),
         officer, d0 + timedelta(days=25))
    done(task(plan, "Công khai thủ tục hành chính tại Bộ phận Một cửa", commune2, start=d0, due=20),
         officer2, d0 + timedelta(days=20))
    done(task(plan, "Số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực", commune, start=d0, due=30,
              support=[commune2]), officer, d0 + timedelta(days=34))
    # An extension granted before the deadline: done after the original deadline, on time against the new one.
    t = task(plan, "Báo cáo chỉ số hài lòng của người dân quý I", commune2, start=d0, due=21)
    t = services.request_extension(t, actor=officer2, proposed_due_on=t.due_on + timedelta(days=14),
                                   reason="Chờ số liệu khảo sát của tỉnh.", at=_at(d0 + timedelta(days=18)))
    t = services.grant_extension(t, actor=assigner, note="Đồng ý.", at=_at(d0 + timedelta(days=19)))
    done(t, officer2, t.due_on)
    # Refused, and then late and still open.
    t = task(plan, "Triển khai thanh toán trực tuyến phí, lệ phí", commune, start=d0, due=40)
    t = services.request_extension(t, actor=officer, proposed_due_on=t.due_on + timedelta(days=30),
                                   reason="Chưa ký hợp đồng với ngân hàng.", at=_at(d0 + timedelta(days=38)))
    t = services.refuse_extension(t, actor=assigner, note="Nhiệm vụ trọng tâm, không gia hạn.",
                                  at=_at(d0 + timedelta(days=39)))
    services.report_progress(t, actor=officer, text="Đã làm việc với ngân hàng, đang chờ ký hợp đồng.", percent=60,
                             at=_at(d0 + timedelta(days=45)))
    # Open, in time, with progress; due soon; an extension pending.
    t = task(plan2, "Tự kiểm tra công tác cải cách hành chính năm 2026", commune, start=today - timedelta(days=15),
             due=45)
    services.report_progress(t, actor=officer, text="Đã thành lập tổ tự kiểm tra.", percent=30,
                             at=_at(today - timedelta(days=5)))
    task(plan2, "Cập nhật quy trình nội bộ lên hệ thống", commune2, start=today - timedelta(days=15), due=16)
    t = task(plan2, "Kiện toàn Bộ phận Một cửa cấp xã", commune2, start=today - timedelta(days=10), due=20)
    services.request_extension(t, actor=officer2, proposed_due_on=t.due_on + timedelta(days=15),
                               reason="Chờ quyết định bố trí cán bộ.", at=_at(today - timedelta(days=1)))
    # Completion reported, waiting for the province; one sent back.
    t = task(plan2, "Báo cáo kết quả tiếp nhận hồ sơ trực tuyến", commune, start=today - timedelta(days=12), days=10)
    services.report_completion(t, actor=officer, text="Báo cáo số 45/BC-UBND.", at=_at(today - timedelta(days=2)))
    t = task(plan2, "Rà soát danh mục thủ tục phi địa giới", commune2, start=today - timedelta(days=12), due=25)
    t = services.report_completion(t, actor=officer2, text="Đã rà soát.", at=_at(today - timedelta(days=6)))
    services.return_completion(t, actor=assigner, note="Thiếu danh mục thủ tục lĩnh vực đất đai.",
                               at=_at(today - timedelta(days=4)))
    # Without a deadline: one done, one open.
    done(task(plan, "Tuyên truyền dịch vụ công trực tuyến", commune, start=d0), officer, d0 + timedelta(days=50))
    task(plan, "Duy trì chuyên mục cải cách hành chính trên cổng thông tin", commune2, start=d0)
    return {}
