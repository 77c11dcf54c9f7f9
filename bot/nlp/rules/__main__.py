"""Check the crisis rules files: `python -m bot.nlp.rules` (run first by `make crisis-report`).

Prints how many lists and rules were read, or the first mistake with its file and line (exit status 1).
"""

from __future__ import annotations

import sys

from bot.nlp.rules import RULES_DIR, RulesError, load


def main() -> int:
    try:
        rules = load(RULES_DIR)
    except RulesError as exc:
        print(f"A mistake in the crisis rules: {exc}", file=sys.stderr)
        return 1
    rules_read = rules.harm + rules.danger_now
    print(f"Crisis rules read: {len(rules.words.names()) - len(rules.maps)} word lists, {len(rules.maps)} word maps, "
          f"{len(rules.text_speak)} text-speak words, {len(rules_read)} rules "
          f"({sum(len(r.patterns) for r in rules_read)} patterns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
