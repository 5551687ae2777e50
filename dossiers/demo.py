"""Demo dossiers: about thirty over the last weeks, made through the real services.

Received times are backdated with `received_at` and each later action with the services' `at`, placed
in working hours after the previous one (an action that would fall after "now" is left for later, so a
recent dossier is simply still in process). Some are returned early, on time or late; some are in
process; one has a supplement round, one a fee, one is at the province (liên thông), one online
submission waits at the desk, some belong to the second commune; two counter visits were not received
(sent back to be completed, refused).

Idempotent: each dossier is keyed by its idempotency key (`demo-<n>`); a dossier already there is
left alone, so a second run creates nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Dossier

log = logging.getLogger(__name__)

PEOPLE = [
    ("Nguyễn Văn An", "079085001234", "0905123401"),
    ("Trần Thị Bích Ngọc", "079190004567", "0914234502"),
    ("Lê Hoàng Nam", "056088007890", "0935345603"),
    ("Phạm Thị Thu Hà", "056192001122", "0967456704"),
    ("Hoàng Minh Tuấn", "079087003344", "0978567805"),
    ("Võ Thị Mai", "056195005566", "0389678906"),
    ("Đặng Quốc Bảo", "079080007788", "0706789007"),
    ("Bùi Thị Lan Anh", "056198009900", "0827890108"),
    ("Đỗ Văn Hùng", "079079002468", "0918901209"),
    ("Ngô Thị Hồng Nhung", "056193001357", "0909012310"),
    ("Huỳnh Tấn Phát", "079091008642", "0932123411"),
    ("Dương Thị Kim Oanh", "056186009753", "0945234512"),
    ("Lý Văn Thành", "079083006420", "0356345613"),
    ("Trịnh Thị Yến", "056199003579", "0888456714"),
    ("Mai Xuân Trường", "079082001590", "0976567815"),
]



@dataclass
class Plan:
    n: int
    agency: str  # "commune" or "commune2"
    procedure: str
    person: int
    hours_ago: int  # working hours between the receipt and now
    # (action, username, when, kwargs); `when` is working hours after the previous action, or
    # ("appt", h): h working hours from the dossier's appointment (negative: before it).
    steps: list = field(default_factory=list)
    channel: str = "counter"
    summary: str = ""


def _flow(desk, officer, head, decide_when, *, extra=(), returned=True, result="Đã giải quyết"):
    rows = [("transfer", desk, 1, {"assignee": officer}), ("transfer", officer, 6, {"assignee": head}), *extra,
            ("decide", head, decide_when, {"result": result})]
    if returned:
        rows.append(("return", desk, 2, {}))
    return rows


def plans() -> list[Plan]:
    c1 = ("motcua", "chuyenvien", "lanhdao")
    c2 = ("motcua2", "chuyenvien2", "chuyenvien2")
    early, on_time, late = ("appt", -12), ("appt", 0), ("appt", 6)
    out = [
        # Returned, commune 1: mostly early, some on time, some late.
        Plan(1, "commune", "1.004873", 0, 200, _flow(*c1, early), summary="Xác nhận để đăng ký kết hôn"),
        Plan(2, "commune", "1.004222", 1, 180, _flow(*c1, early)),
        Plan(3, "commune", "1.004859", 2, 170, _flow(*c1, on_time), summary="Cải chính năm sinh"),
        Plan(4, "commune", "1.004873", 3, 150, _flow(*c1, early)),
        Plan(5, "commune", "2.001035", 4, 140, _flow(*c1, late), summary="Hợp đồng mua bán xe máy"),
        Plan(6, "commune", "1.004194", 5, 130, _flow(*c1, early)),
        Plan(7, "commune", "1.004837", 6, 120, _flow(*c1, on_time)),
        Plan(8, "commune", "1.004222", 7, 110, _flow(*c1, late)),
        Plan(9, "commune", "1.004873", 8, 100, _flow(*c1, early)),
        Plan(10, "commune", "1.001022", 9, 90, _flow(*c1, early)),
        # A fee, paid, then returned.
        Plan(11, "commune", "1.004859", 10, 80, [
            ("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
            ("request-payment", "chuyenvien", 3, {"amount": 15000}),
            ("confirm-payment", "motcua", 2, {"method": "online"}),
            ("transfer", "chuyenvien", 3, {"assignee": "lanhdao"}),
            ("decide", "lanhdao", early, {"result": "Trích lục cải chính hộ tịch"}),
            ("return", "motcua", 1, {}),
        ], summary="Cải chính tên đệm"),
        # One supplement round (the clock restarts), then returned.
        Plan(12, "commune", "1.004194", 11, 75, [
            ("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
            ("request-supplement", "chuyenvien", 4,
             {"items": ["Giấy tờ chứng minh chỗ ở hợp pháp (bản sao chứng thực)"],
              "reason": "Bản sao nộp kèm chưa được chứng thực"}),
            ("supplement", "motcua", 10, {"components": [
                {"name": "Giấy tờ chứng minh chỗ ở hợp pháp (bản sao chứng thực)", "kind": "certified_copy"}]}),
            ("transfer", "chuyenvien", 8, {"assignee": "lanhdao"}),
            ("decide", "lanhdao", early, {"result": "Đã đăng ký thường trú"}),
            ("return", "motcua", 2, {}),
        ]),
        # Withdrawn by the applicant, then stopped by the desk.
        Plan(13, "commune", "1.004222", 12, 60, [
            ("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
            ("withdraw", "motcua", 3, {"reason": "Công dân chuyển nơi ở, xin rút hồ sơ"}),
            ("stop", "motcua", 1, {"reason": "Công dân rút hồ sơ"}),
        ]),
        # Refused after appraisal.
        Plan(14, "commune", "2.001035", 13, 50, [
            ("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
            ("refuse", "chuyenvien", 4, {"reason": "Tài sản đang có tranh chấp, không đủ điều kiện chứng thực"}),
        ]),
        # Decided, waiting at the desk to be handed over.
        Plan(15, "commune", "1.004873", 14, 20, _flow(*c1, ("+", 3), returned=False)),
        # In process: at appraisal, at approval, waiting for the applicant's supplement, for a fee.
        Plan(16, "commune", "1.004194", 0, 12, [("transfer", "motcua", 1, {"assignee": "chuyenvien"})]),
        Plan(17, "commune", "1.004859", 1, 10, [("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
                                                 ("transfer", "chuyenvien", 5, {"assignee": "lanhdao"})]),
        Plan(18, "commune", "1.004222", 2, 9, [
            ("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
            ("request-supplement", "chuyenvien", 3, {"items": ["Bản sao hợp đồng thuê nhà"],
                                                      "reason": "Thiếu giấy tờ chứng minh chỗ ở"}),
        ]),
        Plan(19, "commune", "1.004859", 3, 8, [("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
                                                ("request-payment", "chuyenvien", 2, {"amount": 15000})]),
        # At the province step (liên thông): the commune appraised, the province's tax office holds it.
        Plan(20, "commune", "2.000720", 4, 14, [
            ("transfer", "motcua", 1, {"assignee": "chuyenvien"}),
            ("transfer", "chuyenvien", 5, {"assignee": "chuyenvientinh"}),
        ], summary="Hộ kinh doanh tạp hóa"),
        # Late and still open: the deadline sweep will ask for an apology.
        Plan(21, "commune", "1.004873", 5, 40, [("transfer", "motcua", 1, {"assignee": "chuyenvien"})]),
        # Just received, not yet transferred.
        Plan(22, "commune", "1.004228", 6, 1, []),
        Plan(23, "commune", "1.001193", 7, 2, [], summary="Khai sinh cho con thứ hai"),
        # Second commune.
        Plan(24, "commune2", "1.004873", 8, 160, _flow(*c2, early)),
        Plan(25, "commune2", "1.004222", 9, 120, _flow(*c2, on_time)),
        Plan(26, "commune2", "1.004859", 10, 90, _flow(*c2, late)),
        Plan(27, "commune2", "1.004194", 11, 16, [("transfer", "motcua2", 1, {"assignee": "chuyenvien2"})]),
        Plan(28, "commune2", "2.001035", 12, 3, []),
    ]
    return out


def _applicant(person: int) -> dict:
    name, id_number, phone = PEOPLE[person % len(PEOPLE)]
    return {"full_name": name, "id_number": id_number, "phone": phone,
            "email": f"congdan{person + 1}@example.vn", "address": "Tổ 3, thôn Phú Ân Nam, Khánh Hòa"}


def _when(spec, previous, dossier, agency):
    from worktime.services import add_working_hours

    if isinstance(spec, tuple) and spec[0] == "appt":
        return add_working_hours(dossier.appointment_at, spec[1], agency) if spec[1] >= 0 else \
            _before(dossier.appointment_at, -spec[1], agency)
    hours = spec[1] if isinstance(spec, tuple) else spec
    return add_working_hours(previous, hours, agency)


def _before(moment, hours, agency):
    from worktime.services import subtract_working_hours

    return subtract_working_hours(moment, hours, agency)


def _act(dossier, action, actor, when, kwargs, users):
    kwargs = dict(kwargs)
    if "assignee" in kwargs:
        kwargs["assignee"] = users[kwargs["assignee"]]
    handler = services.ACTIONS[action]
    return handler(dossier, actor=actor, at=when, **kwargs)


def _run(plan: Plan, context: dict, now) -> Dossier | None:
    users, procedures = context["users"], context["procedures"]
    procedure = procedures.get(plan.procedure)
    agency = context.get(plan.agency)
    desk = users.get("motcua" if plan.agency == "commune" else "motcua2")
    if procedure is None or agency is None or desk is None:
        return None
    key = f"demo-{plan.n}"
    if Dossier.objects.filter(created_by=desk, idempotency_key=key).exists():
        return None
    received_at = _before(now, plan.hours_ago, agency)
    dossier = services.intake(
        actor=desk, procedure=procedure, agency=agency, channel=plan.channel, applicant=_applicant(plan.person),
        summary=plan.summary, received_at=received_at, idempotency_key=key,
        # The applicant's ID comes from the population database (Decision 766, 4.5b) where the procedure asks for it.
        components=[{"component": c.pk, "data_source": "population" if "CCCD" in c.name or "căn cước" in c.name.lower()
                     else ""} for c in procedure.components.all() if c.required],
    )
    previous = received_at
    for action, username, spec, kwargs in plan.steps:
        when = max(_when(spec, previous, dossier, agency), previous + timedelta(minutes=5))
        if when >= now:
            break  # not yet: the dossier is still at this point of its life
        dossier = _act(dossier, action, users[username], when, kwargs, users)
        previous = when
    return dossier


def _online(context: dict) -> int:
    """One online submission waiting at the desk, and one the desk has received."""
    users, procedures = context["users"], context["procedures"]
    citizen, procedure, agency = users.get("congdan"), procedures.get("1.004873"), context.get("commune")
    made = 0
    if citizen is None or procedure is None or agency is None:
        return made
    for key, receive in (("demo-online-1", False), ("demo-online-2", True)):
        if Dossier.objects.filter(created_by=citizen, idempotency_key=key).exists():
            continue
        dossier = services.submit_online(
            citizen=citizen, procedure=procedure, agency=agency, applicant=_applicant(0),
            summary="Nộp trực tuyến qua Cổng dịch vụ công", return_method="online", idempotency_key=key,
        )
        if receive:
            services.receive(dossier, actor=users["motcua"])
        made += 1
    return made


def _counter_outcomes(context: dict, now) -> int:
    """Two counter visits that were not received: one sent back to be completed (form 02, waiting for the
    applicant), one refused with its reasons (form 03). Both have their code and register line."""
    users, procedures, agency = context["users"], context["procedures"], context.get("commune")
    desk, procedure = users.get("motcua"), procedures.get("1.004873")
    if desk is None or procedure is None or agency is None:
        return 0
    made = 0
    visits = [
        ("demo-counter-1", 9, 5, {"outcome": "supplement", "reason": "Hồ sơ chưa đủ thành phần",
                                  "items": ["Giấy tờ chứng minh nơi cư trú (bản sao chứng thực)",
                                            "Bản sao Giấy khai sinh"]}),
        ("demo-counter-2", 10, 7, {"outcome": "refuse",
                                   "reason": "Người yêu cầu đã có giấy xác nhận còn giá trị sử dụng, "
                                             "không thuộc trường hợp cấp lại"}),
    ]
    for key, person, hours_ago, outcome in visits:
        if Dossier.objects.filter(created_by=desk, idempotency_key=key).exists():
            continue
        services.intake(
            actor=desk, procedure=procedure, agency=agency, applicant=_applicant(person),
            received_at=_before(now, hours_ago, agency), idempotency_key=key,
            components=[{"component": c.pk} for c in procedure.components.all()[:1]], **outcome,
        )
        made += 1
    return made


def seed(context: dict | None = None) -> dict:
    context = context or {}
    if not context.get("procedures") or not context.get("users"):
        log.info("dossiers demo skipped: no demo catalogue or accounts")
        return {}
    now = timezone.now()
    made = [d for d in (_run(plan, context, now) for plan in plans()) if d is not None]
    online = _online(context)
    counter = _counter_outcomes(context, now)
    return {"dossiers": {d.code: d for d in made}, "demo_dossiers_created": len(made) + online + counter}
