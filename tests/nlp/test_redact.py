"""The PII redactor: each kind found and not over-found, NHS and card checks, mixed text, idempotence, bad input."""

from __future__ import annotations

import random

import pytest

from bot.nlp import redact as redact_module
from bot.nlp.redact import LABELS, find_pii, luhn_is_valid, nhs_number_is_valid, redact


def _labels(text: str) -> list[str]:
    return [label for _, _, label in find_pii(text)]


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[s:e], label) for s, e, label in find_pii(text)]


def _nhs_check_digit(nine: str) -> int | None:
    """An independent modulus-11 implementation, to make valid and invalid numbers for the tests."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = (11 - total % 11) % 11
    return None if check == 10 else check


def _valid_nhs_numbers(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    found: list[str] = []
    while len(found) < count:
        nine = str(rng.randint(400_000_000, 799_999_999))
        check = _nhs_check_digit(nine)
        if check is not None:
            found.append(nine + str(check))
    return found


# --------------------------------------------------------------------------------------------------------------
# Each kind, positive
# --------------------------------------------------------------------------------------------------------------

POSITIVES = [
    # phones
    ("call me on 07700 900123", "07700 900123", "PHONE"),
    ("my mobile is 07700900123.", "07700900123", "PHONE"),
    ("ring +44 7700 900123 after 5", "+44 7700 900123", "PHONE"),
    ("+447700900123", "+447700900123", "PHONE"),
    ("0044 7700 900 123 is mine", "0044 7700 900 123", "PHONE"),
    ("home: (020) 7946 0000", "(020) 7946 0000", "PHONE"),
    ("work 0161-496-0000", "0161-496-0000", "PHONE"),
    ("+44 (0)20 7946 0000", "+44 (0)20 7946 0000", "PHONE"),
    ("landline 01632 960001", "01632 960001", "PHONE"),
    ("my number 0300 123 4567", "0300 123 4567", "PHONE"),
    ("07700-900-123", "07700-900-123", "PHONE"),
    # emails
    ("email me at sarah.jones@example.co.uk please", "sarah.jones@example.co.uk", "EMAIL"),
    ("ME+kids@Example.ORG", "ME+kids@Example.ORG", "EMAIL"),
    ("o'brien_family@mail.example.com", "o'brien_family@mail.example.com", "EMAIL"),
    ("ffion.llŷr@enghraifft.cymru", "ffion.llŷr@enghraifft.cymru", "EMAIL"),
    # postcodes
    ("I live at SW1A 1AA", "SW1A 1AA", "POSTCODE"),
    ("postcode sw1a 1aa", "sw1a 1aa", "POSTCODE"),
    ("M1 1AE is the address", "M1 1AE", "POSTCODE"),
    ("cf10 1ep", "cf10 1ep", "POSTCODE"),
    ("ll57 2pw", "ll57 2pw", "POSTCODE"),
    ("B338TH", "B338TH", "POSTCODE"),
    ("EC1A  1BB", "EC1A  1BB", "POSTCODE"),
    # NHS numbers (valid check digit)
    ("my NHS number is 943 476 5919", "943 476 5919", "NHS_NUMBER"),
    ("9434765919", "9434765919", "NHS_NUMBER"),
    ("her number is 943-476-5919.", "943-476-5919", "NHS_NUMBER"),
    # dates
    ("she was born 3/4/2019", "3/4/2019", "DATE"),
    ("dob 03-04-19", "03-04-19", "DATE"),
    ("born on 3rd April 2019", "3rd April 2019", "DATE"),
    ("april 3 2019", "april 3 2019", "DATE"),
    ("April 3rd, 2019", "April 3rd, 2019", "DATE"),
    ("2019-04-03", "2019-04-03", "DATE"),
    ("3rd of April, 2019", "3rd of April, 2019", "DATE"),
    ("12.11.2016", "12.11.2016", "DATE"),
    ("31 Dec 2020", "31 Dec 2020", "DATE"),
    ("3 Ebrill 2019", "3 Ebrill 2019", "DATE"),
    ("her birthday is 3rd april", "3rd april", "DATE"),
    ("date of birth: 14/2", "14/2", "DATE"),
    # family references
    ("my ref is DEMO-1001", "DEMO-1001", "FAMILY_REF"),
    ("demo 1001", "demo 1001", "FAMILY_REF"),
    ("Demo1001", "Demo1001", "FAMILY_REF"),
    ("reference ABC 123456", "ABC 123456", "FAMILY_REF"),
    ("my family reference is xyz 4455", "xyz 4455", "FAMILY_REF"),
    # cards (Luhn-valid test numbers)
    ("card 4111 1111 1111 1111", "4111 1111 1111 1111", "CARD"),
    ("5555555555554444", "5555555555554444", "CARD"),
    ("amex 3782 822463 10005", "3782 822463 10005", "CARD"),
    ("6011-1111-1111-1117", "6011-1111-1111-1117", "CARD"),
    # bank
    ("account number 12345678", "12345678", "BANK_ACCOUNT"),
    ("12345678 is my account", "12345678", "BANK_ACCOUNT"),
    ("acc no: 1234 5678", "1234 5678", "BANK_ACCOUNT"),
    ("sort code 12-34-56", "12-34-56", "SORT_CODE"),
    ("sort code: 123456", "123456", "SORT_CODE"),
    ("sort code 12 34 56", "12 34 56", "SORT_CODE"),
    ("12-34-56", "12-34-56", "SORT_CODE"),
    # names
    ("my son is called Tom", "Tom", "NAME"),
    ("my name is Sarah Jones", "Sarah Jones", "NAME"),
    ("her name's Aisha", "Aisha", "NAME"),
    ("I'm Dave", "Dave", "NAME"),
    ("this is Ffion", "Ffion", "NAME"),
    ("call me Ceri", "Ceri", "NAME"),
    ("my name is sarah jones and I need help", "sarah jones", "NAME"),
    ("i'm dave", "dave", "NAME"),
    ("I'm Llŷr", "Llŷr", "NAME"),
    ("it's Gwŷn here", "Gwŷn", "NAME"),
    ("Hi, it\u2019s Siân", "Siân", "NAME"),
    ("my daughter is named Rhiannon", "Rhiannon", "NAME"),
    ("my name is Seán O'Brien-Smith", "Seán O'Brien-Smith", "NAME"),
    ("Name: Aisha Khan", "Aisha Khan", "NAME"),
    ("I'm Mrs Jones", "Jones", "NAME"),
    ("I AM DAVE SMITH", "DAVE SMITH", "NAME"),
    ("fy enw i yw Ffion", "Ffion", "NAME"),
    ("my names Kayleigh", "Kayleigh", "NAME"),
    ("my name is April", "April", "NAME"),
]


@pytest.mark.parametrize(("text", "span", "label"), POSITIVES)
def test_each_kind_is_found(text, span, label):
    assert (span, label) in _found(text)
    assert f"[{label}]" in redact(text)
    assert span not in redact(text)


def test_every_label_is_covered_by_the_positive_cases():
    assert {label for _, _, label in POSITIVES} == set(LABELS)


def test_a_list_of_names_is_each_redacted():
    assert redact("my kids are called Tom and Ellie") == "my kids are called [NAME] and [NAME]"
    assert redact("they're called Ffion, Ceri & Dafydd") == "they're called [NAME], [NAME] & [NAME]"
    assert redact("my son is called Tom, he is 5") == "my son is called [NAME], he is 5"


# --------------------------------------------------------------------------------------------------------------
# Each kind, negative: ordinary words and numbers stay
# --------------------------------------------------------------------------------------------------------------

NEGATIVES = [
    "I have 3 kids",
    "the message is 2 segments long",
    "DEMO",
    "what does DEMO mean",
    "I'm worried",
    "I'm not sure what this means",
    "I'm Worried Sick",
    "I'M WORRIED",
    "This Is Ridiculous",
    "this is urgent",
    "this is a question about my records",
    "It's Monday",
    "it's me again",
    "I'm English",
    "I'm Mum to two boys",
    "I'm 35",
    "i am writing about my son",
    "I'm looking for help",
    "call me back tomorrow",
    "please call me asap",
    "call me on my mobile",
    "I called the council yesterday",
    "This is Example Borough Council",
    "this is non negotiable",
    "Childline is 0800 1111 and the NSPCC is 0808 800 5000",
    "call 999 or CALL 999",
    "the DPA 2018 and GDPR 2016 apply",
    "ISO 27001 certified",
    "COVID-19 changed things in April 2019",
    "in 2019 we moved",
    "page 3 of 4",
    "it costs 12.50",
    "meet at 10.30",
    "version 1.2.3",
    "13/13/2019 is not a date",
    "1/2 of the kids",
    "1234567890",
    "4111111111111112",
    "12345678",
    "my son is 12345678 days old",
    "012345",
    "A1 road",
    "room B12",
    "a@b",
    "@ExampleCouncil on social media",
    "section 251 of the NHS Act",
    "year 2019",
    "the form has 110 questions",
    "Rydw i'n byw yng Nghymru ac mae gen i 2 o blant",
    "ŵ ŷ",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_text_is_left_alone(text):
    assert find_pii(text) == [], _found(text)
    assert redact(text) == text


# --------------------------------------------------------------------------------------------------------------
# NHS check digit
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", _valid_nhs_numbers(25))
def test_valid_nhs_numbers_are_redacted_in_any_spacing(number):
    assert nhs_number_is_valid(number)
    for form in (number, f"{number[:3]} {number[3:6]} {number[6:]}", f"{number[:3]}-{number[3:6]}-{number[6:]}"):
        assert _labels(f"it's {form} ok") == ["NHS_NUMBER"], form


@pytest.mark.parametrize("number", _valid_nhs_numbers(25, seed=11))
def test_a_wrong_check_digit_is_left_alone_without_the_words_nhs_number(number):
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert not nhs_number_is_valid(wrong)
    spaced = f"{wrong[:3]} {wrong[3:6]} {wrong[6:]}"
    assert find_pii(f"the code is {spaced}") == []
    assert _found(f"my NHS number is {spaced}") == [(spaced, "NHS_NUMBER")]
    assert _found(f"NHS no: {wrong}") == [(wrong, "NHS_NUMBER")]


def test_nhs_check_digit_known_numbers():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("943476591")  # nine digits
    assert not nhs_number_is_valid("")


def test_luhn():
    assert luhn_is_valid("4111 1111 1111 1111")
    assert luhn_is_valid("378282246310005")
    assert not luhn_is_valid("4111 1111 1111 1112")
    assert not luhn_is_valid("4111")  # too short


# --------------------------------------------------------------------------------------------------------------
# Mixed messages, offsets, idempotence
# --------------------------------------------------------------------------------------------------------------

MIXED = [
    (
        "Hi, my name is Sarah Jones, my son is called Tom and he was born 3/4/2019. "
        "Call me on 07700 900123 or email sarah@example.com. We live at SW1A 1AA. Ref DEMO-1001.",
        "Hi, my name is [NAME], my son is called [NAME] and he was born [DATE]. "
        "Call me on [PHONE] or email [EMAIL]. We live at [POSTCODE]. Ref [FAMILY_REF].",
    ),
    (
        "NHS number 943 476 5919, card 4111 1111 1111 1111, account 12345678 sort code 12-34-56",
        "NHS number [NHS_NUMBER], card [CARD], account [BANK_ACCOUNT] sort code [SORT_CODE]",
    ),
    (
        "this is Ffion 👋 my daughter's dob is 2019-04-03 and our postcode is cf10 1ep 🙏",
        "this is [NAME] 👋 my daughter's dob is [DATE] and our postcode is [POSTCODE] 🙏",
    ),
    (
        "I'm Llŷr, rydw i'n byw yn LL57 2PW, ffôn 01248 383838",
        "I'm [NAME], rydw i'n byw yn [POSTCODE], ffôn [PHONE]",
    ),
    ("demo 1001 / 3rd April 2019", "[FAMILY_REF] / [DATE]"),
]


@pytest.mark.parametrize(("text", "expected"), MIXED)
def test_mixed_message(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [t for t, _ in MIXED] + [p[0] for p in POSITIVES] + NEGATIVES)
def test_spans_are_sorted_non_overlapping_and_in_range(text):
    spans = find_pii(text)
    previous_end = 0
    for start, end, label in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        assert label in LABELS
        previous_end = end


def _random_messages(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    pieces = [p[0] for p in POSITIVES] + NEGATIVES + [t for t, _ in MIXED]
    joins = [" ", ", ", ". ", "\n", " and ", "", " 😀 "]
    return [rng.choice(joins).join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(count)]


@pytest.mark.parametrize("text", [t for t, _ in MIXED] + [p[0] for p in POSITIVES] + _random_messages(150))
def test_redaction_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once


def test_redacting_changes_only_the_spans():
    text = "Hello, call me on 07700 900123 tonight."
    ((start, end, label),) = find_pii(text)
    assert redact(text) == text[:start] + f"[{label}]" + text[end:]


def test_offsets_are_right_after_emoji_and_welsh_letters():
    text = "😀🙏 ŵŷ Siân: 07700 900123"
    ((start, end, label),) = find_pii(text)
    assert (text[start:end], label) == ("07700 900123", "PHONE")


# --------------------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------------------

BAD = [
    "",
    " ",
    "\x00\x01\x02\x1b[31m\x7f",
    "😀" * 2000,
    "ŵ ŷ Llŷr Gwŵr",
    "'; DROP TABLE families; --",
    "<script>alert('07700 900123')</script>",
    "{{7*7}} ${jndi:ldap://127.0.0.1/a} %s%n",
    "\u202e\u2066\u200b\ufeff",
    "\ud800",
    "a" * 10_000,
    "1" * 10_000,
    "1 " * 5_000,
    "-" * 10_000,
    "@" * 10_000,
    "a@" * 5_000,
    "I'm " * 3_000,
    "my name is " * 1_000,
]


@pytest.mark.parametrize("text", BAD, ids=lambda t: repr(t)[:30])
def test_bad_input_never_raises(text):
    spans = find_pii(text)
    assert isinstance(spans, list)
    out = redact(text)
    assert isinstance(out, str)
    assert redact(out) == out


@pytest.mark.parametrize("value", [None, 42, 3.5, ["07700 900123"], {"a": 1}, object()])
def test_non_text_gives_empty_results(value):
    assert find_pii(value) == []
    assert redact(value) == ""


def test_bytes_are_read_as_utf8():
    assert redact(b"call 07700 900123 \xc5\xb5") == "call [PHONE] \u0175"


def test_pii_inside_injection_strings_is_still_redacted():
    assert redact("<script>alert('07700 900123')</script>") == "<script>alert('[PHONE]')</script>"
    assert redact("x'; DROP TABLE t; -- sarah@example.com") == "x'; DROP TABLE t; -- [EMAIL]"


def test_control_characters_do_not_hide_a_name_or_shift_offsets():
    text = "my name is\x00Sarah\x07 and 07700 900123"
    assert _found(text) == [("Sarah", "NAME"), ("07700 900123", "PHONE")]


def test_a_failing_finder_fails_closed(monkeypatch):
    def broken(text):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(redact_module, "_FINDERS", (redact_module._emails, broken))
    assert find_pii("call 07700 900123") == [(0, 17, "REDACTED")]
    assert redact("call 07700 900123") == "[REDACTED]"


def test_ten_thousand_characters_complete():
    base = "Hi, my name is Sarah, call 07700 900123, ref DEMO-1001, born 3/4/2019. I'm worried about my data. "
    text = (base * (10_000 // len(base) + 1))[:10_000]
    out = redact(text)
    assert "07700 900123" not in out and "DEMO-1001" not in out
    assert out.count("[PHONE]") >= 90


def test_very_long_input_completes_and_redacts_at_the_end():
    text = "blah " * 40_000 + "my name is Sarah and my number is 07700 900123"
    out = redact(text)
    assert out.endswith("my name is [NAME] and my number is [PHONE]")
