"""GSM-7 detection, SMS segment counting and splitting, markdown to plain text, inbound cleaning,
numbered choices."""

from __future__ import annotations

import pytest

from bot.channels.choices import Choice, choice_number, choices_from_buttons, with_numbered_choices
from bot.channels.formatting import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    clean_inbound_text,
    gsm_friendly,
    is_gsm7,
    segment_count,
    sms_encoding,
    sms_units,
    split_sms,
    split_text,
    take_sms,
    to_plain_text,
)

# -- GSM-7 ---------------------------------------------------------------------------------------------


def test_the_gsm7_tables_are_complete() -> None:
    assert len(GSM7_BASIC) == 127 == len(set(GSM7_BASIC))  # 128 code points less ESC
    assert "\x1b" not in GSM7_BASIC
    assert sorted(GSM7_EXTENSION) == sorted("\f^{}\\[~]|€")
    assert is_gsm7(GSM7_BASIC + GSM7_EXTENSION)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello, how are you? £5 @ 10%", "GSM-7"),
        ("Ça coûte 5€", "UCS-2"),  # û is not in GSM-7
        ("Dŵr", "UCS-2"),
        ("Ŷ", "UCS-2"),
        ("It\u2019s", "UCS-2"),  # a curly apostrophe
        ("\u201cquoted\u201d", "UCS-2"),
        ("👍", "UCS-2"),
        ("Ünïcödé", "UCS-2"),  # ï is not in GSM-7, Ü and ö are
        ("ÄÖÑÜäöñüàèéùìòÇØøÅåÆæßÉ¡¿§", "GSM-7"),
        ("[braces] {and} ~tilde~ |pipe| ^caret^ €uro \\", "GSM-7"),
    ],
)
def test_encoding(text: str, expected: str) -> None:
    assert sms_encoding(text) == expected


def test_extension_characters_count_two_septets() -> None:
    assert sms_units("a€[") == 5
    assert sms_units("{}") == 4


def test_ucs2_counts_utf16_code_units() -> None:
    assert sms_units("ŵ") == 1
    assert sms_units("👍") == 2  # outside the BMP: a surrogate pair
    assert sms_units("👨‍👩‍👧") == 8  # three people (2 each) and two joiners (1 each)


# -- segment counting: exactly at the boundaries --------------------------------------------------------


@pytest.mark.parametrize(
    "text, segments",
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),
        ("a" * 159 + "€", 2),  # 161 septets
        ("ŵ" * 70, 1),
        ("ŵ" * 71, 2),
        ("ŵ" + "a" * 69, 1),  # one Welsh letter makes all 70 characters UCS-2
        ("ŵ" + "a" * 70, 2),
        ("ŵ" * 134, 2),
        ("ŵ" * 135, 3),
        ("ŵ" * 201, 3),
        ("ŵ" * 202, 4),
        ("👍" * 35, 1),  # 70 code units
        ("👍" * 36, 2),
        ("a" * 159 + "\u2019", 3),  # a curly quote turns 160 characters into 160 UCS-2 units
    ],
)
def test_segment_count(text: str, segments: int) -> None:
    assert segment_count(text) == segments


def test_an_extension_character_is_not_split_across_parts() -> None:
    text = "a" * 152 + "€" + "a" * 10  # the € would straddle septets 153/154
    parts = split_sms(text)
    assert parts[0] == "a" * 152
    assert parts[1].startswith("€")
    assert segment_count(text) == 2


def test_a_surrogate_pair_is_never_split() -> None:
    text = "a" * 66 + "👍" + "b" * 10  # UCS-2; the emoji would straddle units 67/68
    parts = split_sms(text)
    assert "".join(parts) == text
    for part in parts:
        assert sms_units(part, "UCS-2") <= 67
        part.encode("utf-8")  # a split surrogate would not encode


def test_a_joined_emoji_sequence_is_kept_together_in_a_hard_cut() -> None:
    text = "x" * 64 + "👨‍👩‍👧" + "y" * 20
    parts = split_sms(text)
    assert "".join(parts) == text
    assert all(not p.startswith("\u200d") and not p.endswith("\u200d") for p in parts)


# -- splitting -----------------------------------------------------------------------------------------


def test_split_sms_fits_each_part_and_cuts_between_words() -> None:
    text = " ".join(["Records", "about", "your", "family", "are", "kept", "safe"] * 12)
    parts = split_sms(text)
    assert len(parts) == segment_count(text) or len(parts) == segment_count(text) + 1
    for part in parts:
        assert sms_units(part) <= 153
        assert part == part.strip()
    assert " ".join(parts) == text


def test_split_sms_prefers_a_sentence_end() -> None:
    first = "We keep school records for six years, then we delete them unless the law says we must keep them."
    second = "They are stored on secure council systems that only trained staff can open."
    parts = split_sms(f"{first} {second} {second}")
    assert parts[0] == first
    assert parts[1] == f"{second} {second}"  # 151 characters: one part


def test_welsh_text_splits_at_67_units() -> None:
    sentence = "Mae'r cyngor yn cadw cofnodion ŵyr ac wyresau am chwe blynedd."
    parts = split_sms(" ".join([sentence] * 5))
    assert all(sms_units(p, "UCS-2") <= 67 for p in parts)
    assert all(p.endswith(".") for p in parts), "each sentence fits in a part, so cut at sentence ends"


def test_a_single_sms_is_not_split() -> None:
    assert split_sms("a" * 160) == ["a" * 160]
    assert split_sms("ŵ" * 70) == ["ŵ" * 70]
    assert split_sms("   ") == []


def test_take_sms_keeps_the_head_within_the_limit_with_the_suffix() -> None:
    suffix = "\n\nReply MORE for the rest"
    text = " ".join(f"Point {n} is a short sentence." for n in range(60))
    head, rest = take_sms(text, 3, suffix)
    assert segment_count(head + suffix) <= 3
    assert head.endswith(".")
    assert (head + " " + rest) == text
    assert take_sms("short", 3, suffix) == ("short", "")


def test_take_sms_exactly_at_three_segments_sends_all() -> None:
    text = "a" * 459
    assert take_sms(text, 3, "\n\nReply MORE for the rest") == (text, "")
    head, rest = take_sms(text + "a", 3, "\n\nReply MORE for the rest")
    assert rest and segment_count(head + "\n\nReply MORE for the rest") == 3


def test_split_text_for_whatsapp() -> None:
    text = "word " * 2000
    parts = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in parts)
    assert " ".join(parts) == text.strip()
    assert split_text("x" * 4096, 4096) == ["x" * 4096]
    assert [len(p) for p in split_text("x" * 4097, 4096)] == [4096, 1]


# -- markdown, GSM look-alikes, inbound cleaning ------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown, plain",
    [
        (
            "See [our privacy notice](https://example.gov.uk/privacy).",
            "See our privacy notice: https://example.gov.uk/privacy.",
        ),
        ("[https://example.gov.uk](https://example.gov.uk)", "https://example.gov.uk"),
        ("Call [0300 123 4567](tel:03001234567)", "Call 0300 123 4567: tel:03001234567"),
        ("**Bold** and *italic* and _this_ and `code` and ~~gone~~", "Bold and italic and this and code and gone"),
        ("# Your rights\n\nYou can ask.", "Your rights\n\nYou can ask."),
        ("* one\n* two\n- three", "- one\n- two\n- three"),
        ("> quoted advice", "quoted advice"),
        ("snake_case_name stays and 2*3*4 stays", "snake_case_name stays and 2*3*4 stays"),
        ("under <13 and a <b>tag</b>", "under <13 and a tag"),
        ("![A chart](https://example.gov.uk/c.png)", "A chart: https://example.gov.uk/c.png"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("", ""),
    ],
)
def test_to_plain_text(markdown: str, plain: str) -> None:
    assert to_plain_text(markdown) == plain


def test_gsm_friendly_swaps_punctuation_but_never_letters() -> None:
    assert gsm_friendly("It\u2019s \u201cours\u201d \u2013 ok\u2026") == 'It\'s "ours" - ok...'
    assert gsm_friendly("Dŵr a ŷd") == "Dŵr a ŷd"
    assert sms_encoding(gsm_friendly("It\u2019s fine")) == "GSM-7"


def test_clean_inbound_text() -> None:
    assert clean_inbound_text("  hi\x00\x07\x1b there\t!\r\nnext  ", 100) == "hi there !\nnext"
    assert clean_inbound_text("abc\u202edef\u2066", 100) == "abcdef"
    assert clean_inbound_text("bad \ud800 surrogate", 100) == "bad  surrogate"
    assert clean_inbound_text("Dŵr 👍", 100) == "Dŵr 👍"
    assert clean_inbound_text("w\u0302", 100) == "ŵ"  # NFC
    assert clean_inbound_text("x" * 50, 10) == "x" * 10
    assert clean_inbound_text(None, 10) == ""


# -- numbered choices ------------------------------------------------------------------------------------


def test_buttons_become_numbered_lines() -> None:
    choices = choices_from_buttons(
        [{"title": "**Yes**", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}, {"title": "Maybe"}, "junk"]
    )
    assert choices == [Choice("Yes", "/affirm"), Choice("No", "/deny"), Choice("Maybe", "Maybe")]
    assert with_numbered_choices("Share it?", choices) == (
        "Share it?\n\nReply 1 for Yes\nReply 2 for No\nReply 3 for Maybe"
    )
    assert with_numbered_choices("", choices[:1]) == "Reply 1 for Yes"


@pytest.mark.parametrize(
    "reply, number",
    [
        ("1", 1),
        ("1.", 1),
        (" 1 ", 1),
        ("2)", 2),
        ("10", 10),
        ("one", None),
        ("1 please", None),
        ("", None),
        ("-1", None),
    ],
)
def test_choice_number(reply: str, number: int | None) -> None:
    assert choice_number(reply) == number


def test_splitting_a_very_long_text_completes() -> None:
    text = "Records about families are kept safe. " * 30_000  # about 1.1 MB
    parts = split_text(text, 4096)
    sms_parts = split_sms(text[:200_000])
    head, rest = take_sms(text, 3, "\n\nReply MORE for the rest")
    assert all(len(p) <= 4096 for p in parts)
    assert all(sms_units(p) <= 153 for p in sms_parts)
    assert segment_count(head) <= 3 and rest
