"""Print intent macro-F1 and the main confusions from `rasa test nlu` results (used by `make nlu-report`).

    python -m bot.nlu_report results/nlu [results/nlu-holdout ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET_MACRO_F1 = 0.95


def summarise(results_dir: Path) -> str:
    lines = [f"== {results_dir}"]
    for name in ("intent_report.json", "response_selection_report.json"):
        path = results_dir / name
        if not path.exists():
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        macro = report.get("macro avg", {}).get("f1-score")
        lines.append(f"{name}: macro-F1 {macro:.3f} (target {TARGET_MACRO_F1})" if macro is not None else name)
        confusions = []
        for label, row in report.items():
            if not isinstance(row, dict):
                continue
            for other, count in (row.get("confused_with") or {}).items():
                confusions.append((count, label, other))
        for count, label, other in sorted(confusions, reverse=True)[:15]:
            lines.append(f"  {label} -> {other}: {count}")
    return "\n".join(lines) if len(lines) > 1 else f"No reports found in {results_dir}"


if __name__ == "__main__":
    print("\n".join(summarise(Path(d)) for d in (sys.argv[1:] or ["results/nlu"])))
