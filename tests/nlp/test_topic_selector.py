"""TopicSelector, with the trained model: topic questions get a topic, other messages skip the selector."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.e2e  # needs the trained model


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


def test_a_topic_question_gets_a_topic(parse):
    result = parse("what is predictive analytics")
    assert result["intent"]["name"] == "topic"
    selected = result["response_selector"]["topic"]["response"]
    assert selected["intent_response_key"].startswith("topic/")
    assert selected["responses"] and selected["responses"][0]["text"]


@pytest.mark.parametrize("text", ["hi", "opt me out", "thanks"])
def test_other_messages_skip_the_selector(parse, text):
    result = parse(text)
    assert result["intent"]["name"] != "topic"
    assert "topic" not in (result.get("response_selector") or {})
