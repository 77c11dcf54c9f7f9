"""Rasa NLU components of ours.

CrisisDetector (spaCy rules on spacy.blank("en"); no model download) runs after the classifiers and overrides
the intent when a message says a child or the writer is in danger now, so the crisis rule answers whatever the
classifier thought and however sure it was.

IntentClassifier is Rasa's LogisticRegressionClassifier with its regularisation and class weights settable.

TopicSelector is Rasa's ResponseSelector, run only for the messages it can matter for.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.safety import detect_crisis

CRISIS_INTENT = "crisis"
CRISIS_CHILD_INTENT = "crisis_child"
CRISIS_KEY = "crisis"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        detect_crisis("warm up")  # build the spaCy matcher once, at load time, not on the first message
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            result = detect_crisis(text)
            if not result.is_crisis:
                continue
            name = CRISIS_CHILD_INTENT if result.writer_may_be_child else CRISIS_INTENT
            intent = {"name": name, "confidence": 1.0}
            ranking = [intent] + [
                i for i in (message.get(INTENT_RANKING_KEY) or []) if i.get("name") != name
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set(CRISIS_KEY, {"kind": result.kind}, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier with two settings from config.yml that Rasa's own lacks:
    - `C`, scikit-learn's inverse regularisation strength: Rasa fixes it at 1.0, which under-fits our 17 intents
      (`make nlu-report` measures it);
    - `class_weight`: Rasa fixes it at "balanced", which weighs each topic question (half our examples, and most
      of what parents ask) about a 25th of a greeting and sends more of them elsewhere; null weighs all alike.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "class_weight": "balanced"}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"])

    def process(self, messages: list[Message]) -> list[Message]:
        """As Rasa's, except that a message with fewer features than the model was trained on is left without an
        intent, as DIET leaves it, so the fallback gives its kind reply. Rasa's own crashes on it. In our pipeline
        that is an empty message or one of spaces: some featurizers give it no features at all."""
        expected = getattr(self.clf, "n_features_in_", None)
        usable = []
        for message in messages:
            width = sum(f.features.shape[-1] for f in message.features
                        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE)  # _create_X's, not built twice
            if expected is None or width == expected:
                usable.append(message)
            else:  # what DIET sets when it cannot classify
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if usable:
            super().process(usable)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicSelector(ResponseSelector):
    """Picks which topic answers a question, like Rasa's ResponseSelector (and trained the same way), but only
    for messages the intent classifier put under the retrieval intent (`topic`). For any other message the
    assistant never uses a topic, yet the stock selector runs a second neural network on it: about a sixth of
    the server's time per message in the profile. `rasa test nlu` measures it as served: a topic question that
    the intent classifier misses counts as a wrong topic too."""

    def process(self, messages: list[Message]) -> list[Message]:
        asked = [m for m in messages if (m.get(INTENT) or {}).get("name") == self.retrieval_intent]
        if asked:
            super().process(asked)
        return messages
