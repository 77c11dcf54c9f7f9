"""Text formatting for the SMS and WhatsApp channels.

- GSM-7 detection and SMS segment counting (GSM 03.38 basic set + extension table). A single SMS holds
  160 GSM-7 characters or 70 UCS-2 code units; a split message holds 153 / 67 per part (the rest of each
  part is the concatenation header). Extension characters (^ { } \\ [ ~ ] | € and form feed) take two
  septets. One character outside GSM-7 (Welsh ŵ ŷ, an emoji, a curly quote) makes the whole message
  UCS-2, counted in UTF-16 code units (an emoji outside the BMP is two).
- Splitting at sentence or word boundaries when possible, never inside a character (Python strings
  hold code points, so a surrogate pair is never cut) nor before a combining mark or joiner.
- Markdown to plain text: `[title](url)` becomes "title: url", other markdown is dropped.
- Inbound text cleaning: control characters and bidirectional overrides removed, length capped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# A response whose SMS variant has `custom: {sms_alone: true}` is sent as its own text, at once (the crisis numbers
# in one SMS of at most 160 characters; the rest of the turn follows in a second). bot/content/build.py writes it.
SEND_ALONE = "sms_alone"

# "MORE" asks for the rest: of a long SMS reply the channel kept (bot/channels/sms.py), or, when it kept none, of the
# topic page whose one section was sent (the section's SMS form ends with the message channels.more_suffix;
# bot/content/build.py).
MORE_KEYWORD = "MORE"

# GSM 03.38 default alphabet, in table order, without ESC (0x1B), which introduces the extension table.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
_GSM7_BASIC_SET = frozenset(GSM7_BASIC)
_GSM7_EXTENSION_SET = frozenset(GSM7_EXTENSION)

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
PART_LIMIT = {GSM7: 153, UCS2: 67}


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7_BASIC_SET or ch in _GSM7_EXTENSION_SET for ch in text)


def sms_encoding(text: str) -> str:
    return GSM7 if is_gsm7(text) else UCS2


def _char_units(ch: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if ch in _GSM7_EXTENSION_SET else 1
    return 2 if ord(ch) > 0xFFFF else 1  # UTF-16: a surrogate pair outside the BMP


def sms_units(text: str, encoding: str | None = None) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text needs."""
    encoding = encoding or sms_encoding(text)
    return sum(_char_units(ch, encoding) for ch in text)


def _pack(text: str, encoding: str, capacity: int) -> list[str]:
    """Cut text into parts of at most `capacity` units, never splitting a character's units."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        units = _char_units(ch, encoding)
        if used + units > capacity and current:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += units
    if current:
        parts.append("".join(current))
    return parts


def segment_count(text: str) -> int:
    """How many SMS segments the carrier bills for this text (0 for an empty text)."""
    if not text:
        return 0
    encoding = sms_encoding(text)
    if sms_units(text, encoding) <= SINGLE_LIMIT[encoding]:
        return 1
    return len(_pack(text, encoding, PART_LIMIT[encoding]))


_WHITESPACE = re.compile(r"\s+")
_SENTENCE_PUNCTUATION = ".!?:;"
_CLOSERS = "\"')]\u2019\u201d"


def _is_joined(text: str, index: int) -> bool:
    """True if cutting before text[index] would separate a character from its mark or joiner."""
    if index <= 0 or index >= len(text):
        return False
    nxt, prev = text[index], text[index - 1]
    return (
        unicodedata.combining(nxt) != 0
        or nxt in "\u200d\ufe0e\ufe0f"
        or prev == "\u200d"
        or 0x1F3FB <= ord(nxt) <= 0x1F3FF  # skin-tone modifiers
    )


def _ends_sentence(text: str, index: int) -> bool:
    head = text[:index].rstrip(_CLOSERS)
    return bool(head) and head[-1] in _SENTENCE_PUNCTUATION


def _cut_index(text: str, fits: Callable[[str], bool], window: int | None = None) -> int:
    """Where to cut `text` so the head fits: the last sentence end, else the last space, else hard.

    `fits` must be monotonic (if a head fits, every shorter head fits). `window`, when given, is a
    number of characters no fitting head can exceed (it bounds the search in a long text).
    """
    lo, hi = 0, len(text) if window is None else min(len(text), window)
    while lo < hi:  # the largest n with fits(text[:n])
        mid = (lo + hi + 1) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid - 1
    limit = lo
    if limit >= len(text):
        return len(text)
    if limit == 0:  # nothing fits: still make progress, one whole character
        cut = 1
        while cut < len(text) and _is_joined(text, cut):
            cut += 1
        return cut
    sentence_cut = gap_cut = 0
    for match in _WHITESPACE.finditer(text, 0, limit + 1):
        position = match.start()
        if position == 0:
            continue
        gap_cut = position
        if "\n" in match.group() or _ends_sentence(text, position):
            sentence_cut = position
    if sentence_cut and sentence_cut >= limit // 2:
        return sentence_cut
    if gap_cut and gap_cut >= limit // 3:
        return gap_cut
    cut = limit
    while cut > 1 and _is_joined(text, cut):
        cut -= 1
    return cut


def _split(text: str, fits: Callable[[str], bool], window: int) -> list[str]:
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= window and fits(rest):
            parts.append(rest)
            break
        cut = _cut_index(rest, lambda head: fits(head.rstrip()), window + 1)
        head = rest[:cut].rstrip()
        if not head:  # only whitespace before the cut: take at least one character
            head, cut = rest[:1], 1
        parts.append(head)
        rest = rest[cut:].lstrip()
    return parts


def split_sms(text: str) -> list[str]:
    """Split text into SMS parts, each one segment: [text] if it fits one SMS, else parts of 153 / 67.

    The encoding is that of the whole text (all parts of a concatenated SMS share it).
    """
    text = text.strip()
    if not text:
        return []
    encoding = sms_encoding(text)
    if sms_units(text, encoding) <= SINGLE_LIMIT[encoding]:
        return [text]
    capacity = PART_LIMIT[encoding]
    return _split(text, lambda head: sms_units(head, encoding) <= capacity, capacity)


def take_sms(text: str, max_segments: int, suffix: str = "") -> tuple[str, str]:
    """Split text into what fits in `max_segments` segments now and the rest (sent on "MORE").

    If the whole text fits, returns (text, ""). Otherwise the head is cut at a sentence or word
    boundary so that head + suffix (e.g. "Reply MORE for the rest") fits in `max_segments` segments.
    """
    text = text.strip()
    if segment_count(text) <= max_segments:
        return text, ""
    window = max(SINGLE_LIMIT[GSM7], max_segments * PART_LIMIT[GSM7]) + 1  # a character is at least 1 unit
    cut = _cut_index(text, lambda head: segment_count(head.rstrip() + suffix) <= max_segments, window)
    head, rest = text[:cut].rstrip(), text[cut:].strip()
    if not head:
        head, rest = text[:1], text[1:].strip()
    return head, rest


def split_text(text: str, max_chars: int) -> list[str]:
    """Split text into messages of at most `max_chars` characters at sentence or word boundaries."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    return _split(text, lambda head: len(head) <= max_chars, max_chars)


# Punctuation that has a GSM-7 look-alike. Replacing it keeps an SMS in GSM-7 (160 a segment instead
# of 70). Letters are never touched: Welsh ŵ ŷ stay as written, and the message goes out as UCS-2.
_GSM_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2026": "...",
        "\u2022": "-",
        "\u00b7": "-",
    }
)


def gsm_friendly(text: str) -> str:
    """Swap typographic punctuation for GSM-7 equivalents (never letters)."""
    return text.translate(_GSM_LOOKALIKES)


_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto|tel):[^>\s]+)>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", re.S)
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", re.S)
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.S)
_CODE = re.compile(r"`+([^`]+)`+")
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.M)
_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.M)
_RULE = re.compile(r"^[ \t]{0,3}([-*_])([ \t]*\1){2,}[ \t]*$", re.M)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _link(title: str, url: str) -> str:
    title = title.strip()
    if not title or title == url or title == url.split(":", 1)[-1].lstrip("/"):
        return url
    return f"{title}: {url}"


def to_plain_text(markdown: str | None) -> str:
    """Markdown to the plain text an SMS or WhatsApp message can show."""
    if not markdown:
        return ""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    text = _IMAGE.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = _LINK.sub(lambda m: _link(m.group(1), m.group(2)), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _HEADING.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(r"\1- ", text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = _HTML_TAG.sub("", text)
    for _ in range(2):  # nested emphasis, e.g. ***both***
        text = _BOLD.sub(r"\2", text)
        text = _STRIKE.sub(r"\1", text)
        text = _ITALIC_STAR.sub(r"\1", text)
        text = _ITALIC_UNDERSCORE.sub(r"\1", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def clean_inbound_text(text: str | None, max_chars: int) -> str:
    """Inbound text made safe to pass on: NFC, no control characters (newlines kept, tabs to spaces),
    no bidirectional overrides, no lone surrogates (malformed JSON can carry them), at most `max_chars`.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\n" or (category not in ("Cc", "Cs", "Co") and ch not in _BIDI_CONTROLS):
            kept.append(ch)
    cleaned = "".join(kept).strip()
    if len(cleaned) > max_chars:
        cleaned = cleaned[:max_chars].rstrip()
    return cleaned
