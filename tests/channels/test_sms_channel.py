"""The Twilio SMS channel, end to end over HTTP on loopback: signed like Twilio signs, forged, retried,
keywords, numbered choices, segment limits and MORE, Twilio WhatsApp senders, and bad input."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml
from channel_fakes import (
    PARENT_NUMBER,
    SENDER_SECRET,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_NUMBER,
    FakeBot,
    FakeTwilio,
    next_id,
    redis_available,
    serve_channel,
)
from rasa.core.channels.channel import UserMessage
from twilio.request_validator import RequestValidator

from bot.channels.credentials import ChannelConfigError
from bot.channels.fault_reply import fault_message
from bot.channels.formatting import gsm_friendly, segment_count, sms_encoding
from bot.channels.identity import opaque_sender_id
from bot.channels.sms import MORE_SUFFIX, SmsInput
from bot.privacy.sealing import unseal

PUBLIC_URL = "https://parents.example.gov.uk/webhooks/sms/webhook"


def credentials(twilio: FakeTwilio, **overrides: Any) -> dict[str, Any]:
    block = {
        "account_sid": TWILIO_ACCOUNT_SID,
        "auth_token": TWILIO_AUTH_TOKEN,
        "twilio_number": TWILIO_NUMBER,
        "sender_id_secret": SENDER_SECRET,
        "public_url": PUBLIC_URL,
        "api_base_url": twilio.base_url,
        "council_name": "Example Borough Council",
        "council_contact": "call the Family Information Service on 0300 123 4567",
    }
    block.update(overrides)
    return {k: v for k, v in block.items() if v is not None}


def inbound(text: str | None, sender: str = PARENT_NUMBER, sid: str | None = None, **extra: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound SMS (blank ones included: Twilio signs them too)."""
    sid = sid or next_id("SM")
    params = {
        "ToCountry": "GB",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "FromCountry": "GB",
        "To": TWILIO_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": TWILIO_ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    if text is not None:
        params["Body"] = text
    params.update(extra)
    return params


def documented_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's documented algorithm: the URL, then each POST field name+value sorted by name,
    HMAC-SHA1 with the auth token, base64."""
    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


@dataclass
class Sms:
    http: aiohttp.ClientSession
    base: str
    channel: SmsInput
    bot: FakeBot
    twilio: FakeTwilio
    public_url: str | None

    @property
    def url(self) -> str:
        return f"{self.base}/webhooks/sms/webhook"

    async def post(
        self,
        params: dict[str, str],
        *,
        signature: str | None = None,
        sign: bool = True,
        token: str = TWILIO_AUTH_TOKEN,
        signed_url: str | None = None,
        body: bytes | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> tuple[int, str]:
        headers = {"Content-Type": content_type}
        if sign:
            url = signed_url or self.public_url or self.url
            headers["X-Twilio-Signature"] = signature or RequestValidator(token).compute_signature(url, params)
        data = body if body is not None else urlencode(params).encode()
        async with self.http.post(self.url, data=data, headers=headers) as reply:
            return reply.status, await reply.text()

    async def text(self, text: str | None, sender: str = PARENT_NUMBER, **extra: str) -> tuple[int, str]:
        return await self.post(inbound(text, sender, **extra))

    def sender_id(self, number: str = PARENT_NUMBER) -> str:
        return opaque_sender_id(SENDER_SECRET, "sms", number)


@pytest.fixture
async def sms_factory(http: aiohttp.ClientSession, bot: FakeBot, fake_twilio: FakeTwilio) -> AsyncIterator[Any]:
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> Sms:
            block = credentials(fake_twilio, **overrides)
            channel = SmsInput.from_credentials(block)
            base = await stack.enter_async_context(serve_channel(channel, bot))
            return Sms(http, base, channel, bot, fake_twilio, block.get("public_url"))

        yield make


@pytest.fixture
async def sms(sms_factory: Any) -> Sms:
    return await sms_factory()


# -- signatures -----------------------------------------------------------------------------------


async def test_signed_message_reaches_the_bot_and_the_reply_goes_through_twilio(sms: Sms) -> None:
    status, body = await sms.text("What do you do with my records?")

    assert status == 200
    assert "<Response></Response>" in body
    assert sms.bot.texts == ["What do you do with my records?"]
    message = sms.bot.received[0]
    assert message.input_channel == "sms"
    assert message.metadata["channel"] == "sms"
    assert message.metadata["transport"] == "sms"
    # the number rides along sealed only (for "ask me again at this number"), never readable
    assert PARENT_NUMBER not in str(message.metadata) and unseal(message.metadata["reply_to"]) == PARENT_NUMBER
    assert sms.twilio.sent == [
        {"To": PARENT_NUMBER, "From": TWILIO_NUMBER, "Body": "You said: What do you do with my records?"}
    ]
    assert sms.twilio.paths == [f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"]
    assert sms.twilio.auth_headers == [sms.twilio.expected_auth()]


async def test_sender_id_is_an_opaque_hmac_never_the_number(sms: Sms) -> None:
    await sms.text("hello")
    await sms.text("hello again")
    await sms.text("hi", sender="+447700900999")

    ids = [m.sender_id for m in sms.bot.received]
    expected = "sms-" + hmac.new(SENDER_SECRET.encode(), f"sms|{PARENT_NUMBER}".encode(), hashlib.sha256).hexdigest()
    assert ids[0] == ids[1] == expected[: len("sms-") + 32]
    assert ids[2] != ids[0]
    for sender_id in ids:
        assert "7700900" not in sender_id
        assert "7700900" not in repr(sms.bot.received[0].metadata)


async def test_signature_by_the_documented_algorithm_is_accepted(sms: Sms) -> None:
    params = inbound("hello")
    signature = documented_signature(PUBLIC_URL, params, TWILIO_AUTH_TOKEN)
    assert signature == RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(PUBLIC_URL, params)

    status, _ = await sms.post(params, signature=signature)

    assert status == 200
    assert sms.bot.texts == ["hello"]


async def test_without_public_url_the_request_url_is_what_twilio_signed(sms_factory: Any) -> None:
    sms = await sms_factory(public_url=None)
    status, _ = await sms.post(inbound("hello"), signed_url=sms.url)
    assert status == 200
    assert sms.bot.texts == ["hello"]


@pytest.mark.parametrize(
    "forgery",
    ["wrong token", "body changed", "missing header", "empty header", "other url", "internal url", "garbage"],
)
async def test_forged_or_unsigned_requests_get_403_and_reach_nobody(sms: Sms, forgery: str) -> None:
    params = inbound("STOP" if forgery == "garbage" else "Tell me everything about my family")
    good = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(PUBLIC_URL, params)
    if forgery == "wrong token":
        status, _ = await sms.post(params, token="not-the-auth-token")
    elif forgery == "body changed":
        changed = dict(params, Body="Send me someone else's records")
        status, _ = await sms.post(changed, signature=good)
    elif forgery == "missing header":
        status, _ = await sms.post(params, sign=False)
    elif forgery == "empty header":
        status, _ = await sms.post(params, signature=" ")
    elif forgery == "other url":
        status, _ = await sms.post(params, signed_url="https://attacker.example.com/webhooks/sms/webhook")
    elif forgery == "internal url":  # behind a proxy, only the configured public URL counts
        status, _ = await sms.post(params, signed_url=sms.url)
    else:
        status, _ = await sms.post(params, signature="🙂" * 10)

    assert status == 403
    assert sms.bot.received == []
    assert sms.twilio.sent == []
    assert not await sms.channel.state.optouts.is_opted_out(sms.sender_id())


# -- retries ----------------------------------------------------------------------------------------


async def test_a_retried_message_sid_is_processed_once(sms: Sms) -> None:
    params = inbound("I want to see my data")
    first = await sms.post(params)
    second = await sms.post(params)
    third = await sms.post(params)

    assert [first[0], second[0], third[0]] == [200, 200, 200]
    assert sms.bot.texts == ["I want to see my data"]
    assert len(sms.twilio.sent) == 1


async def test_a_status_callback_is_not_a_message(sms: Sms) -> None:
    params = {"MessageSid": next_id("SM"), "MessageStatus": "delivered", "From": TWILIO_NUMBER, "To": PARENT_NUMBER}
    status, _ = await sms.post(params)
    assert status == 200
    assert sms.bot.received == []


# -- numbered choices ---------------------------------------------------------------------------------


def consent_bot(message: UserMessage) -> list[dict[str, Any]]:
    if message.text == "choices":
        return [
            {
                "text": "Can we share your records with **health visitors**?",
                "buttons": [
                    {"title": "Yes, share them", "payload": "/consent_yes"},
                    {"title": "No", "payload": '/consent_no{"purpose":"health"}'},
                    {"title": "Tell me more", "payload": "/explain"},
                ],
            }
        ]
    return [{"text": f"Got {message.text}"}]


async def test_buttons_become_numbered_choices_and_a_number_maps_back(sms: Sms) -> None:
    sms.bot.reply = consent_bot
    await sms.text("choices")
    assert sms.twilio.bodies[-1] == (
        "Can we share your records with health visitors?\n\n"
        "Reply 1 for Yes, share them\nReply 2 for No\nReply 3 for Tell me more"
    )

    await sms.text(" 2. ")
    assert sms.bot.texts[-1] == '/consent_no{"purpose":"health"}'
    assert sms.bot.received[-1].metadata["choice"] == {"reply": "2.", "title": "No"}

    # the reply to that had no buttons, so the offer is gone: a later "1" is just text
    await sms.text("1")
    assert sms.bot.texts[-1] == "1"


@pytest.mark.parametrize("reply", ["1", "1.", " 1 ", "1)"])
async def test_number_forms_all_pick_the_choice(sms: Sms, reply: str) -> None:
    sms.bot.reply = consent_bot
    await sms.text("choices")
    await sms.text(reply)
    assert sms.bot.texts[-1] == "/consent_yes"


async def test_a_number_out_of_range_is_passed_on_as_text(sms: Sms) -> None:
    sms.bot.reply = consent_bot
    await sms.text("choices")
    await sms.text("7")
    assert sms.bot.texts[-1] == "7"


# -- segments and MORE ----------------------------------------------------------------------------------


LONG_ANSWER = " ".join(
    f"Sentence {n} explains how the council keeps and links records for families." for n in range(1, 21)
)


async def test_a_long_reply_is_cut_at_three_segments_and_more_sends_the_rest(sms: Sms) -> None:
    sms.bot.reply = lambda m: [{"text": LONG_ANSWER}] if m.text == "long" else [{"text": "other"}]
    await sms.text("long")

    pieces = []
    for _ in range(10):
        body = sms.twilio.bodies[-1]
        assert segment_count(body) <= 3
        assert sms_encoding(body) == "GSM-7"
        if not body.endswith(MORE_SUFFIX):
            pieces.append(body)
            break
        piece = body[: -len(MORE_SUFFIX)].strip()
        assert piece.endswith("."), "cut at a sentence boundary"
        pieces.append(piece)
        status, _ = await sms.text("more")
        assert status == 200
    assert len(pieces) > 1
    assert " ".join(pieces) == LONG_ANSWER
    assert sms.bot.texts == ["long"], "MORE is answered by the channel, not the bot"

    # with nothing left to send, MORE goes to the bot like any other text
    await sms.text("MORE")
    assert sms.bot.texts[-1] == "MORE"


async def test_welsh_reply_is_ucs2_and_still_at_most_three_segments(sms: Sms) -> None:
    welsh = " ".join(["Mae'r cyngor yn cadw cofnodion am eich teulu, gan gynnwys ŵyr ac wyresau."] * 6)
    sms.bot.reply = lambda m: [{"text": welsh}]
    await sms.text("cymraeg")

    body = sms.twilio.bodies[-1]
    assert sms_encoding(body) == "UCS-2"
    assert segment_count(body) == 3
    assert body.endswith(MORE_SUFFIX)
    assert "ŵyr" in body, "Welsh letters are sent as written"


async def test_a_short_reply_is_sent_whole_without_more(sms: Sms) -> None:
    text = "x" * 150 + " The end."
    sms.bot.reply = lambda m: [{"text": text}]
    await sms.text("short")
    assert sms.twilio.bodies == [text]


async def test_all_bot_messages_of_a_turn_go_out_as_one_text_in_order(sms: Sms) -> None:
    sms.bot.reply = lambda m: [
        {"text": "First, the answer."},
        {"text": "See [our privacy notice](https://www.example.gov.uk/privacy)."},
        {"image": "https://www.example.gov.uk/chart.png"},
    ]
    await sms.text("hello")
    assert sms.twilio.bodies == [
        "First, the answer.\n\nSee our privacy notice: https://www.example.gov.uk/privacy.\n\n"
        "https://www.example.gov.uk/chart.png"
    ]


async def test_a_message_marked_to_go_alone_is_its_own_text_before_the_rest_of_the_turn(sms: Sms) -> None:
    """The crisis numbers (utter_crisis's SMS variant: custom sms_alone) arrive in one text of their own, first."""
    from bot.content.loader import REPO_ROOT

    responses = yaml.safe_load((REPO_ROOT / "data" / "responses" / "messages.yml").read_text())["responses"]
    crisis = responses["utter_crisis"]
    sms_variant = next(v for v in crisis if v.get("channel") == "sms")
    sms.bot.reply = lambda m: [dict(sms_variant), {"text": "I am still here when you are safe."}]
    await sms.text("he is hitting me")
    assert sms.twilio.bodies == [sms_variant["text"], "I am still here when you are safe."]
    assert "999" in sms.twilio.bodies[0] and segment_count(sms.twilio.bodies[0]) == 1


async def test_curly_quotes_are_sent_as_straight_ones_to_stay_gsm7(sms: Sms) -> None:
    sms.bot.reply = lambda m: [{"text": "We can\u2019t share it \u2014 it\u2019s \u201cyours\u201d."}]
    await sms.text("hello")
    assert sms.twilio.bodies == ["We can't share it - it's \"yours\"."]


# -- keywords -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keyword", ["STOP", "stop", " Stop ", "STOPALL", "UNSUBSCRIBE", "cancel", "END", "quit", "revoke", "OPTOUT"]
)
async def test_stop_keywords_opt_out_and_nothing_more_is_sent(sms: Sms, keyword: str) -> None:
    status, _ = await sms.text(keyword)
    assert status == 200
    assert sms.bot.received == []
    assert sms.twilio.sent == []
    assert await sms.channel.state.optouts.is_opted_out(sms.sender_id())

    await sms.text("Are you still there?")
    await sms.text("HELP")
    assert sms.bot.received == []
    assert sms.twilio.sent == []

    # a proactive message (e.g. a reminder) is not sent either
    await sms.channel.get_output_channel().send_response(sms.sender_id(), {"text": "Reminder"})
    assert sms.twilio.sent == []


@pytest.mark.parametrize("keyword", ["START", "unstop", "Yes"])
async def test_start_keywords_opt_back_in(sms: Sms, keyword: str) -> None:
    await sms.text("STOP")
    await sms.text(keyword)
    assert sms.bot.received == [], "the keyword itself is not a conversation turn"
    assert sms.twilio.sent == [], "Twilio sends the opt-in confirmation itself"
    assert not await sms.channel.state.optouts.is_opted_out(sms.sender_id())

    await sms.text("hello")
    assert sms.bot.texts == ["hello"]
    assert sms.twilio.bodies == ["You said: hello"]


async def test_yes_is_ordinary_text_when_not_opted_out(sms: Sms) -> None:
    await sms.text("yes")
    assert sms.bot.texts == ["yes"]


async def test_keywords_are_whole_message_only(sms: Sms) -> None:
    await sms.text("please stop sharing my data")
    await sms.text("I need help")
    assert sms.bot.texts == ["please stop sharing my data", "I need help"]
    assert not await sms.channel.state.optouts.is_opted_out(sms.sender_id())


@pytest.mark.parametrize("keyword", ["HELP", "help", "Info"])
async def test_help_gets_the_fixed_help_text(sms: Sms, keyword: str) -> None:
    await sms.text(keyword)
    assert sms.bot.received == []
    assert len(sms.twilio.bodies) == 1
    help_text = sms.twilio.bodies[0]
    assert "Parent Data Assistant" in help_text
    assert "Example Borough Council" in help_text
    assert "0300 123 4567" in help_text
    assert segment_count(help_text) == 1


def test_help_text_defaults_to_the_council_file(fake_twilio: FakeTwilio, tmp_path: Any) -> None:
    council = tmp_path / "council.yml"
    council.write_text(
        "name: Testshire Council\ncontact:\n  name: the Data Team\n  phone: 01632 960001\n", encoding="utf-8"
    )
    block = credentials(fake_twilio, council_name=None, council_contact=None, council_file=str(council))
    help_text = SmsInput.from_credentials(block).settings.help_text
    assert help_text.startswith("Parent Data Assistant from Testshire Council.")
    assert "call the Data Team on 01632 960001" in help_text


def test_default_help_text_from_the_repositorys_council_register(fake_twilio: FakeTwilio) -> None:
    import yaml

    council_file = Path(__file__).resolve().parents[2] / "content" / "council.yml"
    council = yaml.safe_load(council_file.read_text(encoding="utf-8"))
    block = credentials(fake_twilio, council_name=None, council_contact=None, council_file=str(council_file))
    help_text = SmsInput.from_credentials(block).settings.help_text
    assert council["name"] in help_text
    assert council["contact"]["phone"] in help_text
    assert "Parent Data Assistant" in help_text


# -- Twilio WhatsApp senders ------------------------------------------------------------------------------


async def test_twilio_whatsapp_sender_is_answered_at_the_same_address(sms: Sms) -> None:
    address = f"whatsapp:{PARENT_NUMBER}"
    long_text = " ".join(["Records are kept safe and only shared when the law allows it."] * 40)
    sms.bot.reply = lambda m: [{"text": long_text}]

    await sms.text("hello", sender=address)

    message = sms.bot.received[0]
    assert message.metadata["transport"] == "whatsapp"
    assert message.sender_id == opaque_sender_id(SENDER_SECRET, "sms", address)
    assert message.sender_id != sms.sender_id(PARENT_NUMBER)
    assert len(sms.twilio.sent) == 2, "split at Twilio's 1600-character WhatsApp limit, no MORE"
    for sent in sms.twilio.sent:
        assert sent["To"] == address
        assert sent["From"] == f"whatsapp:{TWILIO_NUMBER}"
        assert len(sent["Body"]) <= 1600
    assert " ".join(sms.twilio.bodies) == long_text


# -- proactive messages, failures -----------------------------------------------------------------------------


async def test_output_channel_for_proactive_messages(sms: Sms) -> None:
    await sms.text("hello")
    output = sms.channel.get_output_channel()
    await output.send_response(
        sms.bot.received[0].sender_id,
        {"text": "Your request has been answered.", "buttons": [{"title": "Read it", "payload": "/read"}]},
    )
    assert sms.twilio.bodies[-1] == "Your request has been answered.\n\nReply 1 for Read it"
    await sms.text("1")
    assert sms.bot.texts[-1] == "/read"


async def test_a_failing_turn_gets_a_kind_apology_not_a_500(sms: Sms) -> None:
    sms.bot.fail_with = RuntimeError("action server down")
    status, _ = await sms.text("hello")
    assert status == 200
    assert sms.twilio.bodies == [gsm_friendly(fault_message("sms")["text"])]


async def test_a_reply_twilio_fails_to_take_is_sent_again(sms_factory: Any, caplog) -> None:
    sms = await sms_factory(send_retry_wait_seconds="0.01")
    sms.twilio.fail_status, sms.twilio.fail_times = 500, 2
    await sms.text("hello")
    assert sms.twilio.bodies == ["You said: hello"]  # the third try went through
    assert len(sms.twilio.paths) == 3
    assert "UNDELIVERED" not in caplog.text


async def test_a_reply_that_cannot_be_delivered_is_logged_redacted_not_retried_when_refused(
    sms_factory: Any, caplog
) -> None:
    sms = await sms_factory(send_retry_wait_seconds="0.01")
    sms.twilio.fail_status = 503
    await sms.text("hello")
    assert len(sms.twilio.paths) == 3 and sms.twilio.bodies == []
    line = next(r.getMessage() for r in caplog.records if "UNDELIVERED" in r.getMessage())
    assert "3 tries" in line and "HTTP 503" in line and sms.sender_id() in line
    assert PARENT_NUMBER not in caplog.text

    sms.twilio.fail_status = 400  # a refusal that will not pass: tried once
    await sms.text("hello again")
    assert len(sms.twilio.paths) == 3 + 1


async def test_twilio_refusing_a_message_does_not_break_the_webhook(sms: Sms) -> None:
    sms.twilio.fail_status = 400
    status, _ = await sms.text("hello")
    assert status == 200
    assert sms.bot.texts == ["hello"]


# -- bad input ----------------------------------------------------------------------------------------------


async def test_huge_body_is_413(sms: Sms) -> None:
    params = inbound("a" * 200_000)
    status, _ = await sms.post(params)
    assert status == 413
    assert sms.bot.received == []


async def test_body_that_is_not_utf8_is_400(sms: Sms) -> None:
    status, _ = await sms.post({}, body=b"Body=\xff\xfe&From=%2B44", signature="abc")
    assert status == 400


async def test_json_instead_of_a_form_is_415(sms: Sms) -> None:
    status, _ = await sms.post({}, body=b'{"Body": "hi"}', content_type="application/json", signature="abc")
    assert status == 415
    assert sms.bot.received == []


async def test_signed_but_without_from_is_400(sms: Sms) -> None:
    params = inbound("hello")
    del params["From"]
    status, _ = await sms.post(params)
    assert status == 400
    assert sms.bot.received == []


async def test_control_characters_are_removed_and_emoji_and_welsh_kept(sms: Sms) -> None:
    status, _ = await sms.text("Helo\x00\x07 ŵyr\u202e 👨‍👩‍👧 \x1b[31mred")
    assert status == 200
    assert sms.bot.texts == ["Helo ŵyr 👨‍👩‍👧 [31mred"]


@pytest.mark.parametrize(
    "text", ["'; DROP TABLE consents; --", "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}"]
)
async def test_injection_strings_are_just_text(sms: Sms, text: str) -> None:
    status, _ = await sms.text(text)
    assert status == 200
    assert sms.bot.texts == [text]


async def test_an_empty_or_media_only_message_gets_a_kind_reply(sms: Sms) -> None:
    await sms.text("")
    await sms.text(None, NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1")
    assert sms.bot.received == []
    assert sms.twilio.bodies == [
        "Sorry, that message was empty. Please type your question.",
        "Sorry, I can only read text. Please type your question in a text message.",
    ]


async def test_a_very_long_body_is_capped(sms: Sms) -> None:
    await sms.text("word " * 1000)
    assert len(sms.bot.texts[0]) <= 1600


async def test_health_route(sms: Sms) -> None:
    async with sms.http.get(f"{sms.base}/webhooks/sms/") as reply:
        assert reply.status == 200
        assert await reply.json() == {"status": "ok"}


# -- configuration ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["account_sid", "auth_token", "sender_id_secret"])
def test_missing_credentials_are_a_clear_error(fake_twilio: FakeTwilio, missing: str) -> None:
    with pytest.raises(ChannelConfigError, match=missing):
        SmsInput.from_credentials(credentials(fake_twilio, **{missing: None}))


def test_a_sender_number_or_messaging_service_is_required(fake_twilio: FakeTwilio) -> None:
    with pytest.raises(ChannelConfigError, match="twilio_number"):
        SmsInput.from_credentials(credentials(fake_twilio, twilio_number=None))
    channel = SmsInput.from_credentials(credentials(fake_twilio, twilio_number=None, messaging_service_sid="MG1"))
    assert channel.settings.messaging_service_sid == "MG1"


def test_numbers_from_environment_strings_are_parsed(fake_twilio: FakeTwilio) -> None:
    channel = SmsInput.from_credentials(credentials(fake_twilio, max_segments="2", reply_wait_seconds="2.5"))
    assert channel.settings.max_segments == 2
    assert channel.settings.reply_wait_seconds == 2.5
    with pytest.raises(ChannelConfigError, match="max_segments"):
        SmsInput.from_credentials(credentials(fake_twilio, max_segments="three"))


async def test_messaging_service_is_used_to_send_when_configured(sms_factory: Any) -> None:
    sms = await sms_factory(twilio_number=None, messaging_service_sid="MG" + "1" * 32)
    await sms.text("hello")
    assert sms.twilio.sent == [{"To": PARENT_NUMBER, "MessagingServiceSid": "MG" + "1" * 32, "Body": "You said: hello"}]


# -- Redis --------------------------------------------------------------------------------------------------


async def test_with_redis_two_instances_share_dedupe_choices_and_opt_outs(sms_factory: Any) -> None:
    if not await redis_available():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"pda-test-{next_id('')}:"
    first = await sms_factory(redis_url="redis://127.0.0.1:6379/15", redis_prefix=prefix)
    second = await sms_factory(redis_url="redis://127.0.0.1:6379/15", redis_prefix=prefix)
    first.bot.reply = consent_bot

    params = inbound("choices")
    await first.post(params)
    await second.post(params)  # Twilio's retry lands on the other instance
    assert first.bot.texts == ["choices"]

    await second.text("3")  # the offer made by the first instance is found by the second
    assert first.bot.texts[-1] == "/explain"

    await first.text("STOP")
    await second.text("hello")
    assert first.bot.texts[-1] == "/explain"
    assert await second.channel.state.optouts.is_opted_out(second.sender_id())
    await second.text("START")
    assert not await first.channel.state.optouts.is_opted_out(first.sender_id())
    assert re.fullmatch(r"sms-[0-9a-f]{32}", first.bot.received[0].sender_id)


async def test_redis_down_is_503_so_twilio_retries(sms_factory: Any) -> None:
    sms = await sms_factory(redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    status, _ = await sms.text("hello")
    assert status == 503
    assert sms.bot.received == []


async def test_a_slow_turn_answers_twilio_at_once_and_replies_when_ready(sms_factory: Any) -> None:
    sms = await sms_factory(reply_wait_seconds="0.2")
    sms.bot.delay_seconds = 1.0
    status, _ = await sms.text("slow question")
    assert status == 200
    assert sms.twilio.sent == []  # Twilio got its answer before the slow turn finished
    await sms.channel.runner.wait_idle()
    assert sms.twilio.bodies == ["You said: slow question"]


async def test_stop_ends_consent_reviews_to_that_number_and_deletes_it(sms: Sms, tmp_path, monkeypatch) -> None:
    from sqlalchemy import select

    from bot.records import reviews, service
    from bot.records.db import dispose_engine, migrate, session_scope
    from bot.records.models import AuditEntry, Family, ReviewSubscription

    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(url)
    with session_scope() as session:
        service.seed_demo(session)
        ids = dict(session.execute(select(Family.reference, Family.public_id)).all())
        for reference, number in (("DEMO-1002", PARENT_NUMBER), ("DEMO-1003", "+447700900999")):
            reviews.subscribe(session, family_id=ids[reference], channel="sms", number=number, interval_months=12,
                              conversation_id="c", via="web")
    status, _ = await sms.text("STOP")
    assert status == 200 and sms.twilio.sent == []
    with session_scope() as session:
        left = session.execute(select(ReviewSubscription.family_id)).scalars().all()
        stopped = session.execute(
            select(AuditEntry.actor).where(AuditEntry.action == "reviews.stopped")
        ).scalars().all()
    assert len(left) == 1  # the other family's number is untouched
    assert stopped == ["system:sms-stop"]
    dispose_engine(url)
