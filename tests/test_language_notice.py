"""The other language, said once a conversation (bot/nlg.py): the first reply in Welsh says, in Welsh, that English is
there too; in a council in Wales the first reply in English says, in Welsh, that Welsh is there too. And the words
about switching (content/messages/<lang>/language.yml, bot/content/messages.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import nlg
from bot.content import messages
from bot.nlg import DangerLineNLG
from bot.nlp.language import WELSH, detect

DOMAIN = Domain.from_dict({
    "entities": ["language"],
    "slots": {"language": {"type": "text", "initial_value": "en", "influence_conversation": False,
                           "mappings": [{"type": "from_entity", "entity": "language"}]}},
    "responses": {"utter_answer": [{"text": "Here is the answer."}],
                  "utter_crisis": [{"text": "Call 999."}],
                  "utter_danger_line": [{"text": "If a child is in danger now, call 999."}]},
})
ENGLISH_AVAILABLE = messages.say("language.english_available", "cy")
WELSH_AVAILABLE = messages.say("language.welsh_available", "cy")


@pytest.fixture()
def nation(monkeypatch):
    def set_nation(value: str) -> None:
        monkeypatch.setattr(nlg, "content", lambda: SimpleNamespace(nation=value))
    set_nation("england")
    return set_nation


def _tracker(language: str | None, replies: list[str] = ()) -> DialogueStateTracker:
    events = [UserUttered("helo", parse_data={"intent": {"name": "greet", "confidence": 0.9}, "entities": []})]
    if language:
        events.append(SlotSet("language", language))
    events += [BotUttered(text) for text in replies]
    return DialogueStateTracker.from_events("s", events, DOMAIN.slots)


async def _reply(tracker: DialogueStateTracker, action: str = "utter_answer", channel: str = "rest") -> str:
    return (await DangerLineNLG(domain=DOMAIN).generate(action, tracker, channel))["text"]


async def test_the_first_welsh_reply_says_in_welsh_that_english_is_there(nation):
    text = await _reply(_tracker("cy"))
    assert text == f"Here is the answer.\n\n{ENGLISH_AVAILABLE}"
    assert "English" in ENGLISH_AVAILABLE and detect(ENGLISH_AVAILABLE).language == WELSH


async def test_only_once_a_conversation(nation):
    assert await _reply(_tracker("cy", ["Helo.", f"Ateb.\n\n{ENGLISH_AVAILABLE}", "Ateb arall."])) == \
        "Here is the answer."


async def test_not_after_a_switch_that_said_how_to_switch_back(nation):
    switched = messages.say("language.switched", "cy")
    assert "English" in switched
    assert await _reply(_tracker("cy", [switched])) == "Here is the answer."


async def test_english_in_england_has_no_notice(nation):
    assert await _reply(_tracker("en")) == "Here is the answer."
    assert await _reply(_tracker(None)) == "Here is the answer."


async def test_english_in_wales_says_once_in_welsh_that_welsh_is_there(nation):
    nation("wales")
    assert await _reply(_tracker("en")) == f"Here is the answer.\n\n{WELSH_AVAILABLE}"
    assert "Cymraeg" in WELSH_AVAILABLE and detect(WELSH_AVAILABLE).language == WELSH
    assert await _reply(_tracker("en", [f"Hi.\n\n{WELSH_AVAILABLE}"])) == "Here is the answer."


async def test_the_crisis_reply_stays_alone_and_short(nation):
    assert await _reply(_tracker("cy"), "utter_crisis") == "Call 999."


async def test_a_text_message_gets_the_short_form(nation):
    assert await _reply(_tracker("cy"), channel="sms") == \
        f"Here is the answer.\n\n{messages.say('language.english_available', 'cy', 'sms')}"





@pytest.mark.parametrize("lang, other_word", [("cy", "English"), ("en", "Cymraeg")])
def test_a_switch_says_how_to_switch_back(lang, other_word):
    for channel in ("web", "sms"):
        assert other_word in messages.say("language.switched", lang, channel)


def test_the_welsh_messages_are_welsh():
    for key in ("switched", "english_available", "welsh_available"):
        found = detect(messages.say(f"language.{key}", "cy"))
        assert found is not None and found.language == WELSH, key
