"""Reading what parents type: dates of birth and family references (no database)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.records.identity import normalise_reference, parse_dob

TODAY = dt.date(2026, 11, 25)
APRIL_3 = dt.date(2019, 4, 3)


@pytest.mark.parametrize(
    "text",
    [
        "3/4/2019",
        "03/04/2019",
        "03-04-19",
        "3.4.2019",
        "3 4 2019",
        "3rd April 2019",
        "3 apr 2019",
        "3 Apr. 2019",
        "3-Apr-2019",
        "3rd of April 2019",
        "april 3 2019",
        "April 3rd, 2019",
        "APRIL 3RD 2019",
        "2019-04-03",
        "2019/4/3",
        "03042019",
        "030419",
        "  3/4/2019  ",
        "3\u20134\u20132019",  # en dashes
        "\uff13/\uff14/\uff12\uff10\uff11\uff19",  # full-width digits
        "3ydd Ebrill 2019",  # Welsh
        "3 Ebrill 2019",
    ],
)
def test_date_forms_parents_type(text: str) -> None:
    assert parse_dob(text, today=TODAY) == APRIL_3


def test_day_comes_first() -> None:
    assert parse_dob("04/03/2019", today=TODAY) == dt.date(2019, 3, 4)
    assert parse_dob("12/1/2020", today=TODAY) == dt.date(2020, 1, 12)


def test_two_digit_years_are_the_most_recent_past_year() -> None:
    assert parse_dob("03-04-19", today=TODAY) == dt.date(2019, 4, 3)
    assert parse_dob("1/1/99", today=TODAY) == dt.date(1999, 1, 1)
    assert parse_dob("1/1/26", today=TODAY) == dt.date(2026, 1, 1)
    # Later this year would be the future, so it is the same day a century ago.
    assert parse_dob("1/12/26", today=TODAY) == dt.date(1926, 12, 1)
    assert parse_dob("29/2/24", today=TODAY) == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "31/2/2020",  # no 31 February
        "29/2/2019",  # not a leap year
        "32/1/2019",
        "3/13/2019",  # no 13th month (and not read US-style)
        "0/4/2019",
        "26/11/2026",  # tomorrow
        "1/1/2030",
        "2019-02-30",
        "3 smarch 2019",
        "3/4/1850",
        "3/4",
        "2019",
        "April 2019",
        "",
        "   ",
        "yesterday",
        "3/4/2019 or maybe 4/3/2019",
    ],
)
def test_impossible_future_or_incomplete_dates_are_none(text: str) -> None:
    assert parse_dob(text, today=TODAY) is None


def test_today_is_allowed() -> None:
    assert parse_dob("25/11/2026", today=TODAY) == TODAY


HOSTILE = [
    None,
    123,
    b"3/4/2019",
    ["3/4/2019"],
    "\U0001f476\U0001f382 3/4/2019 \U0001f389",
    "3" * 10_000,
    "3/4/2019" + " " * 10_000,
    "\x00\x01\x02\x1b[31m",
    "3/4/2019\x00",
    "\ud800",  # lone surrogate
    "ŵŷ 3/4/2019 ŵŷ",
    "'; DROP TABLE children; --",
    "Robert'); DROP TABLE families;--",
    "<script>alert(1)</script>",
    "%s%s%s%n",
    "9" * 60,
    "99/99/9999",
    "1/1/0",
    "1/1/00000000000000000000019",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_parse_dob_never_raises(text: object) -> None:
    result = parse_dob(text, today=TODAY)  # type: ignore[arg-type]
    assert result is None or (isinstance(result, dt.date) and result <= TODAY)


@pytest.mark.parametrize("text", HOSTILE)
def test_normalise_reference_never_raises(text: object) -> None:
    result = normalise_reference(text)
    assert result is None or isinstance(result, str)


def test_random_garbage_never_raises() -> None:
    rng = random.Random(20261125)
    alphabet = "0123456789/-. ,abcdefghijklmnopqrstuvwxyzAPRILŵŷ\U0001f476\x00\t\n"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        parse_dob(text, today=TODAY)
        normalise_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "demo 1001",
        "Demo-1001",
        " DEMO1001 ",
        "DEMO-1001",
        "demo_1001",
        "DEMO – 1001",
        "my ref is demo 1001",
        "DEMO 1001.",
    ],
)
def test_reference_forms(text: str) -> None:
    assert normalise_reference(text) == "DEMO-1001"


def test_other_council_prefixes_keep_their_letters_and_digits() -> None:
    assert normalise_reference("ebc 000123") == "EBC-000123"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1001",
        "DEMO",
        "D-1001",  # one letter is not a prefix
        "DEMO-12",  # too few digits
        "3/4/2019",
        "April 2019",  # a date, not a reference
        "DEMO-1001 or DEMO-1002",  # which one?
        "DEMŴ-1001",
        "x" * 100,
    ],
)
def test_not_references(text: str) -> None:
    assert normalise_reference(text) is None
