"""What the conversation is about, as part of what decides the next answer (an NLU component).

Rasa's NLU reads one message at a time. Parents talk in turns: after the page on private companies, "can I stop
that company having it" is about objecting, "and if I did that?" about what happens then, and "ok do it" asks to
start the task the page explained. A component whose `process` takes the tracker gets the conversation so far
(Rasa's graph passes it to any NLU component that asks for `tracker`), and reads the slot `last_topic`: the topic
of the last answer or task (this component sets it, through the entity `last_topic` that the slot maps from).

For a follow-up (a short message that points back: "that", "it", "and ...", "what about ..."), with a last topic:
- a request to do it ("ok do it", "yes", "how do I do that") after a page that explains a task (its `task:`)
  becomes that task's intent;
- the page just given, chosen again, is not given again word for word: the section of it the message asks about
  answers (bot/nlp/sections.py), or else the topic selector's next best that is related to it (its `related:`),
  when the selector gives it a fair chance;
- a message the classifiers could not place (nlu_fallback), or placed only weakly, is answered by the related topic
  the selector ranks highest, when that is a fair chance.
Anything else is left as the classifiers decided. The crisis detector runs after this and overrides it.

A bare family reference ("DEMO-1001") outside a form starts the identity check (the status task) with the
reference already given, instead of the help menu. A message that holds a reference among other words ("SAR please.
DEMO-1003, 09/01/2021") keeps its intent, and the identity check of the task it starts reads the reference (and a
date of birth beside it) from it instead of asking.

Every weight here is on the selector's probabilities; there is no second run of the sentence model: the topic
selector has already used the message's one vector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from bot.content.loader import content
from bot.records.identity import bare_reference, normalise_reference
from bot.tasks import INTENT_TASKS, TASK_TOPICS

LAST_TOPIC = "last_topic"  # the slot, and the entity it maps from
FAMILY_REFERENCE = "family_reference"  # an entity: identity_reference maps from it
TOPIC = "topic"
FALLBACK = "nlu_fallback"
STATUS = "check_status"
AFFIRM = "affirm"

# The grammar of a message that points back at what was said: its first words, or a word standing for a thing named
# before. English and Welsh.
_POINTS_BACK_START = re.compile(
    r"^\W*(and|but|so|also|then|ok|okay|what about|what if|how about|beth am|a beth am|beth os|ac|ond|felly)\b", re.I)
_POINTS_BACK_WORD = re.compile(r"\b(that|it|this|them|they|those|these|there|then|one|hynny|hwn|hwnnw|nhw|fe|fo|hi)\b",
                               re.I)
_DO_IT = re.compile(
    r"\b(do (it|that|this|so)|sign me up|go ahead|go on then|yes please|please do|how do i (do|start|ask|make)|"
    r"i want to do (it|that|this)|can you do (it|that|this)|gwna fe|ie plis|ydw plis)\b", re.I)
FOLLOW_UP_MAX_WORDS = 12


@dataclass(frozen=True)
class Weights:
    """How much the conversation counts. related_bonus is added to the selector's probability of a topic related
    to the last one; a related topic then answers when its sum is at least the floor (alternative: in place of the
    page just given; fallback: for a message nothing else placed)."""

    related_bonus: float = 0.15
    alternative_floor: float = 0.12
    fallback_floor: float = 0.25


def points_back(text: str) -> bool:
    """A short message that only makes sense after what came before ("and if I did that?", "what about school")."""
    words = text.split()
    return 0 < len(words) <= FOLLOW_UP_MAX_WORDS and bool(
        _POINTS_BACK_START.search(text) or _POINTS_BACK_WORD.search(text))


def asks_to_do_it(text: str, intent: str | None) -> bool:
    return intent == AFFIRM or bool(_DO_IT.search(text))


@dataclass(frozen=True)
class Decision:
    intent: str | None = None  # a new intent, or None to keep the classifier's
    topic: str | None = None  # a new topic (with intent "topic"), or None
    why: str = ""


def decide(text: str, intent: str | None, ranking: list[tuple[str, float]], last_topic: str | None,
           related: dict[str, list[str]], tasks: dict[str, str], weights: Weights = Weights(),
           section_chosen: bool = False) -> Decision:
    """The pure decision: ranking is the topic selector's (topic id, probability), best first, or [] when it did
    not rank this message; section_chosen: the selector answers with one section of its topic's page (a follow-up
    about a part of the page just given gets that part, not a neighbour)."""
    if not last_topic or not points_back(text) and intent not in (FALLBACK, AFFIRM):
        return Decision()
    task = tasks.get(last_topic)
    if task and asks_to_do_it(text, intent) and intent in (AFFIRM, FALLBACK, TOPIC, "help"):
        return Decision(intent=task, why=f"asks to do the task of {last_topic}")
    neighbours = set(related.get(last_topic, []))
    scored = sorted(((p + weights.related_bonus, t) for t, p in ranking if t in neighbours), reverse=True)
    best = scored[0] if scored else None
    top, top_p = ranking[0] if ranking else (None, 0.0)
    if intent == TOPIC and top == last_topic:
        if not section_chosen and best and best[0] >= weights.alternative_floor:
            return Decision(intent=TOPIC, topic=best[1], why=f"not {last_topic} again: its neighbour")
        return Decision()
    if intent == TOPIC and best and top_p < weights.fallback_floor and best[0] > top_p:
        return Decision(intent=TOPIC, topic=best[1], why=f"a weak topic; its neighbour fits {last_topic} better")
    if intent == FALLBACK and best and best[0] >= weights.fallback_floor:
        return Decision(intent=TOPIC, topic=best[1], why=f"unplaced follow-up to {last_topic}")
    return Decision()


def _ranking(message: Message) -> list[tuple[str, float]]:
    chosen = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(TOPIC) or {}
    ranking = chosen.get(RESPONSE_SELECTOR_RANKING_KEY) or []
    return [(str(r[INTENT_RESPONSE_KEY]).split("/", 1)[-1], float(r[PREDICTED_CONFIDENCE_KEY])) for r in ranking]


def _section_chosen(message: Message) -> bool:
    chosen = ((message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(TOPIC) or {}).get(
        RESPONSE_SELECTOR_PREDICTION_KEY) or {}
    return len(str(chosen.get(RESPONSE_SELECTOR_UTTER_ACTION_KEY) or "").split("/")) == 3


def _entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 0, "confidence_entity": 1.0,
            "extractor": "ConversationContext"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ConversationContext(GraphComponent):
    """See the module docstring. Place it after the classifiers and FallbackClassifier, before CrisisDetector."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        w = Weights()
        return {"related_bonus": w.related_bonus, "alternative_floor": w.alternative_floor,
                "fallback_floor": w.fallback_floor}

    def __init__(self, config: dict[str, Any]) -> None:
        self.weights = Weights(float(config["related_bonus"]), float(config["alternative_floor"]),
                               float(config["fallback_floor"]))
        topics = content().topics
        self.related = {t.id: list(t.related) for t in topics}
        self.tasks = {t.id: t.task for t in topics if t.task}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ConversationContext:
        return cls(config)

    def process(self, messages: list[Message], tracker: DialogueStateTracker | None = None) -> list[Message]:
        last_topic = tracker.get_slot(LAST_TOPIC) if tracker is not None else None
        in_form = bool(tracker is not None and tracker.active_loop_name)
        for message in messages:
            self._one(message, last_topic if isinstance(last_topic, str) else None, in_form)
        return messages

    def _one(self, message: Message, last_topic: str | None, in_form: bool) -> None:
        text = message.get(TEXT) or ""
        intent = (message.get(INTENT) or {}).get("name")
        if not in_form:
            reference = bare_reference(text)
            if reference:
                self._set_intent(message, STATUS)
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), _entity(FAMILY_REFERENCE, reference)],
                            add_to_output=True)
                return
            if normalise_reference(text):  # "SAR please. DEMO-1003, 09/01/2021": the identity check reads it first
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), _entity(FAMILY_REFERENCE, text)],
                            add_to_output=True)
            decision = decide(text, intent, _ranking(message), last_topic, self.related, self.tasks, self.weights,
                              section_chosen=_section_chosen(message))
            if decision.intent:
                self._set_intent(message, decision.intent)
                intent = decision.intent
            if decision.topic:
                self._set_topic(message, decision.topic)
            if decision.why:
                message.set("context", {"last_topic": last_topic, "why": decision.why}, add_to_output=True)
        subject = self._subject(message, intent)
        if subject:
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), _entity(LAST_TOPIC, subject)], add_to_output=True)

    @staticmethod
    def _subject(message: Message, intent: str | None) -> str | None:
        """The topic this message makes the subject of the conversation: its topic, or its task's page."""
        if intent == TOPIC:
            ranking = _ranking(message)
            chosen = ((message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(TOPIC) or {}).get(
                RESPONSE_SELECTOR_PREDICTION_KEY) or {}
            key = chosen.get(INTENT_RESPONSE_KEY)
            return str(key).split("/", 1)[-1] if key else (ranking[0][0] if ranking else None)
        task = INTENT_TASKS.get(intent or "")
        return TASK_TOPICS.get(task or "")

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0
        message.set(INTENT, {"name": name, PREDICTED_CONFIDENCE_KEY: max(float(confidence), 0.5)}, add_to_output=True)

    @staticmethod
    def _set_topic(message: Message, topic_id: str) -> None:
        selector = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        chosen = selector.get(TOPIC) or {}
        key = f"{TOPIC}/{topic_id}"
        probability = dict(_ranking(message)).get(topic_id, 0.0)
        chosen[RESPONSE_SELECTOR_PREDICTION_KEY] = {
            PREDICTED_CONFIDENCE_KEY: probability,
            INTENT_RESPONSE_KEY: key,
            RESPONSE_SELECTOR_UTTER_ACTION_KEY: intent_response_key_to_template_key(key),
        }
        selector[TOPIC] = chosen
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
