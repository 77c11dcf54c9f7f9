"""TopicSelector: the topic of a topic question, in the shape of Rasa's ResponseSelector output; other messages
skip it. First on a small training set (tests/nlp/conftest.py), then with the trained model."""

from __future__ import annotations

import asyncio

import pytest
from rasa.engine.storage.resource import Resource

from bot.nlp.components import TopicSelector
from tests.nlp.conftest import EXAMPLES

CONFIG = {"C": 16.0, "class_weight": None, "tf_idf": ["words", "letters"], "featurizers": ["words", "letters"]}


def _selected(message) -> dict | None:
    return (message.get("response_selector") or {}).get("topic")


def test_a_topic_question_gets_its_topic_as_rasa_s_response_selector_gives_it(setup):
    _, _, component, data, featurized = setup
    selector = component(TopicSelector, "topics", **CONFIG)
    selector.train(data)
    texts = ["how long are files kept", "who can see the school file", "what is linking"]
    messages = selector.process(featurized(texts, intent="topic"))
    chosen = [_selected(m)["response"]["intent_response_key"] for m in messages]
    assert chosen == ["topic/how_long_kept", "topic/who_can_see", "topic/how_linking_works"]

    message = messages[0]
    assert message.get("response_selector")["all_retrieval_intents"] == ["topic"]
    response = _selected(message)["response"]
    assert response["utter_action"] == "utter_topic/how_long_kept"  # the utter_topic action sends this one
    ranking = _selected(message)["ranking"]
    topics = sorted(label for label in EXAMPLES if label.startswith("topic/"))
    assert sorted(r["intent_response_key"] for r in ranking) == topics
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True) and confidences[0] == response["confidence"]
    assert sum(confidences) == pytest.approx(1.0)
    assert "response_selector" in message.output_properties  # in the parse result


@pytest.mark.parametrize("intent,text", [("greet", "hiya"), ("opt_out", "how long do you keep our records"),
                                         ("topic", "???"), ("topic", "🙂🙂")])
def test_messages_not_under_topic_or_without_words_get_no_topic(setup, intent, text):
    _, _, component, data, featurized = setup
    selector = component(TopicSelector, "topics", **CONFIG)
    selector.train(data)
    [message] = selector.process(featurized([text], intent=intent))
    assert _selected(message) is None


def test_it_uses_only_the_featurizers_named_and_keeps_its_choice_after_loading(setup):
    storage, context, component, data, featurized = setup
    words_only = {**CONFIG, "tf_idf": ["words"], "featurizers": ["words"]}
    selector = component(TopicSelector, "words-only", **words_only)
    selector.train(data)
    words = next(f for f in data.intent_examples[0].features if f.origin == "words" and f.type == "sentence")
    assert selector.clf.n_features_in_ == words.features.shape[1]

    texts = ["when are files deleted", "can the police see our records"]
    before = [_selected(m) for m in selector.process(featurized(texts, intent="topic"))]
    loaded = TopicSelector.load({**TopicSelector.get_default_config(), **words_only}, storage,
                                Resource("words-only"), context)
    assert [_selected(m) for m in loaded.process(featurized(texts, intent="topic"))] == before


def test_no_topic_examples_is_a_clear_error(setup):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    _, _, component, data, _ = setup
    selector = component(TopicSelector, "none", **CONFIG)
    with pytest.raises(ValueError, match="no examples of topic/<topic>"):
        selector.train(TrainingData([e for e in data.intent_examples if e.get("intent") != "topic"]))


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    from bot.training import MODEL_PATH, is_current, train

    if not is_current():
        assert train() == 0, "training failed"
    agent = Agent.load(str(MODEL_PATH))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


@pytest.mark.e2e  # needs the trained model
def test_the_trained_model_gives_a_topic_question_its_topic(parse):
    result = parse("what is predictive analytics")
    assert result["intent"]["name"] == "topic"
    selected = result["response_selector"]["topic"]["response"]
    assert selected["intent_response_key"] == "topic/predictive_analytics"
    assert selected["utter_action"] == "utter_topic/predictive_analytics"


@pytest.mark.e2e
@pytest.mark.parametrize("text", ["hi", "opt me out", "thanks"])
def test_with_the_trained_model_other_messages_skip_the_selector(parse, text):
    result = parse(text)
    assert result["intent"]["name"] != "topic"
    assert "topic" not in (result.get("response_selector") or {})


@pytest.mark.e2e
def test_with_the_trained_model_a_precise_question_gets_its_section(parse):
    result = parse("can my ex get my new address from the council")
    selected = result["response_selector"]["topic"]["response"]
    assert selected["intent_response_key"] == "topic/ex_partner_and_address"  # the topic, as `rasa test nlu` reads it
    assert selected["utter_action"] == "utter_topic/ex_partner_and_address/new_address"


@pytest.mark.e2e
@pytest.mark.parametrize("text", ["more", "MORE", "tell me the rest"])
def test_with_the_trained_model_more_asks_for_the_rest(parse, text):
    assert parse(text)["intent"]["name"] == "more"
