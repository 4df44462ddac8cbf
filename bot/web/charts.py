"""The console's plots, drawn on the server as SVG: no script, no CDN, works offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.store import Day

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 34
COLOURS = {"answered": "#2e7d32", "declined": "#c62828", "other": "#9e9e9e"}
SERIES = {"answered": "đã trả lời", "declined": "không tìm thấy", "other": "khác"}


def _frame(inner: str, label: str, height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} '
        f'{height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{inner}</svg>"
    )


def _nice_top(value: float) -> float:
    """The axis's top: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value:
        scale /= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _axis(top: float, unit: str = "") -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for k in range(5):
        value = top * k / 4
        y = TOP + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{value:g}{escape(unit)}</text>"
        )
    return "".join(parts)


def _day_labels(days: Sequence[Day], step_x: float) -> str:
    every = max(1, len(days) // 10)
    labels = []
    for k, day in enumerate(days):
        if k % every == 0 or k == len(days) - 1:
            x = LEFT + step_x * (k + 0.5)
            labels.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{day.day.day}/{day.day.month}</text>"
            )
    return "".join(labels)


def questions_per_day(days: Sequence[Day]) -> str:
    """Stacked bars: answered, declined and other questions of each day."""
    top = _nice_top(max((d.answered + d.declined + d.other for d in days), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    step_x = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    bars = []
    for k, day in enumerate(days):
        y = TOP + plot_h
        for series in ("answered", "declined", "other"):
            count = getattr(day, series)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            bars.append(
                f'<rect class="{series}" x="{LEFT + step_x * k + step_x * 0.15:.1f}" '
                f'y="{y:.1f}" width="{step_x * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[series]}"><title>{day.day:%d/%m}: {count} '
                f"{SERIES[series]}</title></rect>"
            )
    label = "Số câu hỏi mỗi ngày (đã trả lời, không tìm thấy, khác)"
    return _frame(_axis(top) + "".join(bars) + _day_labels(days, step_x), label)


def latency_per_day(days: Sequence[Day]) -> str:
    """Median and 95th-percentile answer time of each day, in seconds."""
    values = [v for d in days for v in (d.median_ms, d.p95_ms) if v is not None]
    top = _nice_top(max(values, default=0) / 1000)
    plot_h = HEIGHT - TOP - BOTTOM
    step_x = (WIDTH - LEFT - RIGHT) / max(1, len(days))
    lines = []
    for name, attr, colour in (("trung vị", "median_ms", "#1565c0"), ("p95", "p95_ms", "#ef6c00")):
        points = [
            (LEFT + step_x * (k + 0.5), TOP + plot_h - plot_h * (v / 1000) / top, d, v)
            for k, d in enumerate(days)
            if (v := getattr(d, attr)) is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            lines.append(
                f'<polyline class="{attr}" fill="none" stroke="{colour}" points="{path}"/>'
            )
        for x, y, d, v in points:
            lines.append(
                f'<circle class="{attr}" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{d.day:%d/%m}: {name} {v / 1000:.2f} s</title></circle>"
            )
    label = "Thời gian trả lời mỗi ngày (trung vị và p95, giây)"
    return _frame(_axis(top, " s") + "".join(lines) + _day_labels(days, step_x), label)


def horizontal_bars(counts: dict[str, int], label: str, colour: str = "#c62828") -> str:
    """One bar per item, the largest first (declines by reason, 👎 by reason)."""
    items = sorted(counts.items(), key=lambda kv: -kv[1])
    if not items:
        return f'<p class="empty">{escape(label)}: chưa có.</p>'
    row_h = 26
    height = TOP + row_h * len(items) + 8
    top = max(v for _, v in items)
    text_w = 260
    plot_w = WIDTH - text_w - RIGHT - 40
    rows = []
    for k, (name, value) in enumerate(items):
        y = TOP + row_h * k
        w = plot_w * value / top
        rows.append(
            f'<text x="{text_w - 8}" y="{y + 16}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{text_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
            f'fill="{colour}"><title>{escape(name)}: {value}</title></rect>'
            f'<text x="{text_w + w + 6:.1f}" y="{y + 16}">{value}</text>'
        )
    return _frame("".join(rows), label, height)
