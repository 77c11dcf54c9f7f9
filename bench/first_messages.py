"""`python -m bench.first_messages [MODEL] [--sets DIR] [--doc docs/nlu.md]` (part of `make nlu-report`): how often
the trained model gets a held-out first message right, intent and topic together.

Each held-out set (tests/nlp/data/holdout/*.yml, Rasa NLU format, labels `topic/<id>` or an intent) is parsed by the
trained model as a first message (an empty conversation), the way the server parses it. A message is right when
its intent is right and, for a topic question, its topic too. Prints each set's share right and the commonest
wrong answers (label -> answer), then all sets together. A measure, not a test: exit code 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter
from pathlib import Path

from bot.nlu_report import nlu_examples

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
TARGET = 0.97
DEFAULT_MODEL = Path("models/assistant.tar.gz")
DEFAULT_SETS = Path("tests/nlp/data/holdout")
DOC_RESULTS_NAME = "make nlu-report: first messages"


def answer(parsed: dict) -> str:
    """The label the model gave: `topic/<id>` for a topic question, else the intent's name."""
    intent = (parsed.get("intent") or {}).get("name")
    if intent == "topic":
        chosen = ((parsed.get("response_selector") or {}).get("topic") or {}).get("response") or {}
        return str(chosen.get("intent_response_key") or "topic/?")
    return str(intent)


def measure(model: Path, sets: Path, show_wrong: bool = False) -> str:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    lines, total_right, total = [], 0, 0
    for path in sorted(sets.glob("*.yml")):
        pairs = nlu_examples(path)
        wrong: Counter[tuple[str, str]] = Counter()
        for label, text in pairs:
            got = answer(loop.run_until_complete(agent.parse_message(text)))
            if got != label:
                wrong[(label, got)] += 1
                if show_wrong:
                    print(f"{path.stem}\t{label}\t{got}\t{text}")
        right = len(pairs) - sum(wrong.values())
        total_right, total = total_right + right, total + len(pairs)
        lines.append(f"{path.stem}: {right}/{len(pairs)} right ({right / max(len(pairs), 1):.1%})")
        lines += [f"  {label} -> {got}: {n}" for (label, got), n in wrong.most_common(5)]
    loop.close()
    lines.append(f"All sets: {total_right}/{total} right ({total_right / max(total, 1):.1%}; target {TARGET:.0%})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--sets", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--doc", type=Path)
    parser.add_argument("--show-wrong", action="store_true",
                        help="print each wrong message (this makes the sets looked-at: see docs/nlu.md)")
    args = parser.parse_args()
    printed = measure(args.model, args.sets, args.show_wrong)
    print(printed)
    if args.doc is not None:
        from bot.doc_results import update

        update(args.doc, DOC_RESULTS_NAME, printed)


if __name__ == "__main__":
    main()
