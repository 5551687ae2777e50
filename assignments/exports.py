"""The task report and the tasks behind a number as Excel workbooks: the same rows the page shows, as numbers."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import METRIC_LABELS, METRICS, STATE_LABELS, Row, open_state


def report_workbook(rows: list[Row], totals: Row, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Nhiệm vụ")[:31]
    ws.append([title])
    ws.append([_("Đơn vị"), *[str(METRIC_LABELS[m]) for m in METRICS]])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in [*rows, totals]:
        ws.append([row.label, *[row.counts.get(m, 0) for m in METRICS]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 42
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def tasks_workbook(tasks, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Nhiệm vụ")[:31])
    ws.append([title])
    ws.append([_("Mã"), _("Văn bản"), _("Nội dung nhiệm vụ"), _("Đơn vị giao"), _("Đơn vị chủ trì"), _("Ngày giao"),
               _("Hạn ban đầu"), _("Hạn hoàn thành"), _("Hoàn thành"), _("Tình trạng")])
    for t in tasks.iterator(chunk_size=2000):
        ws.append([t.ref, t.directive.number, t.title, t.assigner.name, t.lead_agency.name,
                   t.assigned_at.date() if t.assigned_at else None, t.original_due_on, t.due_on,
                   t.completed_at.date() if t.completed_at else None, str(STATE_LABELS[open_state(t)])])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
