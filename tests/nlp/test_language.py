"""The language of a message (bot/nlp/language.py) and the NLU component that puts it on the message
(bot.nlp.components.LanguageDetector): clear Welsh and clear English set it, short and neutral messages leave the
conversation's language as it is, and the switch words always set it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import LanguageDetector
from bot.nlp.language import ENGLISH, WELSH, detect, language_of, switch_command, words_of


@pytest.mark.parametrize("text", [
    "Beth ydych chi'n ei wneud gyda chofnodion fy mhlant?",
    "dw i eisiau optio allan",
    "Dwi isio siarad efo rhywun",
    "mae fy mhlentyn mewn perygl",
    "diolch yn fawr",
    "dim diolch",
    "diolch",  # one word, ideally switches: it does
    "shwmae",
])
def test_clear_welsh_is_welsh(text):
    found = detect(text)
    assert found is not None and found.language == WELSH, text


@pytest.mark.parametrize("text", [
    "what do you do with my kids records",
    "can the school see what social services write about us",
    "I want to opt out of the research please",
])
def test_clear_english_is_english(text):
    found = detect(text)
    assert found is not None and found.language == ENGLISH, text


@pytest.mark.parametrize("text", [
    "ok", "yes", "no", "na", "iawn", "ie", "DEMO-1001", "03/04/2019", "OPT-7Q2K9", "3rd April 2019",
    "my ref is DEMO-1001", "check my status", "stop", "help", "thanks", "hi", "helo", "🙂", "???", "",
    # short English text-speak that the detector alone takes for Welsh
    "thx", "yesss", "howya", "mhm", "ttyl", "lol",
    # half and half: the conversation keeps its language
    "sut mae linking yn gweithio? how does the linking work",
])
def test_short_or_neutral_messages_keep_the_language(text):
    assert language_of(text) is None, text


def test_a_reference_or_a_date_is_not_read_as_words():
    assert words_of("DEMO-1001 03/04/2019 ok") == ["ok"]
    assert words_of("SAR-6PB3J diolch") == ["diolch"]


@pytest.mark.parametrize("text, language", [
    ("Cymraeg", WELSH), ("cymraeg", WELSH), ("Welsh", WELSH), ("yn Gymraeg", WELSH), ("Ga i siarad Cymraeg?", WELSH),
    ("can I speak Welsh", WELSH), ("Welsh please", WELSH), ("Cymraeg os gwelwch yn dda", WELSH),
    ("English", ENGLISH), ("english", ENGLISH), ("Saesneg", ENGLISH), ("English please", ENGLISH),
    ("yn Saesneg plis", ENGLISH), ("can we do it in English", ENGLISH), ("Dwi isio newid i Saesneg", ENGLISH),
])
def test_switch_words_always_set_the_language(text, language):
    assert switch_command(text) == language
    found = language_of(text)
    assert found is not None and (found.language, found.command) == (language, True)


@pytest.mark.parametrize("text", [
    "do you have my welsh school records",  # about records, not a request to switch
    "English or Welsh?",
    "my son is at a Welsh school and I want to see his file",
])
def test_a_language_name_in_a_longer_message_is_no_command(text):
    assert switch_command(text) is None


@pytest.fixture()
def component(tmp_path: Path) -> LanguageDetector:
    return LanguageDetector.create({}, LocalModelStorage(tmp_path), Resource("language"),
                                   ExecutionContext(GraphSchema({}), "test"))


def _parsed(component: LanguageDetector, text: str, intent: str = "greet") -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6},
                            "intent_ranking": [{"name": intent, "confidence": 0.6}]})
    component.process([message])
    return message


def test_the_component_adds_the_language_entity(component):
    message = _parsed(component, "Beth ydych chi'n ei wneud gyda chofnodion fy mhlant?", intent="topic")
    entities = message.get("entities")
    assert [(e["entity"], e["value"]) for e in entities] == [("language", "cy")]
    assert message.get("intent")["name"] == "topic"  # detection alone does not change the intent


def test_the_component_adds_nothing_to_a_reference(component):
    assert not _parsed(component, "DEMO-1001").get("entities")


def test_a_switch_word_becomes_the_switch_intent(component):
    message = _parsed(component, "English please", intent="nlu_fallback")
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("language", "en")]
    assert message.get("intent") == {"name": "switch_language", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "switch_language"
