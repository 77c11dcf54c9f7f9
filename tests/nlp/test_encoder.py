"""The sentence model (bot/nlp/encoder.py) and the featurizer that gives its numbers to the classifiers.

The reference vectors in data/encoder_reference.json were made by sentence-transformers itself (with PyTorch, in a
separate venv: its "made_by" says how), so these tests check our numpy forward pass against the library that the
model was published for, on ordinary and bad input alike."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rasa.engine.storage.resource import Resource

from bot.nlp import encoder as encoder_module
from bot.nlp.components import MEANING, IntentClassifier, add_meaning, worth_meaning
from bot.nlp.encoder import DIMENSIONS, ModelMissing, SentenceEncoder, encoder, model_dir

REFERENCE = json.loads((Path(__file__).parent / "data" / "encoder_reference.json").read_text())


def test_matches_sentence_transformers_on_ordinary_and_bad_input():
    """Text-speak, Welsh letters, emoji, control characters, an injection string, an empty message and one longer
    than the model's 256 word pieces (cut as sentence-transformers cuts it)."""
    ours = encoder().encode(REFERENCE["texts"])
    reference = np.array(REFERENCE["vectors"], dtype=np.float32)
    assert ours.shape == reference.shape == (len(REFERENCE["texts"]), DIMENSIONS)
    assert np.abs(ours - reference).max() < 1e-4
    assert (ours * reference).sum(axis=1).min() > 0.9999


def test_a_message_gets_the_same_numbers_alone_or_in_a_batch_of_other_lengths():
    """Batches are padded to their longest message: the padding must not change anyone's numbers."""
    texts = ["hi", "who can see our records and can the school share them with the social", "opt me out"]
    together = encoder().encode(texts)
    for text, row in zip(texts, together, strict=True):
        np.testing.assert_allclose(encoder().encode([text])[0], row, atol=1e-5)


@pytest.mark.parametrize("text", ["x" * 100_000, "🙂" * 5000, "\x00" * 300, " ", "ŵ ŷ â ê î ô û"])
def test_any_input_gives_finite_numbers_of_length_one(text):
    row = encoder().encode([text])[0]
    assert np.isfinite(row).all()
    assert abs(float(np.linalg.norm(row)) - 1.0) < 1e-4


def test_nothing_to_encode_gives_an_empty_matrix():
    assert encoder().encode([]).shape == (0, DIMENSIONS)


def test_meaning_beyond_shared_words():
    """What the model is for: a request to opt out, in words shared with neither, is nearer the opt-out request
    than the bins question. (A check that the weights loaded are the model's, not our code's logic.)"""
    opt_out, bins, stop = encoder().encode(["opt me out", "when do the bins get collected",
                                            "i dont want you using our info any more"])
    assert float(stop @ opt_out) > float(stop @ bins) + 0.1


def test_a_missing_model_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PDA_SENTENCE_MODEL", str(tmp_path))
    with pytest.raises(ModelMissing, match="make setup"):
        model_dir()
    monkeypatch.setattr(encoder_module, "MODEL_PACKAGE", "no_such_model_package_here")
    monkeypatch.delenv("PDA_SENTENCE_MODEL")
    with pytest.raises(ModelMissing, match="not installed"):
        model_dir()


def test_the_override_folder_is_used(monkeypatch, tmp_path):
    installed = model_dir()
    monkeypatch.setenv("PDA_SENTENCE_MODEL", str(installed))
    assert model_dir() == installed
    assert isinstance(SentenceEncoder(model_dir()), SentenceEncoder)
    monkeypatch.setenv("PDA_SENTENCE_MODEL", str(tmp_path))  # a changed override is looked up, not the cached one
    with pytest.raises(ModelMissing):
        encoder()


def _two_step(setup, name: str = "classifier", **config) -> IntentClassifier:
    _, _, component, data, _ = setup
    classifier = component(IntentClassifier, name, C=16.0, class_weight=None, tf_idf=["words", "letters"],
                           meaning_weight=1.0, **config)
    classifier.train(data)
    return classifier


def test_meaning_is_worked_out_once_per_message_and_kept_on_it(setup):
    *_, featurized = setup
    message = featurized(["can the school see our file"])[0]
    first = add_meaning([message])
    assert first.shape == (1, DIMENSIONS)
    np.testing.assert_allclose(first[0], encoder().encode(["can the school see our file"])[0], atol=1e-6)
    kept = [f for f in message.features if f.origin == MEANING]
    assert len(kept) == 1 and kept[0].type == "sentence" and kept[0].attribute == "text"
    add_meaning([message])  # a second classifier asking again gets the same, not a second copy
    assert len([f for f in message.features if f.origin == MEANING]) == 1


def test_the_second_model_reads_words_letters_and_meaning(setup):
    *_, featurized = setup
    classifier = _two_step(setup)
    words_and_letters = classifier.clf.n_features_in_
    assert classifier.clf_meaning.n_features_in_ == words_and_letters + DIMENSIONS
    assert list(classifier.clf_meaning.classes_) == list(classifier.clf.classes_)


def test_only_unsure_messages_run_the_sentence_model(setup):
    *_, featurized = setup
    always = _two_step(setup, "always", sure=1.0)  # every probability is under 1: all go to the second model
    never = _two_step(setup, "never", sure=1e-9)  # no probability is under it: the first model answers all
    texts = ["hiya", "please take us out of it", "who gets to look at our stuff"]
    asked = featurized(texts)
    never.process(asked)
    assert not any(f.origin == MEANING for m in asked for f in m.features)
    asked = featurized(texts)
    always.process(asked)
    assert all(any(f.origin == MEANING for f in m.features) for m in asked)
    assert [m.get("intent")["name"] for m in asked] == ["greet", "opt_out", "topic"]


def test_an_unsure_answer_comes_from_the_second_model(setup):
    *_, featurized = setup
    classifier = _two_step(setup, sure=1.0)
    message = featurized(["who gets to look at our stuff"])[0]
    classifier.process([message])
    X = classifier._with_meaning(classifier._create_X([message]), [message])
    expected = dict(zip(classifier.clf_meaning.classes_, classifier.clf_meaning.predict_proba(X)[0], strict=True))
    assert message.get("intent")["confidence"] == pytest.approx(max(expected.values()))
    assert message.get("intent")["name"] == max(expected, key=expected.get)


def _load_saved(setup) -> IntentClassifier:
    """The classifier _two_step(setup, "saved", sure=0.9) trained, loaded back as Rasa loads it."""
    storage, context, _, _, _ = setup
    config = {**IntentClassifier.get_default_config(), "C": 16.0, "class_weight": None,
              "tf_idf": ["words", "letters"], "meaning_weight": 1.0, "sure": 0.9}
    return IntentClassifier.load(config, storage, Resource("saved"), context)


def test_both_models_are_kept_through_save_and_load(setup):
    storage, context, _, _, featurized = setup
    classifier = _two_step(setup, "saved", sure=0.9)
    texts = ["hiya", "please take us out of it", "who gets to look at our stuff", "can the school see it"]
    before = [(m.get("intent")["name"], round(m.get("intent")["confidence"], 6))
              for m in classifier.process(featurized(texts))]
    loaded = _load_saved(setup)
    assert loaded.clf_meaning is not None
    after = [(m.get("intent")["name"], round(m.get("intent")["confidence"], 6))
             for m in loaded.process(featurized(texts))]
    assert after == before


def test_without_a_meaning_weight_there_is_no_second_model(setup):
    _, _, component, data, _ = setup
    classifier = component(IntentClassifier, "plain", C=16.0, class_weight=None)
    classifier.train(data)
    assert classifier.clf_meaning is None


@pytest.mark.parametrize("config", [{"meaning_weight": -1.0}, {"sure": 0.0}, {"sure": 1.5}])
def test_bad_settings_are_refused(setup, config):
    _, _, component, _, _ = setup
    with pytest.raises(ValueError, match="meaning_weight"):
        component(IntentClassifier, "bad", **config)


@pytest.mark.parametrize(("text", "worth"), [
    ("who gets to look at our stuff", True),
    ("bins", True),
    ("ŵyr", True),
    ("7/11/2015", False),
    ("bench 000038", False),
    ("ref 123456 please", False),
    ("07700 900123", False),
    ("my son was born in 2015 and the school says he is on a list", True),
    ("🙂🙂", False),
    ("", False),
])
def test_short_answers_built_round_a_number_do_not_run_the_sentence_model(text, worth):
    assert worth_meaning(text) is worth


def test_an_unsure_form_answer_stays_with_the_first_model(setup):
    *_, featurized = setup
    classifier = _two_step(setup, sure=1.0)
    message = featurized(["bench 000038"])[0]
    classifier.process([message])
    assert not any(f.origin == MEANING for f in message.features)
    expected = classifier.clf.predict_proba(classifier._create_X([message]))[0].max()
    assert message.get("intent")["confidence"] == pytest.approx(expected)


def test_a_server_whose_model_went_missing_still_answers_with_the_first_model(setup, tmp_path, monkeypatch, caplog):
    """Training needs the sentence model; a trained assistant whose venv lost it keeps answering, and says so."""
    storage, context, _, _, featurized = setup
    _two_step(setup, "saved", sure=0.9)
    monkeypatch.setenv("PDA_SENTENCE_MODEL", str(tmp_path))  # an empty folder: no model there
    with caplog.at_level("ERROR"):
        loaded = _load_saved(setup)
    assert loaded.clf_meaning is None
    assert "make setup" in caplog.text and "word and letter counts alone" in caplog.text
    messages = loaded.process(featurized(["hiya", "who gets to look at our stuff"]))
    assert [m.get("intent")["name"] for m in messages] == ["greet", "topic"]


class _NotOurs:
    """A type no logistic regression holds: a saved file with it was not written by us."""


def test_a_second_model_file_holding_unknown_types_is_not_loaded(setup, caplog):
    import skops.io

    storage, context, _, _, featurized = setup
    _two_step(setup, "saved", sure=0.9)
    with storage.write_to(Resource("saved")) as model_dir:
        skops.io.dump({"model": _NotOurs()}, model_dir / "meaning.skops")
    with caplog.at_level("ERROR"):
        loaded = _load_saved(setup)
    assert loaded.clf_meaning is None
    assert "Not loading" in caplog.text and "_NotOurs" in caplog.text
    assert [m.get("intent")["name"] for m in loaded.process(featurized(["hiya"]))] == ["greet"]
