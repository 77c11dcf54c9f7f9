"""Rasa NLU components of ours.

ContractionTokenizer is Rasa's WhitespaceTokenizer keeping "don't" one word, spelt as "dont" is, and
WordListFeaturizer Rasa's RegexFeaturizer with list words matched whatever the apostrophes inside words.

MeaningFeaturizer works out once per message what it means (the sentence model, bot/nlp/encoder.py), for all
that follow.

CrisisDetector (spaCy rules on spacy.blank("en") and a classifier learned on the sentence model's numbers; no model
download) runs after the classifiers and overrides the intent when a message says a child or the writer is in
danger now, so the crisis rule answers whatever the classifier thought and however sure it was.

IntentClassifier is Rasa's LogisticRegressionClassifier with its regularisation and class weights settable, and
TF-IDF weights for word and letter counts. When it is unsure of a message, it asks a second logistic regression
that also reads what the message means: 384 numbers from a sentence model run on this machine (bot/nlp/encoder.py).

TopicSelector is the same logistic regression, choosing the topic of a topic question, in place of Rasa's
ResponseSelector; then, by the message's meaning, the section of the topic's page that answers it (bot/nlp/sections.py).

LanguageDetector adds the entity `language` ("cy" or "en") to a message clearly in Welsh or English, or asking to
switch ("Cymraeg", "English please"; those also get the intent `switch_language`), so the slot `language` follows
the parent (bot/nlp/language.py).
"""

from __future__ import annotations

import bisect
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import skops.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    TOKENS_NAMES,
)
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from bot.content.build import topic_response
from bot.content.loader import REPO_ROOT, content
from bot.nlp import crisis_model, language
from bot.nlp.encoder import ModelMissing, encoder
from bot.nlp.safety import detect_crisis
from bot.nlp.sections import SectionChooser

log = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CRISIS_CHILD_INTENT = "crisis_child"
MEANING = "meaning"  # the origin of the sentence model's features on a message
SECTION_KEY = "section"  # in the topic selector's chosen response: the section of the page that answers


WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more, any alphabet (Welsh ŵ, ŷ)
NUMBER = re.compile(r"\d{3}")


def worth_meaning(text: str) -> bool:
    """Whether the sentence model can add anything: the message has a word, and is not a short answer built round a
    number ("BENCH 000038", "7/11/2015", "ref 123456 please", a phone number), which is what forms ask for and what
    the model, at 5-10 ms a message, would only slow down. A long message that mentions a year still gets it."""
    words = len(WORD.findall(text))
    return words > 0 and not (NUMBER.search(text) and words < 4)


def _kept_meaning(message: Message) -> Any:
    """The sentence model's numbers already on a message, or None."""
    return next((f.features for f in message.features if f.origin == MEANING and f.attribute == TEXT), None)


def add_meaning(messages: list[Message]) -> np.ndarray:
    """The sentence model's 384 numbers for each message, as a (len(messages), 384) matrix. They are worked out once
    per message, for the messages that lack them, and kept on it as a sentence feature (origin "meaning"), so the
    topic selector reuses what the intent classifier asked for."""
    missing = [m for m in messages if _kept_meaning(m) is None]
    if missing:
        vectors = encoder().encode([m.get(TEXT) or "" for m in missing])
        for message, vector in zip(missing, vectors, strict=True):
            message.add_features(Features(vector[np.newaxis, :], FEATURE_TYPE_SENTENCE, TEXT, MEANING))
    return np.vstack([np.asarray(_kept_meaning(m)).reshape(1, -1) for m in messages])


APOSTROPHES = "'\u2019\u2018`"  # typed, a phone's curly one (’), its opening twin (‘), a backtick


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ContractionTokenizer(WhitespaceTokenizer):
    """Rasa's WhitespaceTokenizer, except that a word with an apostrophe in it stays one word, without the
    apostrophe: "don't", "don’t" (a phone puts the curly one) and "dont" are all `dont`, "I'm" and "im" both `im`.
    Rasa's splits "don't" into "don" and "t", so the ways parents write the same word looked unrelated, and
    "don't ask for help it'll be used against you" read as a "no"."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens: list[Token] = []
        for token in super().tokenize(message, attribute):
            before = tokens[-1] if tokens else None
            if before is not None and token.start == before.end + 1 and text[before.end] in APOSTROPHES:
                tokens[-1] = Token(before.text + token.text, before.start, token.end)
            else:
                tokens.append(token)
        return tokens


IN_WORD_APOSTROPHE = re.compile(f"(?<=\\w)[{APOSTROPHES}](?=\\w)")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class WordListFeaturizer(RegexFeaturizer):
    """Rasa's RegexFeaturizer, for the word lists and patterns of data/nlu/lookups.yml, with two changes:
    - apostrophes inside words do not count, on the lists or in the message, as with ContractionTokenizer: "don't"
      and "dont" on a list both match "don't", "don’t" (a phone's curly one) and "dont";
    - in training it features the examples only, not the topic answers and action texts that Rasa's also goes
      through, which nothing of ours reads (about 8 s of the training).
    """

    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        # New dicts: Rasa's may be the training data's own, shared by every cross-validation fold.
        self.known_patterns = [{**p, "pattern": IN_WORD_APOSTROPHE.sub("", p["pattern"])} for p in self.known_patterns]
        self._persist()
        return resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _features_for_patterns(self, message: Message, attribute: str) -> tuple[Any, Any]:
        text = message.get(attribute)
        removed = [m.start() for m in IN_WORD_APOSTROPHE.finditer(text or "")]
        if not removed:
            return super()._features_for_patterns(message, attribute)
        # Rasa's matching, on the text without those apostrophes and with its tokens moved to match
        def moved(index: int) -> int:
            return index - bisect.bisect_left(removed, index)

        tokens = [Token(t.text, moved(t.start), moved(t.end)) for t in message.get(TOKENS_NAMES[attribute], [])]
        plain = Message(data={attribute: IN_WORD_APOSTROPHE.sub("", text), TOKENS_NAMES[attribute]: tokens})
        return super()._features_for_patterns(plain, attribute)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MeaningFeaturizer(GraphComponent):
    """Works out what each message means (the sentence model's 384 numbers, bot/nlp/encoder.py) once, at the start,
    for every component after it: the crisis detector reads it for every message, and the intent and topic
    classifiers when they are unsure. Messages not worth it (see worth_meaning: a date, a reference) get none."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> MeaningFeaturizer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        add_meaning([e for e in training_data.intent_examples if e.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        worth = [m for m in messages if worth_meaning(m.get(TEXT) or "")]
        if worth:
            add_meaning(worth)
        return messages


LANGUAGE_ENTITY = "language"
SWITCH_LANGUAGE_INTENT = "switch_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageDetector(GraphComponent):
    """The language of each message (bot/nlp/language.py), as the entity `language` with the value "cy" or "en",
    which fills the slot `language`; nothing when the message is not clearly one language, so the conversation
    keeps its own. A request to switch ("Cymraeg", "Ga i siarad Cymraeg?", "English please") is a command: it always
    sets the language, and its intent becomes `switch_language` whatever the classifier thought. It runs after the
    classifiers and before the crisis detector, which overrides it in turn. The detector (lingua, English and Welsh
    only) is built when the model loads, not at the first message."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LanguageDetector:
        language.detector()
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = language.language_of(text)
            if found is None:
                continue
            entity = {ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY, ENTITY_ATTRIBUTE_VALUE: found.language,
                      ENTITY_ATTRIBUTE_START: 0, ENTITY_ATTRIBUTE_END: len(text),
                      ENTITY_ATTRIBUTE_CONFIDENCE: round(found.confidence, 3), EXTRACTOR: type(self).__name__}
            entities = [e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != LANGUAGE_ENTITY]
            message.set(ENTITIES, [*entities, entity], add_to_output=True)
            if found.command:
                intent = {"name": SWITCH_LANGUAGE_INTENT, "confidence": 1.0}
                ranking = [intent] + [i for i in (message.get(INTENT_RANKING_KEY) or [])
                                      if i.get("name") != SWITCH_LANGUAGE_INTENT]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(GraphComponent):
    """Danger now: the rules and a learned classifier, in three bands (bot/nlp/crisis_model.py). Runs last, so that
    its answer overrides whatever the classifiers said:
    - sure: the intent becomes `crisis` (or `crisis_child` when the writer seems to be a child), and a rule answers;
    - possible: the intent stays, and `crisis: {band: possible}` in the parse data puts the 999 line on top of the
      answer (bot/nlg.py, actions);
    - no: nothing changes.
    Trained on data/crisis/danger_now.txt against data/crisis/not_now.txt and every NLU example (`phrases` sets the
    folder, relative to the project)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        defaults = crisis_model.Settings()
        return {"phrases": "data/crisis", "hidden": defaults.hidden, "alpha": defaults.alpha, "sure": defaults.sure,
                "possible": defaults.possible, "random_state": defaults.random_state}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.settings = crisis_model.Settings(
            hidden=int(self.config["hidden"]), alpha=float(self.config["alpha"]), sure=float(self.config["sure"]),
            possible=float(self.config["possible"]), random_state=int(self.config["random_state"]))
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CrisisDetector:
        detect_crisis("warm up")  # build the spaCy matcher once, at load time, not on the first message
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        folder = Path(self.config["phrases"])
        if not folder.is_absolute():
            folder = REPO_ROOT / folder
        danger = crisis_model.read_phrases(folder / crisis_model.DANGER_FILE)
        not_now = crisis_model.read_phrases(folder / crisis_model.NOT_NOW_FILE)
        listed = set(danger)
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(TEXT) not in listed]
        ordinary = np.vstack([encoder().encode(not_now), add_meaning(examples)])
        self.model = crisis_model.fit(encoder().encode(danger), ordinary, self.settings)
        with self._model_storage.write_to(self._resource) as model_dir:
            crisis_model.save(self.model, model_dir)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CrisisDetector:
        detect_crisis("warm up")
        model = None
        try:
            with model_storage.read_from(resource) as model_dir:
                model = crisis_model.load(model_dir)
        except ValueError:  # nothing trained: the rules answer alone
            pass
        if model is None:
            log.error("No learned crisis detector in the model: the crisis rules answer alone. Run `make train`.")
        return cls(config, model_storage, resource, model)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            p = 0.0
            if self.model is not None and _kept_meaning(message) is not None:
                p = float(crisis_model.probability(self.model, add_meaning([message]))[0])
            verdict = crisis_model.decide(text, p, self.settings)
            if verdict.band is None:
                continue
            message.set(crisis_model.CRISIS_KEY, {"band": verdict.band, "kind": verdict.kind, "source": verdict.source,
                                     "probability": round(verdict.probability, 3)}, add_to_output=True)
            if not verdict.is_crisis:
                continue
            name = CRISIS_CHILD_INTENT if verdict.writer_may_be_child else CRISIS_INTENT
            intent = {"name": name, "confidence": 1.0}
            ranking = [intent] + [
                i for i in (message.get(INTENT_RANKING_KEY) or []) if i.get("name") != name
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier with settings from config.yml that Rasa's own lacks:
    - `C`, scikit-learn's inverse regularisation strength: Rasa fixes it at 1.0, which under-fits our 17 intents
      (`make nlu-report` measures it);
    - `class_weight`: Rasa fixes it at "balanced", which weighs each topic question (half our examples, and most
      of what parents ask) about a 25th of a greeting and sends more of them elsewhere; null weighs all alike;
    - `tf_idf`: the featurizers (by alias) whose counts are weighed as TF-IDF, each on its own: a word or letter
      group counts less the more examples have it, a repeat counts by its logarithm, and each featurizer's part
      of a message has length 1, so a long worried message weighs no more than a short one. Rasa's own uses raw
      counts, which let words such as "the" and "my" decide. Other featurizers (the word lists) stay as they are.
      The weights (one per column, learnt from the training examples) are saved with the model;
    - `featurizers`: the featurizers (by alias) whose sentence features it reads; all when empty;
    - `meaning_weight` and `sure`: with a weight above 0, a second logistic regression is trained on the same
      features plus what the message means (the sentence model's 384 numbers, length 1, times the weight). A
      message whose top probability from the first is under `sure` is answered by the second. The sentence model
      knows English beyond our examples but costs 5-10 ms a message (docs/nlu.md), so it runs only for the
      messages the word and letter counts leave unsure.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "class_weight": "balanced",
                "tf_idf": [], "featurizers": [], "meaning_weight": 0.0, "sure": 1.0}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"])
        self.idf: dict[str, np.ndarray] = {}  # featurizer alias -> inverse document frequency of each column
        if float(self.config["meaning_weight"]) < 0 or not 0 < float(self.config["sure"]) <= 1:
            raise ValueError(f"{type(self).__name__}: meaning_weight must be 0 or more and sure above 0, at most 1")
        # The second model, with the meaning; None when meaning_weight is 0 or nothing is trained yet.
        self.clf_meaning: LogisticRegression | None = None

    def _sentence_features(self, message: Message) -> list[tuple[str, Any]]:
        """(featurizer alias, 1-row matrix as the featurizer made it) of the sentence features of each featurizer in
        `featurizers` (all when it is empty), in pipeline order, as Rasa's get_sparse_features and
        get_dense_features put them together."""
        wanted = self.config["featurizers"]
        return [(f.origin, f.features) for f in message.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.origin != MEANING
                and (not wanted or f.origin in wanted)]

    def _weigh(self, origin: str, row: Any) -> csr_matrix:
        row = csr_matrix(row)
        idf = self.idf.get(origin)
        if idf is None:
            return row
        row = row.astype(np.float64)
        row.data = 1.0 + np.log(row.data)  # counts are >= 1 where stored
        return normalize(row.multiply(idf).tocsr())

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        return vstack([hstack([self._weigh(origin, row) for origin, row in self._sentence_features(m)])
                       for m in messages]).tocsr()

    def _fit_idf(self, examples: list[Message]) -> None:
        wanted = set(self.config["tf_idf"] or [])
        blocks: dict[str, list[csr_matrix]] = {}
        for message in examples:
            for origin, row in self._sentence_features(message):
                if origin in wanted:
                    blocks.setdefault(origin, []).append(csr_matrix(row))
        missing = wanted - set(blocks)
        if missing:
            raise ValueError(f"{type(self).__name__} tf_idf names featurizers that gave no features: "
                             f"{sorted(missing)}; use the aliases in config.yml")
        self.idf = {}
        for origin, rows in blocks.items():
            counts = vstack(rows).tocsc()
            documents = np.diff(counts.indptr)  # how many examples have each column
            self.idf[origin] = np.log((1 + counts.shape[0]) / (1 + documents)) + 1.0  # scikit-learn's smooth idf

    def _with_meaning(self, X: csr_matrix, messages: list[Message]) -> csr_matrix:
        return hstack([X, csr_matrix(add_meaning(messages) * float(self.config["meaning_weight"]))]).tocsr()

    def _fit(self, examples: list[Message], labels: list[str]) -> None:
        """Both models, on the same examples and labels (so their classes_ are the same, in the same order)."""
        self._fit_idf(examples)
        X = self._create_X(examples)
        self.clf.fit(X, labels)
        self.clf_meaning = None
        if float(self.config["meaning_weight"]) > 0:
            self.clf_meaning = clone(self.clf).fit(self._with_meaning(X, examples), labels)
        self.persist()

    def _probabilities(self, messages: list[Message]) -> np.ndarray:
        """Each message's probability for each of clf.classes_: the first model's, or the second's where the first
        is under `sure`."""
        X = self._create_X(messages)
        probabilities = self.clf.predict_proba(X)
        if self.clf_meaning is not None:
            sure = float(self.config["sure"])
            unsure = np.flatnonzero([p < sure and worth_meaning(m.get(TEXT) or "")
                                     for p, m in zip(probabilities.max(axis=1), messages, strict=True)])
            if len(unsure):
                asked = [messages[i] for i in unsure]
                probabilities[unsure] = self.clf_meaning.predict_proba(self._with_meaning(X[unsure], asked))
        return probabilities

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if examples:
            self._fit(examples, [e.get(INTENT) for e in examples])
        return self._resource

    def persist(self) -> None:
        super().persist()
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / "idf.npz", **self.idf)
            if self.clf_meaning is not None:
                skops.io.dump(self.clf_meaning, model_dir / "meaning.skops")

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> IntentClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        try:
            with model_storage.read_from(resource) as model_dir:
                with np.load(model_dir / "idf.npz") as saved:
                    component.idf = {origin: saved[origin] for origin in saved.files}
                meaning = model_dir / "meaning.skops"
                if meaning.is_file() and float(component.config["meaning_weight"]) > 0:
                    component.clf_meaning = component._load_second_model(meaning)
        except (ValueError, FileNotFoundError):  # nothing trained yet: Rasa's load gave an untrained component
            pass
        return component

    def _load_second_model(self, path: Any) -> LogisticRegression | None:
        """The saved second model, or None (logged) when it cannot be used."""
        unknown = skops.io.get_untrusted_types(file=path)
        if unknown:  # as Rasa's own load: a file with types we never save is not ours, so it is not loaded
            log.error("Not loading %s: it holds types a logistic regression does not (%s).", path, unknown)
            return None
        try:
            encoder()  # load the sentence model now, not at the first unsure message
        except ModelMissing as missing:
            # Keep answering parents, with the first model alone, and say so loudly: a server that will not start
            # helps nobody, and the crisis rules do not need the model.
            log.error("%s Until then the %s answers with word and letter counts alone.", missing, type(self).__name__)
            return None
        return skops.io.load(path, trusted=[])

    def _ranked(self, row: np.ndarray) -> list[tuple[str, float]]:
        """(label, probability) from one row of _probabilities, most likely first; only the first `ranking_length`
        (Rasa's setting) when it is above 0."""
        ranking = sorted(((str(label), float(p)) for label, p in zip(self.clf.classes_, row, strict=True)),
                         key=lambda pair: -pair[1])
        return ranking[: self.config[RANKING_LENGTH]] if self.config[RANKING_LENGTH] else ranking

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Rasa's predicts every training example here; nothing after us in training reads an intent or a topic, and
        # the unsure ones would each run the sentence model.
        return training_data

    def _can_classify(self, message: Message) -> bool:
        """False for a message with no letter or digit ("", "   ", "???", "🙂🙂🙂"): its features are the same
        for all of them, so the classifier would answer from its bias alone, and in a form a bare "???" could be
        read as "yes, send it". Also False for a message with fewer features than the model was trained on
        (Rasa's own crashes on it; some featurizers give an empty message no features at all)."""
        if not any(character.isalnum() for character in message.get(TEXT) or ""):
            return False
        expected = getattr(self.clf, "n_features_in_", None)
        return expected is None or sum(row.shape[-1] for _, row in self._sentence_features(message)) == expected

    def process(self, messages: list[Message]) -> list[Message]:
        """As Rasa's, except that a message it cannot classify (see _can_classify) is left without an intent, as
        DIET leaves it, so the fallback gives its kind reply and a form asks its question again."""
        usable = []
        for message in messages:
            if self._can_classify(message):
                usable.append(message)
            else:  # what DIET sets when it cannot classify
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if usable:
            for message, row in zip(usable, self._probabilities(usable), strict=True):
                ranking = [{"name": name, "confidence": p} for name, p in self._ranked(row)]
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicSelector(IntentClassifier):
    """Picks which topic (`topic/<id>`) answers a question, for the messages the intent classifier put under the
    retrieval intent (`topic`); other messages get no topic. It is the intent classifier's logistic regression,
    trained on the topic questions alone with their topic as the label, and it answers in the shape of Rasa's
    ResponseSelector, which the `utter_topic` action and `rasa test nlu` read (without the answer texts: the
    action takes them from the domain, in the channel's form).

    It replaced Rasa's ResponseSelector, a neural network that took two thirds of the training time (about 150 of
    220 s) for no better a choice: on held-out messages both chose 9 or 10 of 153 topics wrong (docs/nlu.md).

    Then it picks the part of the topic's page that answers the message: a section whose question is nearer the
    message's meaning than the page is by `section_margin` (bot/nlp/sections.py), or the page's short answer. Its
    `utter_action` names that response (utter_topic/<id>/<section> or utter_topic/<id>), and `section` the section
    (absent for the page); `intent_response_key` stays `topic/<id>`, which `rasa test nlu` reads."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**IntentClassifier.get_default_config(), "retrieval_intent": "topic", "rank_unsure_below": 0.5,
                "section_margin": 0.1}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.sections = SectionChooser(margin=float(self.config["section_margin"]))

    def persist(self) -> None:
        super().persist()
        with self._model_storage.write_to(self._resource) as model_dir:
            self.sections.save(model_dir)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> TopicSelector:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        try:
            with model_storage.read_from(resource) as model_dir:
                component.sections = SectionChooser.load(model_dir, float(component.config["section_margin"]))
        except ValueError:  # nothing trained yet
            pass
        return component  # type: ignore[return-value]

    def _asked(self, messages: list[Message]) -> list[Message]:
        """The topic questions, and the messages the intent classifier was unsure of (under `rank_unsure_below`):
        in a conversation, one of those may be a follow-up question that only its context places
        (bot/nlp/context.py reads their ranking)."""
        name, unsure = self.config["retrieval_intent"], float(self.config["rank_unsure_below"])
        return [m for m in messages
                if ((m.get(INTENT) or {}).get("name") == name
                    or (m.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 1.0) < unsure) and self._can_classify(m)]

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) == self.config["retrieval_intent"] and e.get(INTENT_RESPONSE_KEY) and e.get(TEXT)]
        if not examples:
            raise ValueError(f"TopicSelector: no examples of {self.config['retrieval_intent']}/<topic> to learn from")
        labels = [e.get(INTENT_RESPONSE_KEY) for e in examples]
        topic_ids = sorted({label.partition("/")[2] for label in labels})
        self.sections = SectionChooser.fit(content(), topic_ids, float(self.config["section_margin"]))
        self._fit(examples, labels)  # saves the sections too
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        asked = self._asked(messages)
        if not asked:
            return messages
        retrieval_intent = self.config["retrieval_intent"]
        for message, row in zip(asked, self._probabilities(asked), strict=True):
            ranking = self._ranked(row)
            topic, confidence = ranking[0]
            topic_id = topic.partition("/")[2]
            section = self.sections.choose(topic_id, _kept_meaning(message))
            chosen: dict[str, Any] = {
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: topic,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: (topic_response(topic_id, section) if section
                                                     else intent_response_key_to_template_key(topic)),
            }
            if section:
                chosen[SECTION_KEY] = section
            selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
            selector[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = [retrieval_intent]
            selector[retrieval_intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: chosen,
                RESPONSE_SELECTOR_RANKING_KEY: [{PREDICTED_CONFIDENCE_KEY: c, INTENT_RESPONSE_KEY: k}
                                                for k, c in ranking],
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
        return messages
