"""Charts drawn on the server as SVG: no CDN, no JavaScript, readable by screen readers.

Each chart carries a <title> and a <desc> and is labelled by them; the page always prints the
same figures in a table as well, so the chart is never the only way to read a number. A missing
value ("không có dữ liệu") is drawn as a gap and said so in the text, never as zero.
Pure Python: the callers pass plain labels and numbers, the words and the decimal mark of the page's
language (`no_data`, `decimal`), and mark the result safe.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal | None

INK = "#1a1a1a"
MUTED = "#555555"
GRID = "#d0d4da"
BRAND = "#a3181d"
OK = "#1e6b34"
LINK = "#0b4f9c"
WARN = "#b26b00"
SERIES = (BRAND, LINK, OK, WARN, "#6b3fa0")

_ids = itertools.count(1)


def gettext_noop(message: str) -> str:
    """Marks a string for the catalogue (makemessages extracts this name); the caller translates it."""
    return message


NO_DATA = gettext_noop("Không có dữ liệu")


def _fmt(value: Number, unit: str = "%", decimal: str = ",") -> str:
    """44.4 -> "44,4%" (Vietnamese) or "44.4%" (decimal="."); counts grouped by the other mark."""
    if value is None:
        return "—"
    grouping = "." if decimal == "," else ","
    if unit == "%":
        text = f"{float(value):.1f}".replace(".", decimal)
    else:
        text = f"{int(value):,}".replace(",", grouping)
    return f"{text}{unit if unit == '%' else ''}"


def _open(width: int, height: int, title: str, desc: str, css: str = "chart") -> tuple[str, str]:
    n = next(_ids)
    tid, did = f"chart-t{n}", f"chart-d{n}"
    head = (
        f'<svg class="{css}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{tid} {did}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def line_chart(points: Sequence[tuple[str, Number]], title: str, desc: str | None = None, y_max: float = 100.0,
               unit: str = "%", decimal: str = ",") -> str:
    """A trend line (e.g. the on-time rate by month); gaps where a month has no data."""
    width, height, left, right, top, bottom = 640, 240, 58, 30, 14, 40  # room for the last month label
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(points), 1)
    step = plot_w / max(n - 1, 1)
    desc = desc or "; ".join(f"{label}: {_fmt(v, unit, decimal)}" for label, v in points)
    head, tail = _open(width, height, title, desc)
    out = [head]
    for i in range(5):
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        tick = f"{value:.0f}%" if unit == "%" else _fmt(value, unit, decimal)
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    segments, current = [], []
    for i, (label, value) in enumerate(points):
        x = left + step * i if n > 1 else left + plot_w / 2
        every = -(-n // 6)  # at most about six labels on the axis; every point keeps its own <title>
        if (n - 1 - i) % every == 0:
            out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        y = top + plot_h - plot_h * min(float(value), y_max) / y_max
        current.append((x, y, label, value))
    if current:
        segments.append(current)
    for seg in segments:
        if len(seg) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in seg)
            out.append(f'<polyline points="{path}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
        for x, y, label, value in seg:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BRAND}"><title>{escape(label)}: {_fmt(value, unit, decimal)}</title></circle>'
            )
    out.append(tail)
    return "".join(out)


def bar_chart(items: Sequence[tuple[str, Number]], title: str, desc: str | None = None, max_value: float | None = 100.0,
              unit: str = "%", decimal: str = ",") -> str:
    """Horizontal bars, one per unit (e.g. the ranking by on-time rate), value printed at the end."""
    row_h, left, right, top = 26, 200, 70, 8
    width = 640
    height = top * 2 + row_h * max(len(items), 1)
    peak = max_value or max((float(v) for _, v in items if v is not None), default=1.0) or 1.0
    desc = desc or "; ".join(f"{label}: {_fmt(v, unit, decimal)}" for label, v in items)
    head, tail = _open(width, height, title, desc)
    out = [head]
    plot_w = width - left - right
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        short = label if len(label) <= 30 else label[:29] + "…"
        out.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="{INK}">{escape(short)}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{plot_w}" height="{row_h - 8}" fill="#eef0f3"/>')
        if value is not None:
            w = plot_w * min(float(value), peak) / peak
            out.append(f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{OK if unit == "%" else LINK}"/>')
        out.append(f'<text x="{width - right + 6}" y="{y + 17}" fill="{INK}">{_fmt(value, unit, decimal)}</text>')
    out.append(tail)
    return "".join(out)


def share_bar(parts: Sequence[tuple[str, Number]], title: str, desc: str | None = None, no_data: str = NO_DATA,
              decimal: str = ",") -> str:
    """One 100% bar split by share (e.g. the channel mix), with a legend below it.

    `no_data` is what an empty bar says, in the page's language: `gettext(charts.NO_DATA)`."""
    width, height = 640, 90
    total = sum(float(v or 0) for _, v in parts)
    desc = desc or "; ".join(
        f"{label}: {_fmt(v, '', decimal)} ({_fmt(100 * float(v or 0) / total if total else None, decimal=decimal)})" for label, v in parts
    )
    head, tail = _open(width, height, title, desc)
    out = [head]
    x = 10.0
    plot_w = width - 20
    if not total:
        out.append(f'<rect x="10" y="10" width="{plot_w}" height="30" fill="#eef0f3"/>')
        out.append(f'<text x="{width / 2}" y="30" text-anchor="middle" fill="{MUTED}">{escape(no_data)}</text>')
    for i, (label, value) in enumerate(parts):
        color = SERIES[i % len(SERIES)]
        if total and value:
            w = plot_w * float(value) / total
            out.append(f'<rect x="{x:.1f}" y="10" width="{w:.1f}" height="30" fill="{color}"><title>{escape(label)}</title></rect>')
            x += w
        lx = 10 + i * 210
        share = _fmt(100 * float(value or 0) / total if total else None, decimal=decimal)
        out.append(f'<rect x="{lx}" y="56" width="14" height="14" fill="{color}"/>')
        out.append(f'<text x="{lx + 20}" y="68" fill="{INK}">{escape(label)}: {share}</text>')
    out.append(tail)
    return "".join(out)
