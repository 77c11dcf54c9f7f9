"""Whole conversations in Welsh, in English, and switching between them, through the REST channel of the real
servers (bot/nlp/language.py, bot/nlg.py, action_switch_language).

Every reply of a Welsh conversation comes from the Welsh keyed messages (content/messages/cy/) and the Welsh topic
pages (content/cy/topics/); the crisis reply in Welsh adds Meic.
Replies are judged Welsh or English by the same detector the assistant uses, and by a few words each must have.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from bot.content import messages
from bot.content.loader import content
from bot.nlp.language import ENGLISH, WELSH, detect

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"OPT-[A-Z0-9]{5}")


def language_of(text: str) -> str | None:
    """The language of a reply, without its numbers, references and web addresses."""
    plain = re.sub(r"https?://\S+|\*\*", " ", text)
    found = detect(plain)
    return found.language if found else None


def language_slot(chat, sender: str) -> str | None:
    """The conversation's slot `language` as the conversation store last recorded it."""
    with sqlite3.connect(chat.folder / "trackers.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id",
                          (sender,)).fetchall()
    values = [event.get("value") for event in map(json.loads, (r[0] for r in rows)) if event.get("name") == "language"]
    return values[-1] if values else None


def _replies(chat, sender: str, message: str) -> list[str]:
    return [m.get("text", "") for m in chat.send(sender, message) if m.get("text")]


# --- a whole conversation in Welsh -----------------------------------------------------------------------------

WELSH_STEPS = [  # (name, message)
    ("greet", "Shwmae, dw i'n rhiant"),
    ("topic", "Pwy sy'n gallu gweld cofnodion fy mhlant?"),
    ("task", "Dw i isio optio allan"),
    ("reference", "DEMO-1001"),
    ("dob", "03/04/2019"),
    ("purpose", "commercial_processors"),  # the button's payload
    ("confirm", "ie"),
    ("crisis", "Help! Mae fy mabi ddim yn anadlu"),
]


@pytest.fixture(scope="module")
def welsh_conversation(servers) -> dict[str, list[str]]:
    chat, _ = servers
    sender = "e2e-cymraeg"
    said: dict[str, list[str]] = {}
    for name, message in WELSH_STEPS:
        said[name] = _replies(chat, sender, message)
        said[f"slot after {name}"] = [language_slot(chat, sender) or ""]
    return said


def test_a_welsh_conversation_stays_welsh_through_a_reference_and_a_date(welsh_conversation):
    for name, _ in WELSH_STEPS:
        assert welsh_conversation[f"slot after {name}"] == [WELSH], name


def test_the_first_welsh_reply_says_once_in_welsh_that_english_is_there(welsh_conversation):
    notice = messages.say("language.english_available", WELSH)
    everything = "\n".join(t for name, _ in WELSH_STEPS for t in welsh_conversation[name])
    assert notice in "\n".join(welsh_conversation["greet"])
    assert everything.count(notice) == 1


def test_the_crisis_reply_in_welsh_gives_the_numbers_and_meic(welsh_conversation):
    c = content()
    crisis = "\n".join(welsh_conversation["crisis"])
    for helpline in ("emergency", "nspcc", "childline", "meic"):
        assert c.helpline(helpline) in crisis, helpline
    assert "ffoniwch" in crisis.lower() and language_of(welsh_conversation["crisis"][0]) == WELSH


def test_every_reply_of_the_welsh_conversation_is_welsh(welsh_conversation):
    for name, _ in WELSH_STEPS:
        for text in welsh_conversation[name]:
            assert language_of(text) in (WELSH, None), (name, text)
        assert any(language_of(text) == WELSH for text in welsh_conversation[name]), name
    assert "cyfeirnod" in " ".join(welsh_conversation["task"]).lower()  # it asks for the family reference
    assert "dyddiad geni" in " ".join(welsh_conversation["reference"]).lower()  # then a date of birth


def test_the_welsh_opt_out_gives_its_reference(welsh_conversation):
    done = "\n".join(welsh_conversation["purpose"] + welsh_conversation["confirm"])
    assert REFERENCE.search(done), done


# --- the same in English ---------------------------------------------------------------------------------------

ENGLISH_STEPS = [
    ("greet", "hello, I'm a parent"),
    ("topic", "who can see my children's records?"),
    ("task", "I want to opt out"),
    ("reference", "DEMO-1001"),
    ("dob", "03/04/2019"),
    ("purpose", "predictive_analytics"),
    ("confirm", "yes"),
    ("crisis", "help my baby is not breathing"),
]


def test_an_english_conversation_stays_english_with_no_welsh_notice_in_england(servers):
    chat, _ = servers
    sender = "e2e-english-language"
    notice = messages.say("language.welsh_available", WELSH)
    said = {}
    for name, message in ENGLISH_STEPS:
        said[name] = _replies(chat, sender, message)
        assert language_slot(chat, sender) in (None, ENGLISH), name
        for text in said[name]:
            assert language_of(text) in (ENGLISH, None), (name, text)
            assert notice not in text
        assert said[name], name
    assert "family reference" in " ".join(said["task"]) and "date of birth" in " ".join(said["reference"])
    assert REFERENCE.search("\n".join(said["purpose"] + said["confirm"]))
    crisis = "\n".join(said["crisis"])
    assert content().helpline("emergency") in crisis and content().helpline("childline") in crisis


# --- switching in the middle of a task ---------------------------------------------------------------------------

def test_switching_mid_task_keeps_the_task_and_asks_again(servers):
    chat, _ = servers
    sender = "e2e-switch-language"
    assert "family reference" in chat.text(sender, "check my status")
    switched = _replies(chat, sender, "Cymraeg")
    assert switched[0] == messages.say("language.switched", WELSH)
    assert len(switched) >= 2  # the form asks its question again, not cancelled
    assert language_slot(chat, sender) == WELSH
    asked_dob = _replies(chat, sender, "DEMO-1001")  # the reference is taken as the answer: the task goes on
    assert language_slot(chat, sender) == WELSH
    assert any("2019" in t for t in asked_dob)  # the date question, with its example date
    back = _replies(chat, sender, "English please")
    assert back[0] == messages.say("language.switched", ENGLISH)
    assert len(back) >= 2
    assert language_slot(chat, sender) == ENGLISH
    done = chat.text(sender, "3/4/2019")
    assert "matches" in done and language_of(done) == ENGLISH


def test_after_a_switch_the_form_asks_again_in_welsh(servers):
    chat, _ = servers
    sender = "e2e-switch-language-welsh"
    chat.text(sender, "check my status")
    switched = _replies(chat, sender, "Ga i siarad Cymraeg?")
    assert language_of(switched[-1]) == WELSH and "cyfeirnod" in switched[-1].lower()
