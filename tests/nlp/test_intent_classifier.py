"""IntentClassifier: Rasa's LogisticRegressionClassifier with `C`, `class_weight` and `tf_idf` from config.yml, kept
through save and load, and a message it cannot classify left to the fallback."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import vstack
from sklearn.feature_extraction.text import TfidfTransformer

from bot.nlp.components import IntentClassifier


def _confidences(classifier: IntentClassifier, messages: list[Message]) -> list[tuple[str, float]]:
    classifier.process(messages)
    return [(m.get("intent")["name"], round(m.get("intent")["confidence"], 6)) for m in messages]


def test_c_from_config_is_used_and_kept_after_loading(setup):
    storage, context, component, data, featurized = setup
    texts = ["hello there", "opt us out", "who can see the records"]

    weak = component(IntentClassifier, "weak")  # Rasa's own settings: C=1, classes weighed "balanced"
    weak.train(data)
    strong = component(IntentClassifier, "strong", C=16.0, class_weight=None)
    assert (strong.clf.C, strong.clf.class_weight) == (16.0, None)
    assert (weak.clf.C, weak.clf.class_weight) == (1.0, "balanced")
    strong.train(data)

    trained = _confidences(strong, featurized(texts))
    assert [name for name, _ in trained] == ["greet", "opt_out", "topic"]
    # Less regularised, so surer of the same answers: the setting reaches scikit-learn.
    assert all(s > w for (_, s), (_, w) in zip(trained, _confidences(weak, featurized(texts)), strict=False))

    loaded = IntentClassifier.load({**IntentClassifier.get_default_config(), "C": 16.0, "class_weight": None},
                                   storage, Resource("strong"), context)
    assert (loaded.clf.C, loaded.clf.class_weight) == (16.0, None)
    assert _confidences(loaded, featurized(texts)) == trained


def test_a_message_missing_features_is_left_to_the_fallback_not_a_crash(setup):
    """An empty message gets no features from some featurizers (tests/e2e sends one through the real model)."""
    _, _, component, data, featurized = setup
    classifier = component(IntentClassifier, "classifier", C=16.0, class_weight=None)
    classifier.train(data)
    narrow = featurized(["hiya"])[0]
    narrow.features = narrow.features[:1]  # one featurizer's features only
    messages = classifier.process([*featurized(["opt me out"]), narrow, *featurized(["hiya"])])
    assert [m.get("intent")["name"] for m in messages] == ["opt_out", None, "greet"]
    assert (narrow.get("intent")["confidence"], narrow.get("intent_ranking")) == (0.0, [])


@pytest.mark.parametrize("text", ["???", "🙂🙂🙂", "👍", "...", "!?", "\x00\x07"])
def test_a_message_with_no_letter_or_digit_is_left_to_the_fallback(setup, text):
    """Such messages all look alike to the classifier, which would answer from its bias alone; in a form that
    could read a confused "???" as "yes, send it"."""
    _, _, component, data, featurized = setup
    classifier = component(IntentClassifier, "classifier", C=16.0, class_weight=None, tf_idf=["words", "letters"])
    classifier.train(data)
    messages = classifier.process(featurized([text, "opt me out", "ŵ", "7"]))
    assert messages[0].get("intent") == {"name": None, "confidence": 0.0}
    assert messages[0].get("intent_ranking") == []
    assert all(m.get("intent")["name"] for m in messages[1:])  # a Welsh letter or a digit is classified


def _counts(messages: list[Message], alias: str):
    return vstack([f.features for m in messages for f in m.features
                   if f.origin == alias and f.type == "sentence"]).tocsr()


def test_tf_idf_weighs_each_named_featurizer_as_scikit_learn_does_and_leaves_the_others(setup):
    storage, context, component, data, featurized = setup
    classifier = component(IntentClassifier, "tfidf", C=16.0, class_weight=None, tf_idf=["words"])
    classifier.train(data)
    training = [e for e in data.intent_examples]
    texts = ["who can see the records records", "opt me out please", "hello"]
    X = classifier._create_X(featurized(texts)).toarray()

    words = _counts(training, "words").shape[1]
    # The kept library's own TF-IDF (smooth idf, log of repeats, length 1), fitted on the same training counts.
    expected = TfidfTransformer(sublinear_tf=True).fit(_counts(training, "words"))
    assert np.allclose(X[:, :words], expected.transform(_counts(featurized(texts), "words")).toarray())
    assert np.allclose(np.linalg.norm(X[:, :words], axis=1), 1.0)
    # "letters" is not named: its columns are the raw counts, as in Rasa's classifier.
    assert np.array_equal(X[:, words:], _counts(featurized(texts), "letters").toarray())
    assert [m.get("intent")["name"] for m in classifier.process(featurized(texts))] == ["topic", "opt_out", "greet"]


def test_tf_idf_weights_are_kept_after_loading(setup):
    storage, context, component, data, featurized = setup
    config = {"C": 16.0, "class_weight": None, "tf_idf": ["words", "letters"]}
    trained = component(IntentClassifier, "kept", **config)
    trained.train(data)
    texts = ["hiya", "take us out of research", "how long are files kept"]

    loaded = IntentClassifier.load({**IntentClassifier.get_default_config(), **config}, storage, Resource("kept"),
                                   context)
    assert set(loaded.idf) == {"words", "letters"}
    assert all(np.array_equal(loaded.idf[k], trained.idf[k]) for k in trained.idf)
    assert _confidences(loaded, featurized(texts)) == _confidences(trained, featurized(texts))


def test_tf_idf_naming_a_featurizer_that_is_not_there_is_a_clear_error(setup):
    _, _, component, data, _ = setup
    classifier = component(IntentClassifier, "typo", tf_idf=["word"])
    with pytest.raises(ValueError, match=r"tf_idf .*\['word'\]"):
        classifier.train(data)
