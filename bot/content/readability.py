"""Reading-age checks for everything the assistant says.

We use textstat's Flesch-Kincaid grade (a kept library, not our own formula) on the plain text a parent reads:
markdown links keep their words, URLs and markup are dropped. Grade 6 is a reading age of about 11.
"""

from __future__ import annotations

import re

import textstat

MAX_GRADE = 6.0
# Welsh has no Flesch-Kincaid: Welsh text is held to short sentences instead (words per sentence).
MAX_MEAN_SENTENCE_WORDS = 15
MAX_SENTENCE_WORDS = 25
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")

_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_URL = re.compile(r"https?://\S+|www\.\S+")
_PHONE = re.compile(r"\+?\d[\d ]{6,}\d")
_MARKUP = re.compile(r"^[ \t]*(?:#+|[-*]|\d+\.)[ \t]+", re.MULTILINE)


CITATION = ("Source:", "Ffynhonnell:")  # content/messages/<lang>/page.yml `source`


def plain_text(text: str) -> str:
    """What a reader reads: link words kept, URLs, phone numbers and list/heading markers removed.

    List items and headings become sentences of their own, as a reader takes them. The citation line ("Source: ..."
    with the sources' titles, in either language) is a reference, not prose: it is left out.
    """
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _PHONE.sub("", text)
    text = text.replace("**", "").replace("__", "").replace("`", "")
    lines = []
    for line in _MARKUP.sub("", text).splitlines():
        line = line.strip()
        if not line or line.startswith(CITATION):
            continue
        if line[-1] not in ".!?:":
            line += "."
        lines.append(line)
    return " ".join(lines)


def grade(text: str) -> float:
    """Flesch-Kincaid grade of what the reader reads."""
    plain = plain_text(text)
    if not plain.strip():
        return 0.0
    return float(textstat.flesch_kincaid_grade(plain))


def sentence_lengths(text: str) -> list[int]:
    """Words in each sentence of what the reader reads (list items and headings count as sentences).

    For Welsh, which textstat cannot grade: the mean and the longest are checked instead."""
    return [len(s.split()) for s in _SENTENCE_END.split(plain_text(text)) if s.strip()]
