"""PII redaction: find personal details in a message and replace each with a tag such as [PHONE].

Structured details are found with regular expressions and checked where a check exists (NHS numbers by the
modulus-11 check digit, card numbers by Luhn, dates by calendar). Names are found with spaCy (spacy.blank("en")
tokenizer + Matcher on LOWER): only the words after an introduction ("my name is", "my son is called",
"her name's", "I'm", "this is", "call me"), never a capitalised word on its own.

Labels: PHONE, EMAIL, POSTCODE, NHS_NUMBER, DATE, FAMILY_REF, CARD, BANK_ACCOUNT, SORT_CODE, NAME.
If a finder fails on some odd input, the whole text is treated as one REDACTED span: fail closed, never leak.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from bot.nlp.patterns.pii_words import FIRST_NAMES, NOT_NAMES, ORGANISATION_WORDS, TITLES

log = logging.getLogger(__name__)

Span = tuple[int, int, str]

PHONE, EMAIL, POSTCODE, NHS_NUMBER, DATE = "PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER", "DATE"
FAMILY_REF, CARD, BANK_ACCOUNT, SORT_CODE, NAME = "FAMILY_REF", "CARD", "BANK_ACCOUNT", "SORT_CODE", "NAME"
REDACTED = "REDACTED"  # only when a finder failed: the whole text
LABELS = (PHONE, EMAIL, POSTCODE, NHS_NUMBER, DATE, FAMILY_REF, CARD, BANK_ACCOUNT, SORT_CODE, NAME)

# When two finds overlap, the earlier label in this order names the merged span.
PRIORITY = {
    EMAIL: 0,
    CARD: 1,
    NHS_NUMBER: 2,
    PHONE: 3,
    SORT_CODE: 4,
    BANK_ACCOUNT: 5,
    DATE: 6,
    POSTCODE: 7,
    FAMILY_REF: 8,
    NAME: 9,
}

MAX_PASSES = 4  # redact() repeats until nothing more is found, at most this many times
NAME_CHUNK = 50_000  # the name finder tokenizes long text in pieces of about this many characters
REFERENCE_PREFIXES = frozenset({"demo", "ref", "fam"})  # "demo 1001" in lower case is still a family reference

# ------------------------------------------------------------------------------------------------------------------
# Structured details
# ------------------------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")

_PHONE_PREFIX = r"(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"
_PHONE = re.compile(
    rf"(?<![\w+]){_PHONE_PREFIX}(?:7(?:[\s-]?\d){{9}}|[123](?:[\s\-)]{{0,2}}\d){{8,9}})(?!\d)",
)

_NHS = re.compile(r"(?<![\w-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-])")
_NHS_CONTEXT = re.compile(
    r"\bnhs\s*(?:number|no\.?|num|#)\s*(?:is\s+|:\s*|-\s*|=\s*)?(?P<num>\d(?:[ -]?\d){7,11})(?![\w-])",
    re.IGNORECASE,
)

_CARD = re.compile(r"(?<![\w-])[1-9](?:[ -]?\d){12,18}(?![\w-])")

_SORT_CODE_HYPHEN = re.compile(r"(?<![\w-])\d{2}-\d{2}-\d{2}(?![\w-])")
_SORT_CODE_CONTEXT = re.compile(
    r"\bsort\s*code\s*(?:is\s+|:\s*|-\s*)?(?P<num>\d{2}[ -]?\d{2}[ -]?\d{2})(?![\w-])", re.IGNORECASE
)
_ACCOUNT_NUMBER = re.compile(r"(?<![\w-])\d{4} ?\d{4}(?![\w-])")
_ACCOUNT_WORD = re.compile(r"\b(?:account|acc|acct|a/c|bank)\b", re.IGNORECASE)

_MONTHS = {
    **dict.fromkeys(["january", "jan", "ionawr"], 1),
    **dict.fromkeys(["february", "feb", "chwefror"], 2),
    **dict.fromkeys(["march", "mar", "mawrth"], 3),
    **dict.fromkeys(["april", "apr", "ebrill"], 4),
    **dict.fromkeys(["may", "mai"], 5),
    **dict.fromkeys(["june", "jun", "mehefin"], 6),
    **dict.fromkeys(["july", "jul", "gorffennaf"], 7),
    **dict.fromkeys(["august", "aug", "awst"], 8),
    **dict.fromkeys(["september", "sep", "sept", "medi"], 9),
    **dict.fromkeys(["october", "oct", "hydref"], 10),
    **dict.fromkeys(["november", "nov", "tachwedd"], 11),
    **dict.fromkeys(["december", "dec", "rhagfyr"], 12),
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:\d{4}|'?\d{2})"
_DATE_NUMERIC = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|\.\d)")
_DATE_ISO = re.compile(r"(?<![\w/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?![\w/-]|\.\d)")
_DATE_DAY_MONTH = re.compile(
    rf"(?<![\w]){_DAY}\s*(?:of\s+)?{_MONTH},?\s+{_YEAR}(?![\w])",
    re.IGNORECASE,
)
_DATE_MONTH_DAY = re.compile(rf"(?<![\w]){_MONTH}\s+{_DAY},?\s+{_YEAR}(?![\w])", re.IGNORECASE)
_BIRTH_CONTEXT = re.compile(r"\b(?:born|dob|d\.o\.b\.?|birthday|bday|b'day|date of birth|birth date)\b", re.I)
_DATE_NO_YEAR = re.compile(
    rf"(?<![\w])(?:{_DAY}\s*(?:of\s+)?{_MONTH}|{_MONTH}\s+{_DAY}|{_MONTH}\s+\d{{4}}|\d{{1,2}}/\d{{1,2}})(?![\w/])",
    re.IGNORECASE,
)

_POSTCODE = re.compile(
    r"(?<![\w-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}|GIR\s*0AA)(?![\w-])",
    re.IGNORECASE,
)

_REFERENCE_JOINED = re.compile(r"(?<![\w-])([^\W\d_]{2,10})(-?)(\d{3,12})(?![\w-])")
_REFERENCE_SPACED = re.compile(r"(?<![\w-])([^\W\d_]{2,10}) (\d{3,12})(?![\w-])")
_REFERENCE_CONTEXT = re.compile(
    r"\b(?:ref|reference|family ref|family reference)(?:\s*(?:number|no\.?))?\s*" r"(?:is\s+|:\s*|-\s*)?$",
    re.IGNORECASE,
)
_NOT_REFERENCES = frozenset(  # standards and words that come before a number without making a reference
    "iso bs en gdpr dpa si ico atrs covid page pages year years room flat house no number tel mob ext ph"
    " section article step chapter level grade band".split()
)
_SERVICE_NUMBERS = frozenset({"999", "111", "112", "101", "105", "116", "123"})
_YEARISH = re.compile(r"(?:19|20)\d\d")


def _digits(text: str) -> list[int]:
    return [int(ch) for ch in text if ch.isdigit()]


def nhs_number_is_valid(number: str) -> bool:
    """The NHS modulus-11 check: weights 10..2 on the first nine digits; 11 - (sum mod 11) is the tenth."""
    digits = _digits(number)
    if len(digits) != 10:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


def luhn_is_valid(number: str) -> bool:
    digits = _digits(number)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _valid_date(day: int, month: int, year: int | None) -> bool:
    if year is not None and year < 100:
        year += 2000 if year < 50 else 1900
    try:
        date(year or 2000, month, day)
    except ValueError:
        return False
    return year is None or 1900 <= year <= 2100


def _emails(text: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), EMAIL


def _phones(text: str) -> Iterator[Span]:
    for m in _PHONE.finditer(text):
        yield m.start(), m.end(), PHONE


def _nhs_numbers(text: str) -> Iterator[Span]:
    for m in _NHS_CONTEXT.finditer(text):
        yield m.start("num"), m.end("num"), NHS_NUMBER
    for m in _NHS.finditer(text):
        if nhs_number_is_valid(m.group(0)) and not m.group(0).startswith("0"):
            yield m.start(), m.end(), NHS_NUMBER


def _cards(text: str) -> Iterator[Span]:
    for m in _CARD.finditer(text):
        if luhn_is_valid(m.group(0)):
            yield m.start(), m.end(), CARD


def _bank(text: str) -> Iterator[Span]:
    for m in _SORT_CODE_CONTEXT.finditer(text):
        yield m.start("num"), m.end("num"), SORT_CODE
    for m in _SORT_CODE_HYPHEN.finditer(text):
        day, month, year = (int(part) for part in m.group(0).split("-"))
        if not _valid_date(day, month, year):  # "12-03-19" is more likely a date
            yield m.start(), m.end(), SORT_CODE
    for m in _ACCOUNT_NUMBER.finditer(text):
        before, after = text[max(0, m.start() - 40) : m.start()], text[m.end() : m.end() + 25]
        if _ACCOUNT_WORD.search(before) or _ACCOUNT_WORD.search(after):
            yield m.start(), m.end(), BANK_ACCOUNT


def _dates(text: str) -> Iterator[Span]:
    for m in _DATE_NUMERIC.finditer(text):
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if _valid_date(a, b, year) or _valid_date(b, a, year):  # 3/4/2019 either way round
            yield m.start(), m.end(), DATE
    for m in _DATE_ISO.finditer(text):
        if _valid_date(int(m.group(4)), int(m.group(3)), int(m.group(1))):
            yield m.start(), m.end(), DATE
    for regex in (_DATE_DAY_MONTH, _DATE_MONTH_DAY):
        for m in regex.finditer(text):
            if _textual_date_ok(m.group(0)):
                yield m.start(), m.end(), DATE
    for context in _BIRTH_CONTEXT.finditer(text):
        window = text[context.end() : context.end() + 30]
        m = _DATE_NO_YEAR.search(window)
        if m and _textual_date_ok(m.group(0), year_needed=False):
            yield context.end() + m.start(), context.end() + m.end(), DATE


_NUMBER = re.compile(r"\d+")


def _textual_date_ok(text: str, year_needed: bool = True) -> bool:
    numbers = [int(n) for n in _NUMBER.findall(text)]
    if "/" in text:
        return len(numbers) == 2 and (_valid_date(*numbers, None) or _valid_date(numbers[1], numbers[0], None))
    days = [n for n in numbers if n <= 31]
    if not numbers:
        return False
    if len(numbers) == 1:  # "april 2019" after "born", or "3rd april" after "born"
        return not year_needed and (numbers[0] >= 1900 or 1 <= numbers[0] <= 31)
    return bool(days) and 1 <= days[0] <= 31


def _postcodes(text: str) -> Iterator[Span]:
    for m in _POSTCODE.finditer(text):
        yield m.start(), m.end(), POSTCODE


def _family_refs(text: str) -> Iterator[Span]:
    for m in _REFERENCE_JOINED.finditer(text):
        letters, digits = m.group(1), m.group(3)
        if letters.lower() in _MONTHS or digits in _SERVICE_NUMBERS:
            continue
        yield m.start(), m.end(), FAMILY_REF
    for m in _REFERENCE_SPACED.finditer(text):
        letters, digits = m.group(1), m.group(2)
        if letters.lower() in _MONTHS or letters.lower() in _NOT_REFERENCES or digits in _SERVICE_NUMBERS:
            continue
        known = letters.lower() in REFERENCE_PREFIXES
        shouted = letters.isupper() and not (len(digits) == 4 and _YEARISH.fullmatch(digits))
        introduced = _REFERENCE_CONTEXT.search(text[max(0, m.start() - 30) : m.start()]) is not None
        if known or shouted or introduced:
            yield m.start(), m.end(), FAMILY_REF


# ------------------------------------------------------------------------------------------------------------------
# Names (spaCy)
# ------------------------------------------------------------------------------------------------------------------

_STRONG, _MEDIUM, _WEAK = "strong", "medium", "weak"
_LISTED = "listed"  # only names in FIRST_NAMES
_APOSTROPHE_S = ["'s", "\u2019s", "s"]
_BE = [
    "is",
    "'s",
    "\u2019s",
    "s",
    "am",
    "'m",
    "\u2019m",
    "m",
    "are",
    "'re",
    "\u2019re",
    "re",
    "was",
    "were",
    "be",
    "been",
]
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['\u2019-][^\W\d_]+)*$")


def _intro_patterns() -> dict[str, list[list[dict]]]:
    return {
        _STRONG: [
            [{"LOWER": "name"}, {"LOWER": {"IN": ["is", "was", ":", "-", "=", *_APOSTROPHE_S]}}],
            [{"LOWER": {"IN": ["my", "his", "her", "their", "our", "your"]}}, {"LOWER": "names"}],
            [{"LOWER": {"IN": _BE}}, {"LOWER": {"IN": ["called", "named"]}}],
            [{"LOWER": "known"}, {"LOWER": "as"}],
            [{"LOWER": "enw"}, {"LOWER": "i", "OP": "?"}, {"LOWER": {"IN": ["yw", "ydy", "ydi"]}}],  # Welsh
        ],
        _MEDIUM: [[{"LOWER": "call"}, {"LOWER": "me"}]],
        _WEAK: [
            [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "\u2019m", "m", "am"]}}],
            [{"LOWER": {"IN": ["im", "iam", "i'm", "i\u2019m"]}}],
            [{"LOWER": "this"}, {"LOWER": {"IN": ["is", *_APOSTROPHE_S]}}],
            [{"LOWER": "it"}, {"LOWER": {"IN": ["is", *_APOSTROPHE_S]}}],
            [{"LOWER": {"IN": ["its", "it's", "it\u2019s"]}}],
        ],
    }


class _NameFinder:
    def __init__(self) -> None:
        import spacy
        from spacy.lang.en.stop_words import STOP_WORDS
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.nlp.max_length = NAME_CHUNK * 4
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        for strength, patterns in _intro_patterns().items():
            self.matcher.add(strength, patterns)
        self.stop_words = frozenset(STOP_WORDS) | NOT_NAMES

    def find(self, text: str, offset: int) -> Iterator[Span]:
        doc = self.nlp.make_doc(text)
        for match_id, start, end in self.matcher(doc):
            strength = self.nlp.vocab.strings[match_id]
            if strength == _WEAK and doc[end - 1].text[:1].isupper() and doc[start].lower_ != "i":
                strength = _LISTED  # "This Is Ridiculous", "IM WORRIED": capitals say nothing here
            elif strength == _WEAK and doc[end - 1].text.isupper() and len(doc[end - 1].text) > 1:
                strength = _LISTED  # "I AM WORRIED"
            yield from self._names_after(doc, end, strength, offset)

    def _names_after(self, doc, i: int, strength: str, offset: int) -> Iterator[Span]:  # noqa: ANN001
        """Name groups after an introduction: "Tom", "Sarah Jones", "Tom and Ellie", "Tom, Ben and Sam"."""
        if i < len(doc) and doc[i].lower_ in {":", "-", ","}:
            i += 1
        if i < len(doc) and doc[i].lower_.rstrip(".") in TITLES:  # "I'm Mrs Jones": keep the title
            i += 1
        first = True
        while i < len(doc):
            group_start = i
            while i < len(doc) and i - group_start < 4 and self._is_name(doc[i], strength, first=(i == group_start)):
                i += 1
                # "O'Brien-Smith", "Mary-Jane": spaCy splits at the hyphen
                while (
                    i + 1 < len(doc)
                    and doc[i].text in {"-", "\u2010", "\u2011"}
                    and not doc[i - 1].whitespace_
                    and not doc[i].whitespace_
                    and _NAME_WORD.match(doc[i + 1].text)
                ):
                    i += 2
            if i == group_start:
                return
            words = [t.lower_ for t in doc[group_start:i]]
            if (
                first
                and strength == _WEAK
                and (
                    any(w in ORGANISATION_WORDS for w in words)
                    or (i < len(doc) and doc[i].lower_ in ORGANISATION_WORDS)
                )
            ):
                return  # "this is Example Borough Council"
            yield offset + doc[group_start].idx, offset + doc[i - 1].idx + len(doc[i - 1].text), NAME
            first = False
            # a list of names: "Tom and Ellie", "Tom, Ben & Sam"
            if i + 1 < len(doc) and doc[i].lower_ in {",", "and", "&"} and self._is_name(doc[i + 1], strength, True):
                i += 1
                continue
            return

    def _is_name(self, token, strength: str, first: bool) -> bool:  # noqa: ANN001
        text = token.text
        lower = token.lower_.replace("\u2019", "'")
        if not _NAME_WORD.match(text) or len(text) > 30:
            return False
        listed = lower in FIRST_NAMES
        title = text[0].isupper() and (len(text) == 1 or not text.isupper() or listed)
        if listed:
            return True
        if strength == _LISTED:
            # a surname after a listed name: "I AM DAVE SMITH", "This Is Ffion Jones"
            return not first and (title or text.isupper()) and lower not in self.stop_words
        if lower in self.stop_words:
            # "my name is April": a capitalised month or word is a name after a strong introduction
            return strength == _STRONG and first and title and lower not in _NEVER_NAMES
        if strength == _STRONG:
            return title or not lower.endswith(("ing", "ly"))
        if not title:
            return False
        return not (first and lower.endswith(_NOT_NAME_ENDINGS))


_NOT_NAME_ENDINGS = ("ing", "ed", "ous", "ful", "able", "ible", "less", "ness", "ment")


_NEVER_NAMES = frozenset(
    "the a an my your his her their our its this that not is was are be and or but of to in on at for with"
    " from by about".split()
)

_finder: _NameFinder | None = None
_lock = threading.Lock()


def _get_finder() -> _NameFinder:
    global _finder
    if _finder is None:
        with _lock:
            if _finder is None:
                _finder = _NameFinder()
    return _finder


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _names(text: str) -> Iterator[Span]:
    # the same length as text, so that offsets stay true; control characters become spaces
    clean = _CONTROL.sub(" ", text)
    finder = _get_finder()
    for start, end in _chunks(clean):
        yield from finder.find(clean[start:end], start)


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """Pieces of at most about NAME_CHUNK characters, cut at whitespace."""
    start = 0
    while start < len(text):
        end = min(len(text), start + NAME_CHUNK)
        if end < len(text):
            cut = text.rfind(" ", start + NAME_CHUNK // 2, end)
            end = cut if cut > start else end
        yield start, end
        start = end


# ------------------------------------------------------------------------------------------------------------------
# Putting finds together
# ------------------------------------------------------------------------------------------------------------------

_FINDERS: tuple[Callable[[str], Iterator[Span]], ...] = (
    _emails,
    _cards,
    _nhs_numbers,
    _phones,
    _bank,
    _dates,
    _postcodes,
    _family_refs,
    _names,
)


def _merge(spans: list[Span]) -> list[Span]:
    """Non-overlapping, sorted spans. Overlapping finds merge into one span (nothing half-redacted), named by
    the longest find, then by PRIORITY."""
    ordered = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]), PRIORITY.get(s[2], 99)))
    merged: list[list] = []
    for start, end, label in ordered:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if (end - start, -PRIORITY.get(label, 99)) > (last[3], -PRIORITY.get(last[2], 99)):
                last[2], last[3] = label, end - start
            last[1] = max(last[1], end)
        else:
            merged.append([start, end, label, end - start])
    return [(s, e, label) for s, e, label, _ in merged]


def find_pii(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) character offsets of each PII span in text: non-overlapping, sorted. Never raises.

    Not text: []. A finder failing on some odd input: the whole text as one REDACTED span (fail closed).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text:
        return []
    spans: list[Span] = []
    try:
        for finder in _FINDERS:
            spans.extend(finder(text))
        return _merge(spans)
    except Exception:  # noqa: BLE001 - redaction must fail closed, whatever the input
        log.exception("PII finder failed; redacting the whole message")
        return [(0, len(text), REDACTED)]


def _replace(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    last = 0
    for start, end, label in spans:
        parts.append(text[last:start])
        parts.append(f"[{label}]")
        last = end
    parts.append(text[last:])
    return "".join(parts)


def redact(text: str) -> str:
    """text with each PII span replaced by its tag, e.g. "call me on [PHONE]". Never raises; not text gives ""."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    try:
        # Replacing a span can expose another in glued-together text ("a@b.coc@d.com"): repeat until nothing
        # more is found, so that redact(redact(x)) == redact(x).
        for _ in range(MAX_PASSES):
            redacted = _replace(text, find_pii(text))
            if redacted == text:
                break
            text = redacted
        return text
    except Exception:  # noqa: BLE001
        log.exception("redaction failed; withholding the whole message")
        return f"[{REDACTED}]"


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching any of these names as whole words, any case; None for no names.

    For names a parent introduced earlier ("my son is called Tom"), to remove them where they come up again.
    """
    words = sorted({n for n in names if len(n) > 1}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
