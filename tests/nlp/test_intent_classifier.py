"""IntentClassifier: Rasa's LogisticRegressionClassifier with `C` and `class_weight` from config.yml, kept through save
and load, and a message it cannot classify left to the fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.components import IntentClassifier

EXAMPLES = {
    "greet": ["hi", "hello", "hiya there", "good morning"],
    "opt_out": ["opt me out", "i want to object", "stop using our data", "take us out of research"],
    "topic": ["how does linking work", "who can see our records", "what is a risk score", "how long are records kept"],
}


@pytest.fixture()
def setup(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")

    def component(cls, name: str, **config):
        return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)

    tokenizer = component(WhitespaceTokenizer, "tokenizer")
    featurizers = [component(CountVectorsFeaturizer, "words", alias="words"),
                   component(CountVectorsFeaturizer, "letters", alias="letters", analyzer="char_wb", max_ngram=3)]
    data = TrainingData([Message(data={"text": t, "intent": i}) for i, ts in EXAMPLES.items() for t in ts])
    tokenizer.process_training_data(data)
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)

    def featurized(texts: list[str]) -> list[Message]:
        messages = [Message(data={"text": t}) for t in texts]
        tokenizer.process(messages)
        for featurizer in featurizers:
            featurizer.process(messages)
        return messages

    return storage, context, component, data, featurized


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
