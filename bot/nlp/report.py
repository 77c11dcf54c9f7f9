"""How well the crisis detector does: `python -m bot.nlp.report [--data DIR] [--strict] [--holdout [DIR]]
[--model ARCHIVE]` (`make crisis-report`).

1. The phrase lists, data/crisis/danger_now.txt (every line must be caught by the rules) and not_now.txt (none may
   be): recall and precision of the rules, with every miss and false alarm listed. With --strict the exit status is 1
   when anything is missed or wrongly flagged. These are regression tests, and the learned detector's training data.
2. With --holdout, each folder in DIR (tests/nlp/data/crisis_holdout/): messages written by people who never saw
   the rules or the training lists, never tuned on. For each set: caught and wrongly flagged by the rules alone, by
   the learned detector alone, in the sure band (both: the crisis reply) and in the sure or possible band (the 999
   line at least). This is the figure to watch.
3. With a trained model (--model, default models/assistant.tar.gz), also how many NLU examples (data/nlu) and
   held-out NLU messages (tests/nlp/data/holdout) land in the sure band (the goal is none), and the cost per message.
"""

from __future__ import annotations

import argparse
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from bot.content.loader import REPO_ROOT
from bot.nlp import crisis_model
from bot.nlp.crisis_model import read_phrases
from bot.nlp.safety import CrisisResult, detect_crisis

PHRASES_DIR = REPO_ROOT / "data" / "crisis"
HOLDOUT_DIR = REPO_ROOT / "tests" / "nlp" / "data" / "crisis_holdout"
NLU_HOLDOUT_DIR = REPO_ROOT / "tests" / "nlp" / "data" / "holdout"
MODEL_ARCHIVE = REPO_ROOT / "models" / "assistant.tar.gz"
CRISIS_FILE = crisis_model.DANGER_FILE
NEAR_MISS_FILE = crisis_model.NOT_NOW_FILE

__all__ = ["read_phrases"]


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
    """The rules alone on a list of danger-now messages and one of not-now messages."""
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


def summary(scores: Scores) -> list[str]:
    """The rules' figures on the phrase lists, without the lists of misses."""
    n = scores.crisis_total + scores.near_miss_total
    per_message_ms = scores.seconds / n * 1000 if n else 0.0
    return [
        f"Phrase lists, rules: {scores.caught}/{scores.crisis_total} caught, recall {scores.recall:.1%}",
        f"Combined set ({scores.crisis_total} crisis + {scores.near_miss_total} near-misses): "
        f"{len(scores.false_alarms)} false alarms, precision {scores.precision:.1%}",
        f"Time, rules: {per_message_ms:.3f} ms a message",
    ]


def render(scores: Scores) -> str:
    lines = summary(scores)
    lines.append(f"Missed ({len(scores.missed)}):")
    lines += [f"  - {text}" for text in scores.missed] or ["  (none)"]
    lines.append(f"False alarms ({len(scores.false_alarms)}):")
    lines += [f"  - {text}   [{r.kind}: {r.matched!r}]" for text, r in scores.false_alarms] or ["  (none)"]
    return "\n".join(lines)


@dataclass
class Learned:
    """A trained classifier and the settings it was trained with, read from a model archive."""
    model: object
    settings: crisis_model.Settings

    @classmethod
    def from_archive(cls, archive: Path) -> Learned | None:
        if not archive.is_file():
            return None
        with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if m.name.endswith("/" + crisis_model.MODEL_FILE)]
            if not members:
                return None
            tar.extractall(tmp, members=members)  # noqa: S202 - our own archive, one known file
            model = crisis_model.load((Path(tmp) / members[0].name).parent)
        config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
        step = next(s for s in config["pipeline"] if s["name"].endswith("CrisisDetector"))
        fields = crisis_model.Settings.__dataclass_fields__
        settings = crisis_model.Settings(**{k: v for k, v in step.items() if k in fields})
        return None if model is None else cls(model, settings)

    def verdicts(self, texts: list[str]) -> list[crisis_model.Verdict]:
        from bot.nlp.components import worth_meaning
        from bot.nlp.encoder import encoder

        worth = [i for i, t in enumerate(texts) if worth_meaning(t)]
        p = np.zeros(len(texts))
        if worth:
            p[worth] = crisis_model.probability(self.model, encoder().encode([texts[i] for i in worth]))
        return [crisis_model.decide(t, float(pi), self.settings) for t, pi in zip(texts, p, strict=True)]


_COLUMNS = ("rules", "model", "sure", "sure+possible")


def _shown(path: Path) -> str:
    """A path as the docs show it: relative to the project when inside it (the same on every machine)."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _counts(verdicts: list[crisis_model.Verdict], settings: crisis_model.Settings) -> dict[str, int]:
    return {
        "rules": sum(v.source == "rules" for v in verdicts),
        "model": sum(v.probability >= settings.sure for v in verdicts),
        "sure": sum(v.band == crisis_model.SURE for v in verdicts),
        "sure+possible": sum(v.band is not None for v in verdicts),
    }


def holdout(folder: Path, learned: Learned | None = None) -> str:
    """Caught and wrongly flagged, for each held-out set (a folder holding danger_now.txt and not_now.txt): by the
    rules alone, and with a learned detector also by the model alone, in the sure band and in either band."""
    sets = sorted(p for p in folder.iterdir() if (p / "danger_now.txt").is_file())
    if learned is None:
        lines = [f"Held-out sets in {_shown(folder)} (never tuned on), rules alone:"]
        total = Scores()
        for set_dir in sets:
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

    lines = [f"Held-out sets in {_shown(folder)} (never tuned on). Danger now caught / not-now flagged, by:",
             "| set | danger / not now | " + " | ".join(_COLUMNS) + " |",
             "| --- | --- | " + " | ".join("---" for _ in _COLUMNS) + " |"]
    for set_dir in sets:
        danger = learned.verdicts(read_phrases(set_dir / "danger_now.txt"))
        not_now = learned.verdicts(read_phrases(set_dir / "not_now.txt"))
        caught, flagged = _counts(danger, learned.settings), _counts(not_now, learned.settings)
        cells = [f"{caught[c]} ({caught[c] / len(danger):.0%}) / {flagged[c]} ({flagged[c] / len(not_now):.0%})"
                 for c in _COLUMNS]
        lines.append(f"| {set_dir.name} | {len(danger)} / {len(not_now)} | " + " | ".join(cells) + " |")
    lines.append("rules: the rules match; model: the classifier alone at `sure`; sure: the crisis reply (a rule, or "
                 "the classifier with no check against it); sure+possible: the 999 line at least")
    return "\n".join(lines)


def ordinary_messages(learned: Learned) -> str:
    """How many NLU examples and held-out NLU messages land in each band: the goal is none in the sure band."""
    from bot.nlu_report import nlu_examples

    lines = []
    for name, folder in (("NLU examples (data/nlu)", REPO_ROOT / "data" / "nlu"),
                         ("held-out NLU messages (tests/nlp/data/holdout)", NLU_HOLDOUT_DIR)):
        texts = sorted({t for path in sorted(folder.glob("*.yml")) for _, t in nlu_examples(path)})
        started = time.perf_counter()
        verdicts = learned.verdicts(texts)
        ms = (time.perf_counter() - started) / max(len(texts), 1) * 1000
        sure = [t for t, v in zip(texts, verdicts, strict=True) if v.band == crisis_model.SURE]
        possible = sum(v.band == crisis_model.POSSIBLE for v in verdicts)
        lines.append(f"{name}: {len(sure)} of {len(texts)} in the sure band, {possible} in the possible band "
                     f"({ms:.1f} ms a message: meaning, classifier and rules)")
        lines += [f"  - {t}" for t in sure]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlp.report", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=PHRASES_DIR,
                        help=f"folder holding {CRISIS_FILE} and {NEAR_MISS_FILE}")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any miss or false alarm of the rules")
    parser.add_argument("--holdout", type=Path, nargs="?", const=HOLDOUT_DIR, default=None,
                        help="also print the figures for the held-out sets (default folder: %(const)s)")
    parser.add_argument("--model", type=Path, default=MODEL_ARCHIVE,
                        help="trained model whose learned detector to measure too (default: %(default)s)")
    parser.add_argument("--doc", type=Path, default=None,
                        help="also write the figures (not the lists of misses) into this guide's results section")
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
    figures = summary(scores)  # for the doc; printed above, with the lists of misses
    printed = len(figures)
    learned = Learned.from_archive(args.model) if args.holdout is not None else None
    if args.holdout is not None:
        if not args.holdout.is_dir():
            print(f"No held-out sets at {args.holdout}", file=sys.stderr)
            return 2
        if learned is None:
            figures.append(f"No learned detector in {args.model} (run `make train`): the rules alone.")
        figures.append(holdout(args.holdout, learned))
        if learned is not None:
            figures.append(ordinary_messages(learned))
        print("\n".join(figures[printed:]))
    if args.doc is not None:
        from bot.doc_results import update

        update(args.doc, "make crisis-report", "\n".join(figures))
    if args.strict and (scores.missed or scores.false_alarms):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
