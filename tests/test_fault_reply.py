"""The kind fault reply: sent when a turn fails, errs, takes too long or says nothing; never otherwise."""

from __future__ import annotations

import asyncio
import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.fault_reply import FAULT_RESPONSE, RASA_ACTION_FAILED, fault_message, guard
from bot.content.loader import content

rasa_processor_log = logging.getLogger("rasa.core.processor")


class SmsLikeOutput(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "sms"


def _message(text: str = "DEMO-1001", output: CollectingOutputChannel | None = None) -> UserMessage:
    return UserMessage(text, output or CollectingOutputChannel(), "parent-1", input_channel="rest")


def _is_fault(message: dict) -> bool:
    return message.get("text") == fault_message("rest")["text"].strip()


async def test_a_turn_that_answers_gets_no_fault_reply():
    async def answers(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "What is your child's date of birth?"})

    message = _message()
    await guard(answers)(message)
    assert [m["text"] for m in message.output_channel.messages] == ["What is your child's date of birth?"]


async def test_a_failed_action_is_answered_kindly_after_what_was_said():
    async def action_fails(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "First, I need to check who you are."})
        try:
            raise ConnectionError("action server down")
        except ConnectionError:  # what rasa.core.processor does with a failed custom action
            rasa_processor_log.exception(f"{RASA_ACTION_FAILED} 'validate_identity_form'. Bot will continue")

    message = _message()
    await guard(action_fails)(message)
    texts = message.output_channel.messages
    assert texts[0]["text"] == "First, I need to check who you are."
    assert len(texts) == 2 and _is_fault(texts[1])


async def test_the_kind_reply_goes_when_the_action_fails_not_after_the_rest_of_the_turn():
    release = asyncio.Event()

    async def fails_then_tries_more(message: UserMessage) -> None:
        try:
            raise TimeoutError
        except TimeoutError:
            rasa_processor_log.exception(f"{RASA_ACTION_FAILED} 'action_start_task'. Bot will continue")
        await release.wait()  # Rasa goes on to the next action, which may wait as long again

    message = _message()
    try:
        await asyncio.wait_for(guard(fails_then_tries_more, reply_within_s=60)(message), timeout=30)
        assert [_is_fault(m) for m in message.output_channel.messages] == [True]
    finally:
        release.set()


async def test_what_rasa_says_after_a_failed_action_is_held_back():
    async def fails_then_guesses(message: UserMessage) -> None:
        try:
            raise ConnectionError
        except ConnectionError:
            rasa_processor_log.exception(f"{RASA_ACTION_FAILED} 'action_start_task'. Bot will continue")
        await message.output_channel.send_response(message.sender_id, {"text": "Sorry, I did not understand that."})

    message = _message()
    await guard(fails_then_guesses)(message)
    assert [_is_fault(m) for m in message.output_channel.messages] == [True]


async def test_a_turn_that_raises_or_says_nothing_is_answered_kindly():
    async def raises(message: UserMessage) -> None:
        raise OSError("the lock store cannot be reached")

    async def silent(message: UserMessage) -> None:
        return None

    for turn in (raises, silent):
        message = _message()
        await guard(turn)(message)
        assert [_is_fault(m) for m in message.output_channel.messages] == [True], turn.__name__


async def test_a_session_start_may_say_nothing():
    async def silent(message: UserMessage) -> None:
        return None

    message = _message("/session_start")
    await guard(silent)(message)
    assert message.output_channel.messages == []


async def test_a_turn_that_hangs_is_answered_before_it_ends():
    release = asyncio.Event()

    async def hangs(message: UserMessage) -> None:
        await release.wait()
        await message.output_channel.send_response(message.sender_id, {"text": "late"})

    message = _message()
    await guard(hangs, reply_within_s=0.2)(message)
    assert [_is_fault(m) for m in message.output_channel.messages] == [True]
    release.set()
    await asyncio.sleep(0.05)  # the turn goes on in the background and may still answer
    assert message.output_channel.messages[-1]["text"] == "late"


async def test_a_turn_that_has_started_answering_is_waited_for_not_contradicted():
    async def slow_to_send(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "Here is the answer."})
        await asyncio.sleep(0.4)  # the next part is slow to go out
        await message.output_channel.send_response(message.sender_id, {"text": "And the rest."})

    message = _message()
    await guard(slow_to_send, reply_within_s=0.1)(message)
    assert [m["text"] for m in message.output_channel.messages] == ["Here is the answer.", "And the rest."]


async def test_the_reply_takes_the_channel_form():
    output = SmsLikeOutput()
    message = _message(output=output)

    async def silent(message: UserMessage) -> None:
        return None

    await guard(silent)(message)
    assert output.messages[0]["text"] == fault_message("sms")["text"] != fault_message("rest")["text"]


@pytest.mark.parametrize("channel", ["rest", "socketio", "sms", "whatsapp"])
def test_the_reply_says_what_a_parent_needs(channel):
    text = fault_message(channel)["text"]
    contact = content().council.contact
    assert contact.phone in text and contact.hours in text
    assert "999" in text and "kept" in text and "again" in text
    assert FAULT_RESPONSE == "utter_fault"
