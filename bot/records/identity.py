"""Reading what parents type: family references and dates of birth. Pure functions that never raise."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

MAX_INPUT = 64  # longer text is not a reference or a date someone typed on its own
MAX_SENTENCE = 240  # a sentence that gives a reference and a date of birth ("my ref is ... and she was born ...")

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_REFERENCE_EXACT = re.compile(r"([A-Z]{2,10})[\s._/-]*([0-9]{3,12})")
_REFERENCE_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z]{2,10})[\s-]?([0-9]{3,12})(?![A-Z0-9])")

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "jan", "ionawr"),
        ("february", "feb", "chwefror"),
        ("march", "mar", "mawrth"),
        ("april", "apr", "ebrill"),
        ("may", "mai"),
        ("june", "jun", "mehefin"),
        ("july", "jul", "gorffennaf"),
        ("august", "aug", "awst"),
        ("september", "sep", "sept", "medi"),
        ("october", "oct", "hydref"),
        ("november", "nov", "tachwedd"),
        ("december", "dec", "rhagfyr"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_SEP = r"[\s/.\-]+"
_ISO = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})")
_DAY_FIRST = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})")
_DAY_MONTHNAME = re.compile(r"(\d{1,2})[\s/.\-]*(?:of\s+)?([a-z]+)\.?[\s/.\-]*(\d{4}|\d{2})")
_MONTHNAME_DAY = re.compile(r"([a-z]+)\.?[\s/.\-]*(\d{1,2})[\s/.\-]+(\d{4}|\d{2})")
_DIGITS_ONLY = re.compile(r"\d{6}|\d{8}")
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th|af|il|ydd|ed|fed|eg)\b")  # English and Welsh ordinals


def _clean(text: object, limit: int = MAX_INPUT) -> str | None:
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if not text or len(text) > limit:
        return None
    return text


def bare_reference(text: object) -> str | None:
    """The family reference when the whole message is one ('demo 1001', 'DEMO-1001'); else None."""
    cleaned = _clean(text)
    exact = _REFERENCE_EXACT.fullmatch(cleaned.upper()) if cleaned else None
    return _reference(exact.group(1), exact.group(2)) if exact else None


def normalise_reference(text: object) -> str | None:
    """'demo 1001', 'Demo-1001', ' DEMO1001 ' -> 'DEMO-1001'; None when it is not a family reference.

    A reference inside a sentence ('my ref is demo 1001') is found when there is exactly one.
    """
    cleaned = _clean(text, MAX_SENTENCE)
    if cleaned is None:
        return None
    upper = cleaned.upper()
    exact = _REFERENCE_EXACT.fullmatch(upper) if len(upper) <= MAX_INPUT else None
    if exact:
        return _reference(exact.group(1), exact.group(2))
    if not upper.isascii():
        upper = "".join(ch if ch.isascii() else " " for ch in upper)
    found = [f for f in _REFERENCE_IN_TEXT.findall(upper) if f[0].lower() not in MONTHS]
    if len(found) == 1:
        return _reference(*found[0])
    return None


def _reference(letters: str, digits: str) -> str | None:
    if letters.lower() in MONTHS:  # "April 2019" is a date, not a reference
        return None
    return f"{letters}-{digits}"


def _uk_today() -> dt.date:
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Europe/London")).date()
    except Exception:  # no tz database: UTC is at most an hour out
        return dt.datetime.now(dt.timezone.utc).date()


def _make_date(year: int, month: int, day: int, two_digit_year: bool, today: dt.date) -> dt.date | None:
    if two_digit_year:
        year += (today.year // 100) * 100
        if year > today.year:
            year -= 100
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None
    if two_digit_year and value > today:
        # The most recent such date that is not in the future.
        try:
            value = dt.date(year - 100, month, day)
        except ValueError:
            return None
    if value > today or value.year < 1900:
        return None
    return value


def dob_in(text: object, today: dt.date | None = None) -> str | None:
    """The date of birth written inside a longer message ("DEMO-1003 and my youngest was born 09/01/21", "ref
    DEMO-1002, 21 november 2016"), as typed, when there is exactly one; else None. Never raises."""
    try:
        cleaned = _clean(text, MAX_SENTENCE)
        if cleaned is None:
            return None
        value = _REFERENCE_IN_TEXT.sub(  # the family reference's digits are no date ("november 2016" is)
            lambda m: m.group(0) if m.group(1).lower() in MONTHS else " ", cleaned.upper()).lower().replace(",", " ")
        value = re.sub(r"\s+", " ", _ORDINAL.sub(r"\1", value))
        found = {m.group(0).strip() for regex in (_ISO, _DAY_FIRST, _DAY_MONTHNAME, _MONTHNAME_DAY)
                 for m in regex.finditer(value)}
        dates = {f: d for f in sorted(found) if (d := parse_dob(f, today)) is not None}
        return next(iter(dates)) if len(set(dates.values())) == 1 else None
    except Exception:  # a parser that must never fail a conversation
        return None


def parse_dob(text: object, today: dt.date | None = None) -> dt.date | None:
    """A date of birth as UK parents type it (day first), or None. Never raises.

    '3/4/2019', '03-04-19', '3.4.2019', '3rd April 2019', '3 apr 2019', 'april 3 2019', 'April 3rd, 2019',
    '2019-04-03', '03042019'. Two-digit years are the most recent past year. Future or impossible dates
    give None.
    """
    try:
        return _parse_dob(text, today or _uk_today())
    except Exception:  # a parser that must never fail a conversation
        return None


def _parse_dob(text: object, today: dt.date) -> dt.date | None:
    cleaned = _clean(text)
    if cleaned is None:
        return None
    value = cleaned.lower().replace(",", " ")
    value = _ORDINAL.sub(r"\1", value)
    value = re.sub(r"\s+", " ", value).strip()

    if match := _ISO.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day, False, today)
    if match := _DAY_FIRST.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
        return _make_date(year, month, day, len(match.group(3)) == 2, today)
    if match := _DAY_MONTHNAME.fullmatch(value):
        month = MONTHS.get(match.group(2))
        if month is None:
            return None
        return _make_date(int(match.group(3)), month, int(match.group(1)), len(match.group(3)) == 2, today)
    if match := _MONTHNAME_DAY.fullmatch(value):
        month = MONTHS.get(match.group(1))
        if month is None:
            return None
        return _make_date(int(match.group(3)), month, int(match.group(2)), len(match.group(3)) == 2, today)
    if _DIGITS_ONLY.fullmatch(value):
        if len(value) == 6:  # ddmmyy
            return _make_date(int(value[4:]), int(value[2:4]), int(value[:2]), True, today)
        day_first = _make_date(int(value[4:]), int(value[2:4]), int(value[:2]), False, today)
        if day_first is not None:
            return day_first
        return _make_date(int(value[:4]), int(value[4:6]), int(value[6:]), False, today)  # yyyymmdd
    return None
