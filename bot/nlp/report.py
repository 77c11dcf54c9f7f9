"""How well the crisis detector does on the phrase lists: `python -m bot.nlp.report [--data DIR] [--strict]
[--holdout DIR]`.

Prints recall on the crisis set (tests/nlp/data/crisis.txt), precision on the crisis set and the near-miss set
(tests/nlp/data/near_misses.txt) together, and lists every missed crisis and every false alarm. With --strict
the exit status is 1 when anything is missed or wrongly flagged.

With --holdout it also prints, for each folder in DIR (tests/nlp/data/crisis_holdout/), how many of its
danger_now.txt messages are caught and how many of its not_now.txt messages are flagged. Those messages were
written by someone who never saw the rules, and the rules were never changed because of them: the figure says how
the detector does on words nobody tuned it for. It is a measure, never a test; --strict ignores it.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.nlp.safety import CrisisResult, detect_crisis

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "nlp" / "data"
HOLDOUT_DIR = DATA_DIR / "crisis_holdout"
CRISIS_FILE = "crisis.txt"
NEAR_MISS_FILE = "near_misses.txt"


def read_phrases(path: Path) -> list[str]:
    """One phrase a line; blank lines and lines starting with # are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass
class Scores:
    crisis_total: int = 0
    near_miss_total: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[tuple[str, CrisisResult]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def caught(self) -> int:
        return self.crisis_total - len(self.missed)

    @property
    def recall(self) -> float:
        return self.caught / self.crisis_total if self.crisis_total else 1.0

    @property
    def precision(self) -> float:
        flagged = self.caught + len(self.false_alarms)
        return self.caught / flagged if flagged else 1.0


def score(crisis: list[str], near_misses: list[str]) -> Scores:
    scores = Scores(crisis_total=len(crisis), near_miss_total=len(near_misses))
    started = time.perf_counter()
    for text in crisis:
        if not detect_crisis(text).is_crisis:
            scores.missed.append(text)
    for text in near_misses:
        result = detect_crisis(text)
        if result.is_crisis:
            scores.false_alarms.append((text, result))
    scores.seconds = time.perf_counter() - started
    return scores


def render(scores: Scores) -> str:
    n = scores.crisis_total + scores.near_miss_total
    per_message_ms = scores.seconds / n * 1000 if n else 0.0
    lines = [
        f"Crisis set: {scores.caught}/{scores.crisis_total} caught, recall {scores.recall:.1%}",
        f"Combined set ({scores.crisis_total} crisis + {scores.near_miss_total} near-misses): "
        f"{len(scores.false_alarms)} false alarms, precision {scores.precision:.1%}",
        f"Time: {per_message_ms:.3f} ms a message",
    ]
    lines.append(f"Missed ({len(scores.missed)}):")
    lines += [f"  - {text}" for text in scores.missed] or ["  (none)"]
    lines.append(f"False alarms ({len(scores.false_alarms)}):")
    lines += [f"  - {text}   [{r.kind}: {r.matched!r}]" for text, r in scores.false_alarms] or ["  (none)"]
    return "\n".join(lines)


def holdout(folder: Path) -> str:
    """Caught and wrongly flagged, for each held-out set (a folder holding danger_now.txt and not_now.txt)."""
    lines = [f"Held-out sets in {folder} (never tuned on):"]
    total = Scores()
    for set_dir in sorted(p for p in folder.iterdir() if (p / "danger_now.txt").is_file()):
        scores = score(read_phrases(set_dir / "danger_now.txt"), read_phrases(set_dir / "not_now.txt"))
        lines.append(f"  {set_dir.name}: {scores.caught}/{scores.crisis_total} caught ({scores.recall:.0%}), "
                     f"{len(scores.false_alarms)}/{scores.near_miss_total} not-now messages flagged")
        total.crisis_total += scores.crisis_total
        total.near_miss_total += scores.near_miss_total
        total.missed += scores.missed
        total.false_alarms += scores.false_alarms
    lines.append(f"  all: {total.caught}/{total.crisis_total} caught ({total.recall:.0%}), "
                 f"{len(total.false_alarms)}/{total.near_miss_total} not-now messages flagged")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlp.report", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder holding crisis.txt and near_misses.txt")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any miss or false alarm")
    parser.add_argument("--holdout", type=Path, nargs="?", const=HOLDOUT_DIR, default=None,
                        help="also print the figures for the held-out sets (default folder: %(const)s)")
    args = parser.parse_args(argv)
    try:
        crisis = read_phrases(args.data / CRISIS_FILE)
        near_misses = read_phrases(args.data / NEAR_MISS_FILE)
    except OSError as exc:
        print(f"Cannot read the phrase lists: {exc}", file=sys.stderr)
        return 2
    detect_crisis("warm up")
    scores = score(crisis, near_misses)
    print(render(scores))
    if args.holdout is not None:
        if not args.holdout.is_dir():
            print(f"No held-out sets at {args.holdout}", file=sys.stderr)
            return 2
        print(holdout(args.holdout))
    if args.strict and (scores.missed or scores.false_alarms):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
