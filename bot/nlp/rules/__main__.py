"""Check the crisis rules files: `python -m bot.nlp.rules [MESSAGE ...]` (run first by `make crisis-report`).

Prints how many lists and rules were read, or the first mistake with its file and line (exit status 1). With
messages, also prints each as the rules read it (the words after clean-up and the text-speak map) and what the
rules decide, with the rule and the words that matched.
"""

from __future__ import annotations

import sys

from bot.nlp.rules import RULES_DIR, RulesError, load


def main(argv: list[str] | None = None) -> int:
    messages = sys.argv[1:] if argv is None else argv
    try:
        rules = load(RULES_DIR)
    except RulesError as exc:
        print(f"A mistake in the crisis rules: {exc}", file=sys.stderr)
        return 1
    rules_read = rules.harm + rules.danger_now
    print(f"Crisis rules read: {len(rules.words.names()) - len(rules.maps)} word lists, {len(rules.maps)} word maps, "
          f"{len(rules.text_speak)} text-speak words, {len(rules_read)} rules "
          f"({sum(len(r.patterns) for r in rules_read)} patterns)")
    if messages:
        from bot.nlp.safety import _find, clean_text, detect_crisis

        for message in messages:
            found, ctx = _find(clean_text(message) or "")
            result = detect_crisis(message)
            print(f"\n{message}\n  read as: {' '.join(ctx.norms)}")
            print(f"  crisis: {result.kind} ({result.matched!r})" if result.is_crisis else "  crisis: no")
            for match in found:
                print(f"  rule {match.rule}: {ctx.doc[match.start:match.end].text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
