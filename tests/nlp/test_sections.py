"""Section choice: after the topic, the part of the page that answers the question, by the message's meaning (the real
sentence model, run on this machine). First the chooser on the real content, then inside the TopicSelector."""

from __future__ import annotations

import pytest
from rasa.engine.storage.resource import Resource

from bot.content.loader import content
from bot.nlp.components import TopicSelector, add_meaning
from bot.nlp.encoder import encoder
from bot.nlp.sections import SectionChooser

CONFIG = {"C": 16.0, "class_weight": None, "tf_idf": ["words", "letters"], "featurizers": ["words", "letters"]}


@pytest.fixture(scope="module")
def chooser() -> SectionChooser:
    return SectionChooser.fit(content(), content().topic_ids)


def _meaning(text: str):
    return encoder().encode([text])[0]


@pytest.mark.parametrize(("topic_id", "text", "section"), [
    ("ex_partner_and_address", "can my ex get my new address from the council", "new_address"),
    ("raise_a_worry", "can i report a worry without giving my name", "anonymous"),
    ("how_long_kept", "how can i find out how long you keep our files", "ask"),
])
def test_a_precise_question_gets_its_section(chooser, topic_id, text, section):
    assert chooser.choose(topic_id, _meaning(text)) == section


@pytest.mark.parametrize(("topic_id", "text"), [
    ("predictive_analytics", "what is predictive analytics"),
    ("how_long_kept", "how long do you keep our records"),
    ("private_companies", "does the council give our data to private companies"),
])
def test_a_general_question_gets_the_short_answer(chooser, topic_id, text):
    assert chooser.choose(topic_id, _meaning(text)) is None


def test_no_meaning_or_no_sections_is_the_short_answer(chooser):
    assert chooser.choose("raise_a_worry", None) is None
    assert chooser.choose("nhs_data_opt_out", _meaning("what is the nhs opt out")) is None


def test_the_margin_decides(chooser):
    meaning = _meaning("can i report a worry without giving my name")
    section, margin = chooser.scores("raise_a_worry", meaning)
    assert section == "anonymous" and margin > 0
    stricter = SectionChooser(margin + 0.01, chooser.ids, chooser.questions, chooser.pages)
    assert stricter.choose("raise_a_worry", meaning) is None


def test_the_selector_names_the_section_response_and_keeps_it_after_loading(setup):
    storage, context, component, data, featurized = setup
    selector = component(TopicSelector, "sections", **CONFIG)
    selector.train(data)
    texts = ["how can i find out how long you keep our files", "how long are records kept"]
    messages = featurized(texts, intent="topic")
    add_meaning(messages)  # as MeaningFeaturizer does, first in the pipeline
    precise, general = [m.get("response_selector")["topic"]["response"] for m in selector.process(messages)]
    assert precise["intent_response_key"] == "topic/how_long_kept"  # what `rasa test nlu` reads: the topic
    assert precise["utter_action"] == "utter_topic/how_long_kept/ask" and precise["section"] == "ask"
    assert general["utter_action"] == "utter_topic/how_long_kept" and "section" not in general

    loaded = TopicSelector.load({**TopicSelector.get_default_config(), **CONFIG}, storage, Resource("sections"),
                                context)
    again = featurized(texts[:1], intent="topic")
    add_meaning(again)
    assert loaded.process(again)[0].get("response_selector")["topic"]["response"] == precise
