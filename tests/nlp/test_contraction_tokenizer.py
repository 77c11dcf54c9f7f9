"""ContractionTokenizer: "don't", "don’t" and "dont" are one word, with offsets into the message as typed."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import ContractionTokenizer


def _tokens(text: str) -> list[tuple[str, int, int]]:
    tokenizer = ContractionTokenizer(ContractionTokenizer.get_default_config())
    return [(t.text, t.start, t.end) for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


@pytest.mark.parametrize("typed", ["don't ask", "don’t ask", "don‘t ask", "don`t ask", "dont ask"])
def test_every_way_of_writing_a_contraction_is_the_same_word(typed):
    assert [text for text, _, _ in _tokens(typed)] == ["dont", "ask"]


def test_offsets_still_point_at_the_message_as_typed():
    text = "I’m scared they'll know"
    assert _tokens(text) == [("Im", 0, 3), ("scared", 4, 10), ("theyll", 11, 18), ("know", 19, 23)]
    assert [text[start:end] for _, start, end in _tokens(text)] == ["I’m", "scared", "they'll", "know"]


@pytest.mark.parametrize("text,expected", [
    ("'quoted' word", ["quoted", "word"]),  # quotes around a word are not inside it
    ("beth yw'r tywydd", ["beth", "ywr", "tywydd"]),  # Welsh too
    ("rock 'n' roll", ["rock", "n", "roll"]),  # a space on either side: separate words, as before
    ("10'000 kids", ["10'000", "kids"]),  # Rasa keeps a number whole already
    ("'", ["'"]),  # nothing but an apostrophe: Rasa's one-token answer
])
def test_other_apostrophes_are_left_as_rasa_tokenizes_them(text, expected):
    assert [t for t, _, _ in _tokens(text)] == expected
