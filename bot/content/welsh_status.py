"""Which Welsh pages need a Welsh speaker: `python -m bot content status`.

Each Welsh page (content/cy/topics/<id>.md, content/cy/snippets/<id>.md) says `en_hash:`, the hash of the English
file it translates (`english_hash`: the first 12 hex digits of the SHA-256 of the file, without its `examples:`, the
training questions, which are not translated: a new example does not make the Welsh page out of date), and
`cy_reviewed:`, whether a Welsh speaker has checked it. A page is listed when it is missing, when it is not
reviewed, or when its English page has changed since it was translated, so a council knows what to send for
translation or review. After the Welsh is updated and checked, set `en_hash` to the hash the listing shows and
`cy_reviewed: true`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import CONTENT_DIR, WELSH_DIR, ContentError, load_welsh_page

KINDS = ("topics", "snippets")
MISSING, OUT_OF_DATE, UNREVIEWED = "missing", "out of date", "not reviewed"


EXAMPLES = re.compile(r"^examples:[ \t]*\r?\n(?:[ \t]+-.*\r?\n)*", re.MULTILINE)


def english_hash(path: Path) -> str:
    """What a Welsh page's `en_hash` holds: the first 12 hex digits of the SHA-256 of the English page's text
    without its `examples:` list (what a translator translates)."""
    return hashlib.sha256(EXAMPLES.sub("", path.read_text(encoding="utf-8")).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class PageStatus:
    """One Welsh page that needs work, and why (one or more of MISSING, OUT_OF_DATE, UNREVIEWED)."""

    welsh: str  # the Welsh page's path, relative to the content folder
    english: str  # the English page's path, relative to the content folder
    english_hash: str
    problems: tuple[str, ...]

    def line(self) -> str:
        return f"{self.welsh}: {', '.join(self.problems)} (English {self.english}, en_hash {self.english_hash})"


def welsh_status(root: Path = CONTENT_DIR) -> list[PageStatus]:
    """Every Welsh page that is missing, out of date or unreviewed, topics then snippets, by id."""
    found: list[PageStatus] = []
    for kind in KINDS:
        for english in sorted((root / kind).glob("*.md")):
            welsh = root / WELSH_DIR / kind / english.name
            current = english_hash(english)
            problems: list[str] = []
            if not welsh.is_file():
                problems.append(MISSING)
            else:
                try:
                    page = load_welsh_page(welsh)
                except ContentError as exc:
                    problems.append(f"cannot be read: {exc}")
                else:
                    if page.en_hash != current:
                        problems.append(OUT_OF_DATE)
                    if not page.cy_reviewed:
                        problems.append(UNREVIEWED)
            if problems:
                found.append(
                    PageStatus(
                        welsh=str(welsh.relative_to(root)),
                        english=str(english.relative_to(root)),
                        english_hash=current,
                        problems=tuple(problems),
                    )
                )
    return found


def report(root: Path = CONTENT_DIR) -> str:
    """The listing `python -m bot content status` prints."""
    pages = welsh_status(root)
    if not pages:
        return "Every Welsh page is reviewed and up to date with its English page."
    counts = {kind: sum(1 for p in pages if kind in p.problems) for kind in (MISSING, OUT_OF_DATE, UNREVIEWED)}
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    lines = [p.line() for p in pages]
    return "\n".join([f"Welsh pages to translate or review ({summary}):", *lines])
