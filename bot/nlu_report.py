"""Print intent macro-F1 and the main confusions from `rasa test nlu` results (used by `make nlu-report`), and,
given the held-out sets' folder, each set's own intent macro-F1 (from a run with `--successes`).

    python -m bot.nlu_report results/nlu [results/nlu-holdout ...] [--sets tests/nlp/data/holdout] [--doc docs/nlu.md]

With --doc, what it prints also goes into that guide's results section (bot/doc_results.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from sklearn.metrics import f1_score

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


def nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(label, message) for each intent example in a Rasa NLU file (a training file or a held-out set)."""
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" in block:
            found += [(block["intent"], line[2:].strip())
                      for line in block["examples"].splitlines() if line.startswith("- ")]
    return found


def by_set(results_dir: Path, sets_dir: Path) -> str:
    """Intent macro-F1 of each held-out set (one .yml file each in sets_dir), from the errors and successes `rasa
    test nlu --successes` wrote for all of them together, so that sets written at different times can be compared."""
    predictions = {}
    for name in ("intent_errors.json", "intent_successes.json"):
        path = results_dir / name
        if not path.exists():
            return f"No {name} in {results_dir}: run rasa test nlu with --successes for the figures of each set"
        for row in json.loads(path.read_text(encoding="utf-8")):
            predictions[row["text"]] = (row["intent"], str((row.get("intent_prediction") or {}).get("name")))
    lines = [f"== {results_dir}, each set in {sets_dir}"]
    for path in sorted(sets_dir.glob("*.yml")):
        pairs = [predictions[m] for m in sorted({text for _, text in nlu_examples(path)}) if m in predictions]
        if not pairs:
            lines.append(f"{path.stem}: no results (not in this run)")
            continue
        truth, guess = [t for t, _ in pairs], [g for _, g in pairs]
        macro = f1_score(truth, guess, average="macro", zero_division=0)
        wrong = sum(t != g for t, g in pairs)
        lines.append(f"{path.stem}: {len(pairs)} messages, intent macro-F1 {macro:.3f}, {wrong} wrong")
    return "\n".join(lines)


def main(argv: list[str]) -> str:
    sets = None
    if "--sets" in argv:
        at = argv.index("--sets")
        sets, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    folders = [Path(d) for d in (argv or ["results/nlu"])]
    out = [summarise(d) for d in folders]
    if sets is not None:
        out.append(by_set(folders[-1], sets))
    return "\n".join(out)


DOC_RESULTS_NAME = "make nlu-report"


if __name__ == "__main__":
    args = sys.argv[1:]
    doc = None
    if "--doc" in args:
        at = args.index("--doc")
        doc, args = Path(args[at + 1]), args[:at] + args[at + 2 :]
    printed = main(args)
    print(printed)
    if doc is not None:
        from bot.doc_results import update

        update(doc, DOC_RESULTS_NAME, printed)
