"""Print the docs/QUALITY.md table of one or more `hoidap eval` report directories.

.venv/bin/python bench/quality_table.py report/alqac2022 report/uit ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = (
    ("R@1", "recall@1"),
    ("R@5", "recall@5"),
    ("R@10", "recall@10"),
    ("MRR@10", "mrr@10"),
    ("answer in top 5", "answer_in_top_5"),
    ("answer in top 10", "answer_in_top_k"),
    ("answer contains", "answer_contains"),
    ("cited contains", "cited_contains"),
    ("citation precision", "citation_precision"),
    ("answered (in scope)", "answered_in_scope"),
    ("abstained (out of scope)", "abstained_out_of_scope"),
)


def _cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float | int) else "–"


def table(report: Path) -> str:
    """A Markdown table: one row per configuration and condition."""
    data = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    run = data["run"]
    lines = [
        f"`{run.get('command', '')}`",
        "",
        f"{run.get('questions')} questions; index: {run['index']['articles']} articles, "
        f"{run['index']['chunks']} chunks; {run.get('date', '')}; "
        f"{run.get('total_seconds', 0):.0f} s in all.",
        "",
        "| config | condition | "
        + " | ".join(name for name, _ in COLUMNS)
        + " | p50 ms | p95 ms |",
        "|---|---|" + "---:|" * (len(COLUMNS) + 2),
    ]
    for config, by_condition in data["results"].items():
        for condition, summary in by_condition.items():
            overall = summary["overall"]
            latency = overall["latency_ms"]
            cells = [_cell(overall.get(key)) for _, key in COLUMNS]
            lines.append(
                f"| {config} | {condition} | "
                + " | ".join(cells)
                + f" | {latency['p50']:.1f} | {latency['p95']:.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    for directory in sys.argv[1:]:
        print(f"### {Path(directory).name}\n")
        print(table(Path(directory)))
        print()
