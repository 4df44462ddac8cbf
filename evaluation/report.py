"""Write an evaluation run to disk: metrics.json, report.md, report.html, per_question.jsonl.

`run_info` is recorded as given; these keys are shown by label when present: questions,
corpus, k, configs, conditions, date, total_seconds, problems (a count or a list).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.metrics import (
    first_gold_rank,
    group_results,
    ranked_docs,
    recall_at,
    recall_ks,
    summarize_all,
)
from evaluation.records import QuestionResult

TITLE = "hoidap evaluation"
BEST_CONFIG = "hybrid"
MAX_FAILURES = 20
NA = "–"  # a rate over an empty group: no question with gold, no quote, …
NOTE = f"{NA} means not applicable: no question in the group has what the metric needs."
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = {"diacritics": "", "no-diacritics": "6 4"}
OTHER_DASH = "2 3"
RUN_FIELDS = (
    ("questions", "Questions file"),
    ("corpus", "Corpus"),
    ("k", "k"),
    ("configs", "Configurations"),
    ("conditions", "Conditions"),
    ("date", "Date"),
    ("total_seconds", "Total time"),
    ("problems", "Problems"),
)


@dataclass(frozen=True)
class Table:
    """A titled table of already formatted cells, rendered to both Markdown and HTML."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    labels: int = 1  # leading text columns; the rest are numbers, aligned right


def write_report(
    out_dir: Path, results: list[QuestionResult], run_info: dict, k: int = 10
) -> dict[str, Any]:
    """Write the four report files into out_dir and return the metrics.json content."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize_all(results, k)
    # round-trip so the returned dict is exactly what metrics.json holds (Paths become str)
    data = json.loads(json.dumps({"run": run_info, "results": summary}, default=str))
    (out_dir / "metrics.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    lines = (json.dumps(r.to_json(k), ensure_ascii=False) for r in results)
    (out_dir / "per_question.jsonl").write_text(
        "".join(line + "\n" for line in lines), encoding="utf-8"
    )
    info = _run_lines(run_info, results, k)
    tables = _tables(results, summary, k)
    (out_dir / "report.md").write_text(_markdown(info, tables), encoding="utf-8")
    charts = [_recall_chart(results, k), *_latency_charts(results)]
    (out_dir / "report.html").write_text(_html(info, tables, charts), encoding="utf-8")
    return data


def _rate(value: float | None) -> str:
    return NA if value is None else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return NA if value is None else f"{value:.1f}"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def _run_lines(run_info: dict, results: list[QuestionResult], k: int) -> list[tuple[str, str]]:
    groups = group_results(results)
    defaults = {
        "k": k,
        "configs": list(groups),
        "conditions": list(dict.fromkeys(c for g in groups.values() for c in g)),
    }
    info = {**defaults, **run_info}
    lines = []
    for key, label in RUN_FIELDS:
        if key not in info:
            continue
        value = info[key]
        if key == "total_seconds" and isinstance(value, int | float):
            lines.append((label, f"{value:.1f} s"))
        elif key == "problems" and isinstance(value, list | tuple):
            lines.append((label, str(len(value))))
        else:
            lines.append((label, _text(value)))
    known = {key for key, _ in RUN_FIELDS}
    lines += [(key, _text(value)) for key, value in run_info.items() if key not in known]
    return lines


def _metric_headers(k: int) -> tuple[str, ...]:
    return (
        *(f"R@{n}" for n in recall_ks(k)),
        f"MRR@{k}",
        f"answer in top {k}",
        "answer contains",
        "cited contains",
        "citation precision",
        "answered (in scope)",
        "abstained (out of scope)",
        "trap safe",
        "all gold cited",
        "p50 ms",
        "p95 ms",
    )


def _metric_cells(s: dict[str, Any], k: int) -> tuple[str, ...]:
    keys = [*(f"recall@{n}" for n in recall_ks(k)), f"mrr@{k}", "answer_in_top_k"]
    keys += ["answer_contains", "cited_contains", "citation_precision"]
    keys += ["answered_in_scope", "abstained_out_of_scope", "trap_safe", "all_gold_cited"]
    latency = s["latency_ms"]
    return (*(_rate(s[key]) for key in keys), _ms(latency["p50"]), _ms(latency["p95"]))


def _conditions(summary: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(cond for by_cond in summary.values() for cond in by_cond))


def _tables(results: list[QuestionResult], summary: dict[str, Any], k: int) -> list[Table]:
    conditions = _conditions(summary)
    tables = []
    for cond in conditions:
        rows = [
            (config, str(s["overall"]["questions"]), *_metric_cells(s["overall"], k))
            for config, by_cond in summary.items()
            if (s := by_cond.get(cond))
        ]
        tables.append(Table(f"Condition: {cond}", ("config", "n", *_metric_headers(k)), rows))
    if len(conditions) > 1:
        tables.append(_side_by_side(summary, conditions, k))
    for cond in conditions:
        by_type = {
            config: by_cond[cond]["by_type"]
            for config, by_cond in summary.items()
            if "by_type" in by_cond.get(cond, {})
        }
        types = sorted({qtype for groups in by_type.values() for qtype in groups})
        rows = [
            (qtype or "(no type)", config, str(s["questions"]), *_metric_cells(s, k))
            for qtype in types
            for config, groups in by_type.items()
            if (s := groups.get(qtype))
        ]
        if rows:
            headers = ("type", "config", "n", *_metric_headers(k))
            tables.append(Table(f"By question type: {cond}", headers, rows, labels=2))
    declined = _declines(summary, conditions)
    if declined is not None:
        tables.append(declined)
    if summary:
        tables.append(_failures(results, summary, conditions, k))
    return tables


def _declines(summary: dict[str, Any], conditions: list[str]) -> Table | None:
    """Declined questions by reason, per configuration and condition."""
    reasons = sorted(
        {
            reason
            for by_cond in summary.values()
            for s in by_cond.values()
            for reason in s["overall"].get("declines", {})
        }
    )
    if not reasons:
        return None
    rows = [
        (config, cond, *(str(s["overall"]["declines"].get(r, 0)) for r in reasons))
        for config, by_cond in summary.items()
        for cond in conditions
        if (s := by_cond.get(cond))
    ]
    return Table("Declined, by reason", ("config", "condition", *reasons), rows, labels=2)


def _side_by_side(summary: dict[str, Any], conditions: list[str], k: int) -> Table:
    metrics = ((f"R@{k}", f"recall@{k}"), (f"MRR@{k}", f"mrr@{k}"))
    metrics += ((f"answer in top {k}", "answer_in_top_k"),)
    headers = ["config"]
    headers += [f"{label} ({cond})" for label, _ in metrics for cond in conditions]
    rows = []
    for config, by_cond in summary.items():
        cells = [config]
        for _, key in metrics:
            for cond in conditions:
                s = by_cond.get(cond)
                cells.append(_rate(s["overall"][key]) if s else NA)
        rows.append(tuple(cells))
    return Table("Conditions side by side", tuple(headers), rows)


def _best_config(summary: dict[str, Any], conditions: list[str], k: int) -> str:
    if BEST_CONFIG in summary:
        return BEST_CONFIG

    def recall(config: str) -> float:
        s = summary[config].get(conditions[0])
        return (s["overall"][f"recall@{k}"] or 0.0) if s else 0.0

    return max(summary, key=recall)  # max keeps the first of equals


def _failures(
    results: list[QuestionResult], summary: dict[str, Any], conditions: list[str], k: int
) -> Table:
    config = _best_config(summary, conditions, k)
    scored = [r for r in results if r.config == config and r.gold_doc_ids]
    misses = [r for r in scored if (rank := first_gold_rank(r)) is None or rank > k]
    misses.sort(key=lambda r: conditions.index(r.condition))  # stable: question order kept
    rows = [
        (
            r.id,
            r.condition,
            r.question,
            ", ".join(r.gold_doc_ids),
            ", ".join(ranked_docs(r.retrieved_doc_ids)[:3]) or NA,
        )
        for r in misses[:MAX_FAILURES]
    ]
    title = f"Failures: {config}, gold document not in top {k} ({len(misses)} of {len(scored)}"
    title += f", first {MAX_FAILURES} shown)" if len(misses) > MAX_FAILURES else ")"
    headers = ("id", "condition", "question", "gold", "top 3 retrieved")
    return Table(title, headers, rows, labels=len(headers))


def _md_cell(text: str) -> str:
    # < and > escaped too, so a question holding HTML stays text wherever the file is rendered
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _markdown(info: list[tuple[str, str]], tables: list[Table]) -> str:
    out = [f"# {TITLE}", ""]
    out += [f"- {label}: {_md_cell(value)}" for label, value in info]
    for table in tables:
        out += ["", f"## {table.title}", ""]
        if not table.rows:
            out.append("None.")
            continue
        out.append("| " + " | ".join(table.headers) + " |")
        aligns = ["---" if i < table.labels else "---:" for i in range(len(table.headers))]
        out.append("|" + "|".join(aligns) + "|")
        out += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in table.rows]
    out += ["", NOTE, ""]
    return "\n".join(out)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; }
td.num { text-align: right; }
th { background: #f3f3f3; } svg { margin: 0.5em 1em 1em 0; }
"""


def _html_table(table: Table) -> str:
    e = html.escape
    if not table.rows:
        return f"<h2>{e(table.title)}</h2>\n<p>None.</p>"
    head = "".join(f"<th>{e(h)}</th>" for h in table.headers)
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{e(cell)}</td>" if i < table.labels else f'<td class="num">{e(cell)}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in table.rows
    )
    return f"<h2>{e(table.title)}</h2>\n<table>\n<tr>{head}</tr>\n{body}\n</table>"


def _html(info: list[tuple[str, str]], tables: list[Table], charts: list[str]) -> str:
    e = html.escape
    items = "\n".join(f"<li>{e(label)}: {e(value)}</li>" for label, value in info)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{e(TITLE)}</title><style>{STYLE}</style></head>',
        "<body>",
        f"<h1>{e(TITLE)}</h1>",
        f"<ul>\n{items}\n</ul>",
        "<h2>Charts</h2>",
        *charts,
        *(_html_table(t) for t in tables),
        f"<p>{e(NOTE)}</p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 5 × 10^n that is at least raw."""
    if raw <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(raw))
    return next(m * scale for m in (1, 2, 5, 10) if m * scale >= raw)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    head = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
    head += f'viewBox="0 0 {width} {height}" role="img" font-size="11">'
    return "\n".join([head, f"<title>{html.escape(title)}</title>", *body, "</svg>"])


def _line(x1: float, y1: float, x2: float, y2: float, style: str = 'stroke="#333"') -> str:
    return f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" {style}/>'


def _text_el(x: float, y: float, text: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{html.escape(text)}</text>'
    )


def _recall_chart(results: list[QuestionResult], k: int) -> str:
    """Recall@n for n = 1..k, one line per configuration and condition."""
    width, height, left, right, top, bottom = 680, 340, 50, 190, 30, 45
    pw, ph = width - left - right, height - top - bottom

    def x(n: int) -> float:
        return left + (pw / 2 if k == 1 else (n - 1) / (k - 1) * pw)

    def y(v: float) -> float:
        return top + (1 - v) * ph

    title = f"Recall@n over n = 1..{k} (share of questions with a gold document in the top n)"
    body = [_text_el(left, 16, title, "start", ' font-weight="bold"')]
    for i in range(6):
        v = i / 5
        body.append(_line(left, y(v), left + pw, y(v), 'stroke="#e5e5e5"'))
        body.append(_text_el(left - 6, y(v) + 4, f"{v:.1f}", "end"))
    step = max(1, math.ceil(k / 10))
    for n in range(1, k + 1, step):
        body.append(_line(x(n), top + ph, x(n), top + ph + 5))
        body.append(_text_el(x(n), top + ph + 17, str(n)))
    body.append(f'<path d="M{left},{top} V{top + ph} H{left + pw}" fill="none" stroke="#333"/>')
    body.append(_text_el(left + pw / 2, height - 6, "n (documents)"))
    rotate = f' transform="rotate(-90 14 {top + ph / 2:.1f})"'
    body.append(_text_el(14, top + ph / 2, "recall", extra=rotate))
    series = 0
    for c, (config, by_cond) in enumerate(group_results(results).items()):
        color = COLORS[c % len(COLORS)]
        for cond, group in by_cond.items():
            values = [recall_at(group, n) for n in range(1, k + 1)]
            if values[0] is None:
                continue  # no question with gold documents: nothing to draw
            dash = DASHES.get(cond, OTHER_DASH)
            style = f'stroke="{color}" stroke-width="2" fill="none"'
            style += f' stroke-dasharray="{dash}"' if dash else ""
            points = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in enumerate(values, 1))
            label = f"{config} · {cond}"
            body.append(
                f'<polyline points="{points}" {style}><title>{html.escape(label)}'
                "</title></polyline>"
            )
            lx, ly = left + pw + 15, top + 10 + series * 18  # the legend entry
            body.append(_line(lx, ly, lx + 30, ly, style))
            body.append(_text_el(lx + 36, ly + 4, label, "start"))
            series += 1
    return _svg(width, height, title, body)


def _latency_charts(results: list[QuestionResult]) -> list[str]:
    """One latency histogram per configuration (all conditions together)."""
    return [
        _histogram(config, [r.latency_ms for cond in by_cond.values() for r in cond], i)
        for i, (config, by_cond) in enumerate(group_results(results).items())
    ]


def _histogram(config: str, values: Sequence[float], index: int) -> str:
    width, height, left, right, top, bottom = 330, 210, 40, 15, 30, 40
    pw, ph = width - left - right, height - top - bottom
    bin_width = _nice_step(max(values, default=0) / 10)
    bins = max(1, math.ceil(max(values, default=0) / bin_width))
    counts = [0] * bins
    for v in values:
        counts[min(int(v // bin_width), bins - 1)] += 1
    peak = max(counts) or 1
    title = f"Latency of {config} (ms, n = {len(values)})"
    body = [_text_el(left, 16, title, "start", ' font-weight="bold"')]
    bar = pw / bins
    for i, count in enumerate(counts):
        h = count / peak * ph
        lo, hi = i * bin_width, (i + 1) * bin_width
        body.append(
            f'<rect x="{left + i * bar + 1:.1f}" y="{top + ph - h:.1f}" width="{bar - 2:.1f}" '
            f'height="{h:.1f}" fill="{COLORS[index % len(COLORS)]}">'
            f"<title>{lo:g}–{hi:g} ms: {count}</title></rect>"
        )
    for i in range(0, bins + 1, max(1, math.ceil(bins / 5))):
        body.append(_text_el(left + i * bar, top + ph + 15, f"{i * bin_width:g}"))
    for count in sorted({0, peak // 2, peak}):
        body.append(_text_el(left - 5, top + ph - count / peak * ph + 4, str(count), "end"))
    body.append(f'<path d="M{left},{top} V{top + ph} H{left + pw}" fill="none" stroke="#333"/>')
    body.append(_text_el(left + pw / 2, height - 6, "latency (ms)"))
    return _svg(width, height, title, body)
