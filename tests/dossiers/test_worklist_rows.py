"""The worklist rows and the deadline badges built in Python (dossiers/templatetags/dossier_tags.py) give the
HTML the templates gave cell by cell: the reference below is the row, badge and risk templates the screens used
before, rendered by Django's template engine, for every shape of row, in both languages."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, engines
from django.utils import translation

from dossiers.models import Dossier, Status
from procedures.models import Procedure

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

OLD_BADGE = """{% load i18n %}{% if urgency == 0 %}<span class="badge late">{% translate "Quá hạn" %}</span>{% elif urgency == 1 %}<span class="badge soon">{% translate "Sắp đến hạn" %}</span>{% elif urgency == 2 %}<span class="badge ok">{% if verdict == "early" %}{% translate "Trước hạn" %}{% elif verdict == "on_time" %}{% translate "Đúng hạn" %}{% else %}{% translate "Trong hạn" %}{% endif %}</span>{% else %}<span class="muted">—</span>{% endif %}"""
OLD_RISK = """{% load i18n %}{% widthratio probability 1 100 as percent %}<span class="badge risk">{% translate "Nguy cơ trễ hạn" %}</span> <small class="risk-reason">{% blocktranslate %}Khả năng trễ hạn {{ percent }}%.{% endblocktranslate %} {{ text }}</small>"""
OLD_ROWS = """{% load i18n %}{% for d in rows %}
    <tr class="urgency-{{ d.urgency }}">
      <td data-label="{% translate 'Mã hồ sơ' %}"><a href="{% url 'dossiers:detail' d.ref %}">{{ d.reference }}</a>{% if not d.code %}<br><small class="muted">{% translate "chưa cấp mã" %}</small>{% endif %}</td>
      <td data-label="{% translate 'Người nộp' %}">{{ d.applicant_name }}{% if d.applicant_phone %}<br><small class="muted">{{ d.applicant_phone }}</small>{% endif %}</td>
      <td data-label="{% translate 'Thủ tục' %}">{{ d.procedure.name }}</td>
      <td data-label="{% translate 'Tiếp nhận' %}">{% if d.received_at %}{{ d.received_at|date:"H:i d/m/Y" }}{% elif d.submitted_at %}<span class="muted">{% translate "Nộp" %} {{ d.submitted_at|date:"H:i d/m/Y" }}</span>{% else %}—{% endif %}</td>
      <td data-label="{% translate 'Hẹn trả' %}">{{ d.appointment_at|date:"H:i d/m/Y"|default:"—" }}</td>
      <td data-label="{% translate 'Trạng thái' %}">{{ d.get_status_display }}</td>
      <td data-label="{% translate 'Thời hạn' %}">{% include "old_badge" with urgency=d.urgency verdict=d.verdict %}{% if d.at_risk %}<br>{% include "old_risk" with text=d.risk_text probability=d.risk_probability %}{% endif %}</td>
    </tr>
{% endfor %}"""


def render(source: str, **context) -> str:
    engine = engines["django"].engine
    partials = {"old_badge": engine.from_string(OLD_BADGE), "old_risk": engine.from_string(OLD_RISK)}
    template = engine.from_string(source.replace('"old_badge"', "old_badge").replace('"old_risk"', "old_risk"))
    return template.render(Context({**partials, **context}))


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def rows() -> list[Dossier]:
    procedure = Procedure(name="Đăng ký khai sinh <& \"quoted\" 'x'>")
    out = []
    shapes = itertools.product(
        ("000.01.01.H01-261123-0001", None),  # code, or an online submission not received yet (TT-<id>)
        ("0912345678", ""),
        ("received", "submitted", "neither"),
        (0, 1, 2, 3),
        ("early", "on_time", "late", ""),
        (None, 0.625, 0.5, 0.999),  # at risk (widthratio's banker's rounding on .5)
    )
    for i, (code, phone, when, urgency, verdict, risk) in enumerate(shapes, 1):
        d = Dossier(id=i, code=code, applicant_name="Nguyễn Văn <b>An</b> & Co", applicant_phone=phone,
                    status=[Status.SUBMITTED, Status.PROCESSING, Status.DECIDED][i % 3], procedure=procedure,
                    received_at=datetime(2026, 11, 23, 8, 5, tzinfo=TZ) if when == "received" else None,
                    submitted_at=datetime(2026, 11, 22, 23, 59, tzinfo=TZ) if when != "neither" else None,
                    appointment_at=datetime(2026, 11, 30, 17, 0, tzinfo=TZ) if i % 5 else None, verdict=verdict)
        d.ref, d.urgency = d.reference, urgency
        d.at_risk, d.risk_probability = risk is not None, risk
        d.risk_text = "Bước <Thẩm định> thường mất 14 giờ làm việc; còn 6." if risk else ""
        out.append(d)
    return out


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rows_are_the_templates_rows(language):
    dossiers = rows()
    with translation.override(language):
        old = render(OLD_ROWS, rows=dossiers)
        new = render("{% load dossier_tags %}{% worklist_rows rows %}", rows=dossiers)
    assert squeezed(new) == squeezed(old)
    assert len(dossiers) == 768 and new.count("<tr ") == 768


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_badges_are_the_templates_badges(language):
    with translation.override(language):
        for urgency, verdict in itertools.product((0, 1, 2, 3, None), ("early", "on_time", "late", "", None)):
            old = render(OLD_BADGE, urgency=urgency, verdict=verdict)
            assert render("{% load dossier_tags %}{% urgency_badge u v %}", u=urgency, v=verdict) == old
        for probability in (0.0, 0.125, 0.5, 0.615, 1.0):
            old = render(OLD_RISK, text="<b>bước</b> & còn", probability=probability)
            assert render("{% load dossier_tags %}{% risk_note t p %}", t="<b>bước</b> & còn", p=probability) == old


def test_a_reference_is_quoted_in_its_link_as_reverse_quotes_it():
    d = rows()[0]
    d.code = d.ref = "A B é?&'#%"
    with translation.override("vi"):
        old = render(OLD_ROWS, rows=[d])
        new = render("{% load dossier_tags %}{% worklist_rows rows %}", rows=[d])
    assert squeezed(new) == squeezed(old)


OLD_OPTIONS = """{% for p in procedures %}<option value="{{ p.code }}"{% if filters.procedure == p.code %} selected{% endif %}>{{ p.code }} – {{ p.name|truncatechars:60 }}</option>{% endfor %}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_procedure_options_are_the_templates_options(language):
    import unicodedata

    names = ["Đăng ký khai sinh", "x" * 60, "y" * 61, "Cấp giấy phép xây dựng <nhà ở> riêng lẻ & công trình " * 3,
             unicodedata.normalize("NFD", "Đăng ký kết hôn có yếu tố nước ngoài " * 2), unicodedata.normalize("NFD", "ế" * 60)]
    procedures = [Procedure(code=f"1.00{i}&'\"", name=name) for i, name in enumerate(names)]
    for chosen in ("", procedures[3].code, "nothing"):
        filters = type("F", (), {"procedure": chosen})()
        with translation.override(language):
            old = render(OLD_OPTIONS, procedures=procedures, filters=filters)
            new = render("{% load dossier_tags %}{% procedure_options procedures filters.procedure %}",
                         procedures=procedures, filters=filters)
        assert new == old
