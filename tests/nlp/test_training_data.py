"""The training examples (data/nlu) and the held-out messages (tests/nlp/data/holdout/, a file per set) stay apart and
consistent, so that `make nlu-report`'s held-out figure stays a fair check: a held-out message that is also a
training example tests nothing, and one message under two labels teaches the classifier both."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from bot.nlp.components import APOSTROPHES
from bot.nlu_report import nlu_examples

ROOT = Path(__file__).resolve().parents[2]
TRAINING = [ROOT / "data" / "nlu" / "core.yml", ROOT / "data" / "nlu" / "topics.yml"]
HELD_OUT = ROOT / "tests" / "nlp" / "data" / "holdout"


def as_read(text: str) -> str:
    """The message as the classifiers tell messages apart: case, apostrophes and punctuation do not count."""
    text = re.sub(f"[{APOSTROPHES}]", "", text.lower())
    return " ".join(re.findall(r"\w+", text))


@pytest.fixture(scope="module")
def training() -> list[tuple[str, str]]:
    return [pair for path in TRAINING for pair in nlu_examples(path)]


@pytest.fixture(scope="module")
def held_out() -> list[tuple[str, str]]:
    return [pair for path in sorted(HELD_OUT.glob("*.yml")) for pair in nlu_examples(path)]


def test_as_read_ignores_case_apostrophes_and_punctuation() -> None:
    assert as_read("Don’t SHARE my kid's file!!") == as_read("dont share my kids file") == "dont share my kids file"
    assert as_read("opt me out") != as_read("opt me in")


def test_no_held_out_message_is_also_a_training_example(training, held_out) -> None:
    trained = {as_read(text) for _, text in training}
    both = sorted(text for _, text in held_out if as_read(text) in trained)
    assert not both, f"held-out messages that are also training examples: {both}"


def test_each_held_out_message_appears_once(held_out) -> None:
    seen: dict[str, int] = defaultdict(int)
    for _, text in held_out:
        seen[as_read(text)] += 1
    assert not [text for text, n in seen.items() if n > 1]


def test_no_message_is_trained_under_two_labels(training) -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for label, text in training:
        labels[as_read(text)].add(label)
    assert not {text: sorted(found) for text, found in labels.items() if len(found) > 1}


def test_every_held_out_label_is_one_the_assistant_knows(training, held_out) -> None:
    known = {label for label, _ in training}
    assert {label for label, _ in held_out} - known == set()
    assert len(held_out) >= 600 and len(list(HELD_OUT.glob("*.yml"))) >= 3  # three sets (docs/nlu.md)
