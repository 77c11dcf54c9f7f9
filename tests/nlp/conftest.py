"""A small featurized training set, and the Rasa pieces to build our classifiers on it, for the unit tests of
bot.nlp.components (words and letters featurizers as in config.yml, by their aliases)."""

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

EXAMPLES = {  # intent, or retrieval intent/topic, as in data/nlu
    "greet": ["hi", "hello", "hiya there", "good morning"],
    "opt_out": ["opt me out", "i want to object", "stop using our data", "take us out of research"],
    "topic/how_linking_works": ["how does linking work", "how do they match our records up", "what is data linking"],
    "topic/who_can_see": ["who can see our records", "can the school see our file", "who looks at my data"],
    "topic/how_long_kept": ["how long are records kept", "when are old files deleted", "how many years is data kept"],
}


def _example(label: str, text: str) -> Message:
    intent, _, topic = label.partition("/")
    data = {"text": text, "intent": intent}
    if topic:
        data["intent_response_key"] = label
    return Message(data=data)


@pytest.fixture()
def setup(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")

    def component(cls, name: str, **config):
        return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)

    tokenizer = component(WhitespaceTokenizer, "tokenizer")
    featurizers = [component(CountVectorsFeaturizer, "words", alias="words"),
                   component(CountVectorsFeaturizer, "letters", alias="letters", analyzer="char_wb", max_ngram=3)]
    data = TrainingData([_example(label, t) for label, texts in EXAMPLES.items() for t in texts])
    tokenizer.process_training_data(data)
    for featurizer in featurizers:
        featurizer.train(data)
        featurizer.process_training_data(data)

    def featurized(texts: list[str], intent: str | None = None) -> list[Message]:
        messages = [Message(data={"text": t}) for t in texts]
        if intent:  # as the intent classifier would have set it
            for message in messages:
                message.set("intent", {"name": intent, "confidence": 0.9})
        tokenizer.process(messages)
        for featurizer in featurizers:
            featurizer.process(messages)
        return messages

    return storage, context, component, data, featurized
