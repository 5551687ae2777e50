"""Files made from the report figures: Excel (openpyxl), the period report as PDF (WeasyPrint), open-data CSV/JSON.

Each export writes the same numbers the page shows (the same selectors' rows), as numbers, so that
a spreadsheet can sum them; a rate with no data is an empty cell, never 100 or 0.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .selectors import RATES, Dashboard, Index766, Report, ReportFilter, Row, Unit, row_as_dict

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Dossier lists are capped: a spreadsheet is for reading, the API pages through any number.
MAX_DOSSIER_ROWS = 100_000


def row_columns() -> list[tuple[str, str]]:
    """(attribute, Vietnamese header) of every column of a report row, in page order."""
    return [
        ("received", _("Tiếp nhận")),
        ("finished", _("Đã giải quyết")),
        ("early", _("Trước hạn")),
        ("on_time", _("Đúng hạn")),
        ("late", _("Quá hạn")),
        ("pending_in_time", _("Đang giải quyết còn hạn")),
        ("pending_late", _("Đang giải quyết quá hạn")),
        ("waiting", _("Đang chờ bổ sung")),
        ("on_time_rate", _("Tỷ lệ đúng hạn (%)")),
        ("in_time_rate", _("Tỷ lệ trước hạn, đúng hạn, còn hạn – theo Nghị định 61 (%)")),
        ("national_rate", _("Tỷ lệ trước hạn, đúng hạn, còn hạn – theo Cổng quốc gia, 2.1 (%)")),
        ("online", _("Trực tuyến")),
        ("online_share", _("Tỷ lệ trực tuyến (%)")),
        ("apologised_late", _("Quá hạn đã xin lỗi")),
        ("apologised_late_share", _("Tỷ lệ xin lỗi (%)")),
        ("apology_kept", _("Đã xin lỗi, trả đúng hẹn mới")),
        ("apology_missed", _("Đã xin lỗi, trễ cả hẹn mới")),
        ("supplemented", _("Phải bổ sung")),
        ("supplement_rounds", _("Số lượt bổ sung")),
        ("rated", _("Lượt đánh giá")),
        ("satisfaction_rate", _("Tỷ lệ hài lòng (%)")),
    ]


def _value(row: Row, name: str):
    value = getattr(row, name)
    if name in RATES:
        return None if value is None else float(value)
    return value


TREND_COLUMNS = ("received", "finished", "early", "on_time", "late", "pending_in_time", "pending_late", "on_time_rate",
                 "online", "online_share")


def _sheet(wb: Workbook, title: str, first_header: str, rows: list[Row], totals: Row | None = None, first: bool = False,
           only: tuple[str, ...] | None = None):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    cols = [(n, h) for n, h in row_columns() if only is None or n in only]
    ws.append([first_header, *[h for _name, h in cols]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row.label, *[_value(row, n) for n, _h in cols]])
    if totals is not None:
        ws.append([totals.label, *[_value(totals, n) for n, _h in cols]])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 42
    for i in range(2, len(cols) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.freeze_panes = "B2"
    return ws


def _describe(dash_period, unit: Unit | None) -> str:
    where = unit.name if unit else _("Toàn bộ phạm vi được giao")
    return _("%(where)s, từ %(start)s đến %(end)s") % {
        "where": where, "start": dash_period.start.strftime("%d/%m/%Y"), "end": dash_period.end.strftime("%d/%m/%Y"),
    }


def dashboard_workbook(dash: Dashboard, index: Index766 | None = None) -> bytes:
    """Every table of the dashboard, one sheet each, plus the 766 index."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Tổng hợp")
    ws.append([_("Báo cáo tình hình giải quyết hồ sơ")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_describe(dash.period, dash.unit)])
    ws.append([_("Lập lúc"), timezone.localtime().strftime("%H:%M %d/%m/%Y")])
    ws.append([])
    ws.append([_("Chỉ tiêu"), _("Kỳ này"), _("Kỳ trước"), _("Thay đổi")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for name, header in row_columns():
        item = dash.comparison[name]
        conv = (lambda v: None if v is None else float(v)) if name in RATES else (lambda v: v)
        ws.append([header, conv(item["current"]), conv(item["previous"]), conv(item["delta"])])
    ws.column_dimensions["A"].width = 36
    _sheet(wb, _("Đơn vị"), _("Đơn vị"), dash.units, dash.totals)
    kind = _("Thủ tục") if dash.breakdown_kind == "procedure" else _("Lĩnh vực")
    _sheet(wb, kind, kind, dash.breakdown, dash.totals)
    _sheet(wb, _("Kênh nộp"), _("Kênh nộp"), dash.channels, dash.totals)
    _sheet(wb, _("Theo tháng"), _("Tháng"), dash.trend, only=TREND_COLUMNS)
    fb = dash.feedback
    ws = wb.create_sheet(_("Phản ánh kiến nghị"))
    ws.append([_("Chỉ tiêu"), _("Giá trị")])
    for label, value in (
        (_("Tiếp nhận"), fb.received), (_("Khiếu nại, phản ánh không hài lòng"), fb.complaints),
        (_("Đã trả lời hoặc đã đến hạn"), fb.due), (_("Trả lời đúng hạn"), fb.on_time),
        (_("Tỷ lệ xử lý đúng hạn (%)"), None if fb.on_time_rate is None else float(fb.on_time_rate)),
        (_("Được đánh giá"), fb.rated), (_("Hài lòng"), fb.satisfied),
        (_("Tỷ lệ hài lòng (%)"), None if fb.satisfaction_rate is None else float(fb.satisfaction_rate)),
    ):
        ws.append([label, value])
    if index is not None:
        index_sheet(wb, index)
    return _save(wb)


def index_sheet(wb: Workbook, index: Index766):
    ws = wb.create_sheet(_("Chỉ số 766"))
    ws.append([_("Nhóm"), _("Mã"), _("Chỉ số"), _("Công thức"), _("Ngưỡng (%)"), _("Tử số"), _("Mẫu số"),
               _("Tỷ lệ (%)"), _("Điểm tối đa"), _("Điểm"), _("Tính được")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for g in index.result.groups:
        group_name = _(g.group.name)
        for i in g.indicators:
            r = i.rule
            ws.append([
                group_name, r.code, _(r.name), _(r.formula) if i.computable else _(r.reason),
                (r.threshold or 100) if i.computable and r.scored else None,
                i.numerator, i.denominator, None if i.rate is None else float(i.rate), r.max_points if r.scored else None,
                None if i.points is None else float(i.points), _("có") if i.computable else _("không"),
            ])
        ws.append([group_name, "", _("Cộng nhóm"), "", None, None, None, None, g.group.max_points, float(g.points), ""])
    ws.append([_("Tổng"), "", "", "", None, None, None, None, index.result.max_points, float(index.result.points), ""])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["C"].width = 60
    ws.column_dimensions["D"].width = 60
    return ws


def dossiers_workbook(queryset, metric_label: str, flt: ReportFilter) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Hồ sơ"))
    ws.append([metric_label])
    ws.append([_("Mã hồ sơ"), _("Thủ tục"), _("Cơ quan tiếp nhận"), _("Kênh nộp"), _("Tiếp nhận lúc"), _("Hẹn trả"),
               _("Hoàn thành lúc"), _("Đánh giá thời hạn"), _("Trạng thái"), _("Có thư xin lỗi")])
    tz = timezone.get_default_timezone()

    def local(value):
        return value.astimezone(tz).replace(tzinfo=None) if value else None

    for d in queryset[:MAX_DOSSIER_ROWS]:
        has_apology = hasattr(d, "apology")
        ws.append([
            d.code, f"{d.procedure.code} {d.procedure.name}", d.agency.name, str(d.get_channel_display()), local(d.received_at),
            local(d.appointment_at), local(d.finished_at), str(d.get_verdict_display()) if d.verdict else "", str(d.status_label),
            str(_("có")) if has_apology else "",
        ])
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def font_url() -> str:
    """The DejaVu Sans font as a file URL, so WeasyPrint prints Vietnamese without any network."""
    path = finders.find("fonts/DejaVuSans.ttf") or str(Path(settings.BASE_DIR) / "static" / "fonts" / "DejaVuSans.ttf")
    return Path(path).resolve().as_uri()


def render_pdf(template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter at INFO

    html = render_to_string(template, {**context, "font_url": font_url()}, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- open data -----------------------------------------------------------------------------------

PUBLIC_COUNTS = ("received", "finished", "early", "on_time", "late", "pending_in_time", "pending_late", "online",
                 "rated", "very_satisfied", "satisfied", "dissatisfied")
PUBLIC_RATES = ("on_time_rate", "online_share", "satisfaction_rate")


def _public_row(row: Row) -> dict:
    full = row_as_dict(row, PUBLIC_COUNTS)
    return {"month": row.key, **{k: full[k] for k in PUBLIC_COUNTS}, **{k: full[k] for k in PUBLIC_RATES}}


def public_csv(unit: Unit, rep: Report) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the Vietnamese text as UTF-8
    writer = csv.writer(out)
    writer.writerow(["agency_code", "agency_name", "month", *PUBLIC_COUNTS, *PUBLIC_RATES])
    for row in [*rep.rows]:
        data = _public_row(row)
        writer.writerow([unit.code, unit.name, *["" if v is None else v for v in data.values()]])
    totals = _public_row(rep.totals)
    totals["month"] = "total"
    writer.writerow([unit.code, unit.name, *["" if v is None else v for v in totals.values()]])
    return out.getvalue()


def public_json(unit: Unit, rep: Report, period) -> str:
    totals = _public_row(rep.totals)
    totals.pop("month")
    return json.dumps({
        "agency": {"code": unit.code, "name": unit.name, "level": unit.level},
        "from": period.start.isoformat(), "to": period.end.isoformat(),
        "definitions": {
            "on_time_rate": "(early + on_time) / finished, %, one decimal; null when nothing finished",
            "online_share": "online / received, %",
            "satisfaction_rate": "(very_satisfied + satisfied) / rated, %",
        },
        "months": [_public_row(r) for r in rep.rows],
        "totals": totals,
    }, ensure_ascii=False, indent=1)
