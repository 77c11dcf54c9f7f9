"""WordListFeaturizer: list words and patterns match whatever the apostrophe, kept through save and load; the
real lists still compile; only the examples are featurized in training."""

from __future__ import annotations

import re

import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.components import ContractionTokenizer, WordListFeaturizer

LOOKUPS = [{"name": "no_word", "elements": ["don't", "nope", "wont"]}]
REGEXES = [{"name": "asks_a_question", "pattern": r"^\W*(?:what's|can't)\b"}]


def _featurized(component, featurizer, texts: list[str]) -> list[Message]:
    tokenizer = component(ContractionTokenizer, "tokenizer")
    messages = [Message(data={"text": t}) for t in texts]
    tokenizer.process(messages)
    featurizer.process(messages)
    return messages


def _fired(message: Message) -> list[float]:
    return message.get_sparse_features("text")[1].features.toarray()[0].tolist()


@pytest.fixture()
def trained(setup):
    _, _, component, data, _ = setup
    featurizer = component(WordListFeaturizer, "lists", alias="word_lists", case_sensitive=False)
    featurizer.train(TrainingData(data.training_examples, lookup_tables=LOOKUPS, regex_features=REGEXES))
    return component, featurizer


@pytest.mark.parametrize("text", ["don't", "don’t", "DON‘T", "dont", "won't", "won’t", "wont", "what's this",
                                  "whats this", "can’t i", "I don’t know"])
def test_a_list_word_matches_with_any_apostrophe_or_none(trained, text):
    component, featurizer = trained
    assert sum(_fired(*_featurized(component, featurizer, [text]))) == 1.0


@pytest.mark.parametrize("text", ["do not", "don t", "what is this", "can i", "'don'", "wo n't"])
def test_other_words_do_not_match(trained, text):
    component, featurizer = trained
    assert sum(_fired(*_featurized(component, featurizer, [text]))) == 0.0


def test_the_patterns_are_kept_after_loading(setup, trained):
    storage, context, component, _, _ = setup
    _, featurizer = trained
    loaded = WordListFeaturizer.load({**WordListFeaturizer.get_default_config(), "alias": "word_lists",
                                      "case_sensitive": False}, storage, Resource("lists"), context)
    assert loaded.known_patterns == featurizer.known_patterns
    assert _fired(*_featurized(component, loaded, ["don’t"])) == _fired(*_featurized(component, featurizer, ["dont"]))


@pytest.fixture()
def real_lists(setup):
    """A WordListFeaturizer trained on our own data/nlu/lookups.yml."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.content.loader import REPO_ROOT

    _, _, component, _, _ = setup
    lists = load_data(str(REPO_ROOT / "data" / "nlu" / "lookups.yml"))
    featurizer = component(WordListFeaturizer, "real", alias="word_lists", case_sensitive=False)
    featurizer.train(TrainingData([Message(data={"text": "hi", "intent": "greet"})],
                                  lookup_tables=lists.lookup_tables, regex_features=lists.regex_features))
    return component, featurizer


def test_our_real_lists_still_compile_as_patterns(real_lists):
    _, featurizer = real_lists
    assert len(featurizer.known_patterns) >= 20
    for pattern in featurizer.known_patterns:
        re.compile(pattern["pattern"])


@pytest.mark.parametrize(("text", "lists"), [
    ("mae camgymeriad yn fy ffeil", {"wrong_word", "records_word"}),  # there is a mistake in my file
    ("anfonwch gofnodion fy mhlant ata i", {"do_it_now", "records_word", "family_word"}),  # send my children's records
    ("dw i eisiau newid ein dewisiadau", {"do_it_now", "change_word", "consent_word"}),  # i want to change our choices
    ("oes unrhyw newyddion am fy nghais", {"status_word"}),  # any news on my request
    ("ydy hwn yn gyfrifiadur neu berson go iawn", {"bot_word", "person_word"}),  # is this a computer or a real person
])
def test_welsh_words_are_on_the_lists(real_lists, text, lists):
    """A parent writing in Welsh gets the same list features as one writing in English (the classifiers have only
    a few Welsh examples per intent, and the sentence model reads English alone)."""
    component, featurizer = real_lists
    [message] = _featurized(component, featurizer, [text])
    fired = {p["name"] for p, on in zip(featurizer.known_patterns, _fired(message), strict=True) if on}
    assert lists <= fired


def test_training_twice_on_the_same_data_gives_the_same_patterns(setup):
    """Cross-validation trains a featurizer per fold on the same lists: each must see them as written."""
    _, _, component, data, _ = setup
    lists = TrainingData(data.training_examples, lookup_tables=LOOKUPS, regex_features=REGEXES)
    first, second = (component(WordListFeaturizer, name, case_sensitive=False) for name in ("one", "two"))
    first.train(lists)
    second.train(lists)
    assert first.known_patterns == second.known_patterns
    assert REGEXES == [{"name": "asks_a_question", "pattern": r"^\W*(?:what's|can't)\b"}]  # as written


def test_tokens_and_matches_line_up_after_apostrophes_are_taken_out(trained):
    component, featurizer = trained
    [message] = _featurized(component, featurizer, ["Well I don’t and they won't, nope"])
    sequence = message.get_sparse_features("text")[0].features.toarray()
    tokens = message.get("text_tokens")
    assert [t.text for t in tokens] == ["Well", "I", "dont", "and", "they", "wont", "nope"]
    assert [t.text for t, row in zip(tokens, sequence, strict=True) if row.any()] == ["dont", "wont", "nope"]


def test_training_features_the_examples_not_the_answers(trained):
    _, featurizer = trained
    example = Message(data={"text": "dont", "intent": "deny", "response": "don't worry", "action_text": "don't"})
    tokenizer = ContractionTokenizer(ContractionTokenizer.get_default_config())
    tokenizer.process_training_data(TrainingData([example]))
    featurizer.process_training_data(TrainingData([example]))
    assert {f.attribute for f in example.features} == {"text"}
