"""Named checks that say a whole message is NOT news of danger now, whatever its words: the past, a record being
quoted, a hypothetical, the news or a film, a statistic, a denial, a figure of speech.

The learned detector (bot/nlp/crisis_model.py) knows English beyond any list, but it reads what a message is about,
not when or how: "my bro tried to kill himself last year, hes ok now" is about suicide. So a model score puts a
message in the *sure* band only when none of these checks speaks; otherwise it is *possible* (the answer asked for,
with the 999 line on top). The rules (bot/nlp/safety.py, danger_now.py) use the same regular expressions around each
match, so each idea is written once.

`not_now_reason(text)` returns the name of the first check that speaks, or None.
"""

from __future__ import annotations

import re

from bot.nlp import danger_now as D
from bot.nlp import safety as S

# A condition at the start of a sentence: "what if I said...", "if my baby stopped breathing would they..."
_CONDITION = re.compile(r"(?:^|[.?!,;]\s*)(?:what if|if|suppose|supposing|hypothetically|imagine|say)\b")
# Laughter and eye-rolls, and "kill me if/when she finds out": how people joke, not how they ask for help
_FIGURE = re.compile(
    r"\b(?:lol|lmao|haha\w*|jk)\b|[\U0001F602\U0001F923\U0001F644\U0001F605]"
    r"|\b(?:if|when|once) (?:he|she|they|mum|mam|dad|nan|my \w+) (?:finds?|sees?|hears?) (?:out|about)?"
)
_WORD = re.compile(r"[\w']+")

# (name, regular expression over the cleaned text); the first that matches names the reason
_REGEX_CHECKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("past", S._PAST),
    ("past", D._RECENT_PAST),
    ("quoted record", D._QUOTED_RECORD),
    ("news or film", D._NEWS),
    ("news or film", S._FICTION),
    ("denial", S._DENIAL),
    ("statistic", D.STATISTICS),
    ("figure of speech", _FIGURE),
)


def not_now_reason(text: str) -> str | None:
    """The name of the check that says this message is not about danger now, or None."""
    cleaned = S.clean_text(text) or ""
    for name, regex in _REGEX_CHECKS:
        if regex.search(cleaned):
            return name
    if _CONDITION.search(cleaned) and not D._PLEA.search(cleaned):
        return "hypothetical"
    words = set(_WORD.findall(cleaned))
    if words & D._CY_PAST:
        return "past"
    if words & (D._CY_IF - {"pan"}):
        return "hypothetical"
    return None
