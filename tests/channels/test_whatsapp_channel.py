"""The WhatsApp Cloud API channel, end to end over HTTP on loopback: Meta's verification handshake,
posts signed like Meta signs them (HMAC-SHA256 of the raw body) and forged, message types, statuses,
retries, and what the fake Graph API receives."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from channel_fakes import (
    META_ACCESS_TOKEN,
    META_APP_SECRET,
    META_VERIFY_TOKEN,
    PARENT_WA_ID,
    PHONE_NUMBER_ID,
    SENDER_SECRET,
    FakeBot,
    FakeGraph,
    next_id,
    redis_available,
    serve_channel,
)

from bot.channels.credentials import ChannelConfigError
from bot.channels.fault_reply import fault_message
from bot.channels.identity import opaque_sender_id
from bot.channels.whatsapp import WhatsAppInput, parse_webhook
from bot.privacy.sealing import unseal

API_VERSION = "v21.0"


def credentials(graph: FakeGraph, **overrides: Any) -> dict[str, Any]:
    block = {
        "verify_token": META_VERIFY_TOKEN,
        "app_secret": META_APP_SECRET,
        "access_token": META_ACCESS_TOKEN,
        "phone_number_id": PHONE_NUMBER_ID,
        "sender_id_secret": SENDER_SECRET,
        "api_version": API_VERSION,
        "graph_base_url": graph.base_url,
    }
    block.update(overrides)
    return {k: v for k, v in block.items() if v is not None}


def envelope(*messages: dict[str, Any], statuses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A webhook post as Meta sends it (one entry, one change)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "447700900000", "phone_number_id": PHONE_NUMBER_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "A Parent"}, "wa_id": PARENT_WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"value": value, "field": "messages"}]}],
    }


def text_message(body: str, message_id: str | None = None, sender: str = PARENT_WA_ID) -> dict[str, Any]:
    return {
        "from": sender,
        "id": message_id or next_id("wamid."),
        "timestamp": "1764072000",
        "type": "text",
        "text": {"body": body},
    }


def interactive_reply(kind: str, reply_id: str, title: str) -> dict[str, Any]:
    reply = {"id": reply_id, "title": title}
    if kind == "list_reply":
        reply["description"] = "A row description"
    return {
        "context": {"from": "447700900000", "id": next_id("wamid.")},
        "from": PARENT_WA_ID,
        "id": next_id("wamid."),
        "timestamp": "1764072000",
        "type": "interactive",
        "interactive": {"type": kind, kind: reply},
    }


def meta_signature(body: bytes, secret: str = META_APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class WhatsApp:
    http: aiohttp.ClientSession
    base: str
    channel: WhatsAppInput
    bot: FakeBot
    graph: FakeGraph

    @property
    def url(self) -> str:
        return f"{self.base}/webhooks/whatsapp/webhook"

    async def post_raw(self, body: bytes, signature: str | None = "auto", **headers: str) -> tuple[int, str]:
        headers = {"Content-Type": "application/json", **headers}
        if signature == "auto":
            signature = meta_signature(body)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with self.http.post(self.url, data=body, headers=headers) as reply:
            return reply.status, await reply.text()

    async def post(self, payload: Any, **kwargs: Any) -> tuple[int, str]:
        return await self.post_raw(json.dumps(payload).encode(), **kwargs)

    async def say(self, text: str, **kwargs: Any) -> tuple[int, str]:
        return await self.post(envelope(text_message(text, **kwargs)))

    @property
    def sender_id(self) -> str:
        return opaque_sender_id(SENDER_SECRET, "whatsapp", PARENT_WA_ID)


@pytest.fixture
async def whatsapp_factory(http: aiohttp.ClientSession, bot: FakeBot, fake_graph: FakeGraph) -> AsyncIterator[Any]:
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> WhatsApp:
            channel = WhatsAppInput.from_credentials(credentials(fake_graph, **overrides))
            base = await stack.enter_async_context(serve_channel(channel, bot))
            return WhatsApp(http, base, channel, bot, fake_graph)

        yield make


@pytest.fixture
async def wa(whatsapp_factory: Any) -> WhatsApp:
    return await whatsapp_factory()


# -- verification handshake ---------------------------------------------------------------------------


async def test_verification_get_echoes_the_challenge(wa: WhatsApp) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1158201444"}
    async with wa.http.get(wa.url, params=query) as reply:
        assert reply.status == 200
        assert await reply.text() == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN},
        {},
    ],
)
async def test_verification_get_refuses_anything_else(wa: WhatsApp, query: dict[str, str]) -> None:
    async with wa.http.get(wa.url, params=query) as reply:
        assert reply.status == 403


# -- signatures -----------------------------------------------------------------------------------------


async def test_signed_text_reaches_the_bot_and_the_reply_is_a_well_formed_graph_call(wa: WhatsApp) -> None:
    status, body = await wa.say("How long do you keep records?")

    assert status == 200
    assert json.loads(body)["status"] == "ok"
    assert wa.bot.texts == ["How long do you keep records?"]
    message = wa.bot.received[0]
    assert message.sender_id == wa.sender_id
    assert PARENT_WA_ID not in message.sender_id
    assert message.input_channel == "whatsapp"
    assert message.metadata["channel"] == "whatsapp"
    assert PARENT_WA_ID not in str(message.metadata) and unseal(message.metadata["reply_to"]) == PARENT_WA_ID
    assert wa.graph.paths == [f"/{API_VERSION}/{PHONE_NUMBER_ID}/messages"]
    assert wa.graph.auth_headers == [f"Bearer {META_ACCESS_TOKEN}"]
    assert wa.graph.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": PARENT_WA_ID,
            "type": "text",
            "text": {"preview_url": False, "body": "You said: How long do you keep records?"},
        }
    ]


@pytest.mark.parametrize(
    "forgery", ["wrong secret", "body changed", "missing header", "no sha256= prefix", "sha1 header", "not hex"]
)
async def test_forged_posts_get_403_and_reach_nobody(wa: WhatsApp, forgery: str) -> None:
    body = json.dumps(envelope(text_message("Show me my records"))).encode()
    if forgery == "wrong secret":
        status, _ = await wa.post_raw(body, signature=meta_signature(body, "another-app-secret"))
    elif forgery == "body changed":
        changed = body.replace(b"Show me my records", b"Show me all records")
        status, _ = await wa.post_raw(changed, signature=meta_signature(body))
    elif forgery == "missing header":
        status, _ = await wa.post_raw(body, signature=None)
    elif forgery == "no sha256= prefix":
        status, _ = await wa.post_raw(body, signature=meta_signature(body).removeprefix("sha256="))
    elif forgery == "sha1 header":
        sha1 = "sha1=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha1).hexdigest()
        status, _ = await wa.post_raw(body, signature=None, **{"X-Hub-Signature": sha1})
    else:
        status, _ = await wa.post_raw(body, signature="sha256=" + "zz" * 32)

    assert status == 403
    assert wa.bot.received == []
    assert wa.graph.sent == []


async def test_signature_is_over_the_raw_bytes_not_reserialised_json(wa: WhatsApp) -> None:
    # Meta signs the bytes it sends; the same JSON with other spacing or escapes has another signature
    body = b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",'
    body += b'"value":{"metadata":{"phone_number_id":"' + PHONE_NUMBER_ID.encode() + b'"},'
    body += b'"messages":[{"from":"' + PARENT_WA_ID.encode() + b'","id":"wamid.raw1","type":"text",'
    body += b'"text":{"body":"Caf\\u00e9 \\u0175"}}]}}]}]}'
    status, _ = await wa.post_raw(body)
    assert status == 200
    assert wa.bot.texts == ["Café ŵ"]


# -- message types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["button_reply", "list_reply"])
async def test_button_and_list_replies_send_the_reply_id_as_payload(wa: WhatsApp, kind: str) -> None:
    status, _ = await wa.post(envelope(interactive_reply(kind, "/consent_no", "No thanks")))
    assert status == 200
    assert wa.bot.texts == ["/consent_no"]
    assert wa.bot.received[0].metadata["choice"] == {"title": "No thanks"}


async def test_template_quick_reply_button_sends_its_payload(wa: WhatsApp) -> None:
    message = {
        "from": PARENT_WA_ID,
        "id": next_id("wamid."),
        "type": "button",
        "button": {"payload": "/see_my_data", "text": "See my data"},
    }
    await wa.post(envelope(message))
    assert wa.bot.texts == ["/see_my_data"]


async def test_statuses_are_ignored(wa: WhatsApp) -> None:
    statuses = [
        {"id": "wamid.out1", "status": status, "timestamp": "1764072000", "recipient_id": PARENT_WA_ID}
        for status in ("sent", "delivered", "read")
    ]
    status, body = await wa.post(envelope(statuses=statuses))
    assert status == 200
    assert json.loads(body) == {"status": "ok", "messages": 0, "statuses_ignored": 3}
    assert wa.bot.received == []
    assert wa.graph.sent == []


async def test_a_retried_message_id_is_processed_once(wa: WhatsApp) -> None:
    payload = envelope(text_message("hello", message_id="wamid.retry-1"))
    results = [await wa.post(payload) for _ in range(3)]
    assert [status for status, _ in results] == [200, 200, 200]
    assert wa.bot.texts == ["hello"]
    assert len(wa.graph.sent) == 1


async def test_several_messages_in_one_post_keep_their_order(wa: WhatsApp) -> None:
    await wa.post(envelope(text_message("first"), text_message("second"), text_message("third")))
    assert wa.bot.texts == ["first", "second", "third"]
    assert [m["text"]["body"] for m in wa.graph.sent] == [f"You said: {t}" for t in ("first", "second", "third")]


async def test_media_gets_a_kind_reply_and_reactions_are_ignored(wa: WhatsApp) -> None:
    image = {"from": PARENT_WA_ID, "id": next_id("wamid."), "type": "image", "image": {"id": "1", "mime_type": "x"}}
    reaction = {
        "from": PARENT_WA_ID,
        "id": next_id("wamid."),
        "type": "reaction",
        "reaction": {"message_id": "wamid.out1", "emoji": "👍"},
    }
    await wa.post(envelope(image, reaction))
    assert wa.bot.received == []
    assert [m["text"]["body"] for m in wa.graph.sent] == [
        "Sorry, I can only read text and button replies. Please type your question."
    ]


async def test_messages_for_another_phone_number_id_are_ignored(wa: WhatsApp) -> None:
    payload = envelope(text_message("hello"))
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    status, _ = await wa.post(payload)
    assert status == 200
    assert wa.bot.received == []


# -- sending ---------------------------------------------------------------------------------------------------


def buttons(*titles: str) -> list[dict[str, str]]:
    return [{"title": title, "payload": f"/choose_{n}"} for n, title in enumerate(titles, start=1)]


async def test_long_text_is_split_at_4096(wa: WhatsApp) -> None:
    long_text = " ".join(f"Sentence {n} about how records are linked." for n in range(200))
    assert 2 * 4096 < len(long_text) < 3 * 4000
    wa.bot.reply = lambda m: [{"text": long_text}]
    await wa.say("tell me everything")

    bodies = [m["text"]["body"] for m in wa.graph.sent]
    assert len(bodies) == 3
    assert all(len(b) <= 4096 for b in bodies)
    assert all(b.endswith(".") for b in bodies)
    assert " ".join(bodies) == long_text


async def test_up_to_three_short_choices_are_reply_buttons(wa: WhatsApp) -> None:
    wa.bot.reply = lambda m: [{"text": "Can we share your records?", "buttons": buttons("Yes", "No", "Tell me more")}]
    await wa.say("consent")

    assert wa.graph.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": PARENT_WA_ID,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Can we share your records?"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "/choose_1", "title": "Yes"}},
                        {"type": "reply", "reply": {"id": "/choose_2", "title": "No"}},
                        {"type": "reply", "reply": {"id": "/choose_3", "title": "Tell me more"}},
                    ]
                },
            },
        }
    ]
    # typing the number instead of tapping works too
    await wa.say("2")
    assert wa.bot.texts[-1] == "/choose_2"


async def test_a_button_title_over_20_characters_falls_back_to_a_list(wa: WhatsApp) -> None:
    wa.bot.reply = lambda m: [{"text": "Pick one", "buttons": buttons("Yes", "No, please do not share")}]
    await wa.say("consent")
    interactive = wa.graph.sent[0]["interactive"]
    assert interactive["type"] == "list"
    assert [row["title"] for row in interactive["action"]["sections"][0]["rows"]] == ["Yes", "No, please do not share"]


async def test_four_short_choices_are_a_list_not_buttons(wa: WhatsApp) -> None:
    wa.bot.reply = lambda m: [{"text": "Pick one", "buttons": buttons("A", "B", "C", "D")}]
    await wa.say("menu")
    assert wa.graph.sent[0]["interactive"]["type"] == "list"


async def test_up_to_ten_choices_are_a_list_message_with_rows_of_at_most_24(wa: WhatsApp) -> None:
    titles = [f"Option {n}" for n in range(1, 10)] + ["Records kept about my children at school"]
    wa.bot.reply = lambda m: [{"text": "What would you like to know?", "buttons": buttons(*titles)}]
    await wa.say("menu")

    message = wa.graph.sent[0]
    assert message["type"] == "interactive"
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "What would you like to know?"}
    action = interactive["action"]
    assert 0 < len(action["button"]) <= 20
    rows = action["sections"][0]["rows"]
    assert [row["id"] for row in rows] == [f"/choose_{n}" for n in range(1, 11)]
    assert all(len(row["title"]) <= 24 for row in rows)
    assert rows[-1]["title"].endswith("…")
    assert rows[-1]["description"] == "Records kept about my children at school"
    assert all(len(row.get("description", "")) <= 72 for row in rows)


async def test_more_than_ten_choices_are_numbered_text(wa: WhatsApp) -> None:
    titles = [f"Topic {n}" for n in range(1, 13)]
    wa.bot.reply = lambda m: (
        [{"text": "Topics:", "buttons": buttons(*titles)}] if m.text == "topics" else [{"text": "ok"}]
    )
    await wa.say("topics")
    body = wa.graph.sent[0]["text"]["body"]
    assert body.startswith("Topics:\n\nReply 1 for Topic 1\n")
    assert body.endswith("Reply 12 for Topic 12")
    await wa.say("12")
    assert wa.bot.texts[-1] == "/choose_12"


async def test_an_interactive_body_over_1024_is_sent_as_text_first(wa: WhatsApp) -> None:
    long_text = "Records. " * 200
    wa.bot.reply = lambda m: [{"text": long_text, "buttons": buttons("Yes", "No")}]
    await wa.say("consent")
    assert wa.graph.sent[0]["type"] == "text"
    assert wa.graph.sent[1]["interactive"]["body"] == {"text": "Please choose one:"}


async def test_markdown_links_become_title_colon_url(wa: WhatsApp) -> None:
    wa.bot.reply = lambda m: [{"text": "Read **the notice**: [privacy notice](https://www.example.gov.uk/privacy)"}]
    await wa.say("privacy")
    text = wa.graph.sent[0]["text"]
    assert text["body"] == "Read the notice: privacy notice: https://www.example.gov.uk/privacy"
    assert text["preview_url"] is True


async def test_custom_whatsapp_payload_and_images(wa: WhatsApp) -> None:
    native = {"type": "location", "location": {"latitude": 51.5, "longitude": -0.1, "name": "Town Hall"}}
    wa.bot.reply = lambda m: [{"custom": {"whatsapp": native}}, {"image": "https://www.example.gov.uk/a.png"}]
    await wa.say("where")
    assert wa.graph.sent[0]["type"] == "location"
    assert wa.graph.sent[0]["to"] == PARENT_WA_ID
    assert wa.graph.sent[1]["image"] == {"link": "https://www.example.gov.uk/a.png"}


async def test_a_failing_turn_gets_a_kind_apology(wa: WhatsApp) -> None:
    wa.bot.fail_with = RuntimeError("tracker store down")
    status, _ = await wa.say("hello")
    assert status == 200
    assert [m["text"]["body"] for m in wa.graph.sent] == [fault_message("whatsapp")["text"]]


async def test_a_reply_the_graph_api_fails_to_take_is_sent_again_then_logged(whatsapp_factory: Any, caplog) -> None:
    wa = await whatsapp_factory(send_retry_wait_seconds="0.01")
    wa.graph.fail_status, wa.graph.fail_times = 500, 1
    await wa.say("hello")
    assert [m["text"]["body"] for m in wa.graph.sent] == ["You said: hello"]
    assert len(wa.graph.paths) == 2
    wa.graph.fail_status, wa.graph.fail_times = 500, None
    await wa.say("hello again")
    assert len(wa.graph.paths) == 5
    line = next(r.getMessage() for r in caplog.records if "UNDELIVERED" in r.getMessage())
    assert "WhatsApp reply" in line and "3 tries" in line and "HTTP 500" in line


async def test_graph_api_errors_do_not_break_the_webhook(whatsapp_factory: Any) -> None:
    wa = await whatsapp_factory(send_retry_wait_seconds="0.01")
    wa.graph.fail_status = 500
    status, _ = await wa.say("hello")
    assert status == 200
    assert wa.bot.texts == ["hello"]


async def test_proactive_output_channel(wa: WhatsApp) -> None:
    await wa.say("hello")
    await wa.channel.get_output_channel().send_response(wa.sender_id, {"text": "Your request is ready."})
    assert wa.graph.sent[-1]["text"]["body"] == "Your request is ready."


# -- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe\x00", b"", b"[" * 100_000 + b"]" * 100_000],
    ids=["malformed", "not utf-8", "empty", "deeply nested"],
)
async def test_malformed_signed_json_is_400(wa: WhatsApp, body: bytes) -> None:
    status, _ = await wa.post_raw(body)
    assert status == 400
    assert wa.bot.received == []


async def test_json_that_is_not_an_object_is_400(wa: WhatsApp) -> None:
    status, _ = await wa.post(["entry"])
    assert status == 400


async def test_huge_body_is_413(wa: WhatsApp) -> None:
    status, _ = await wa.say("a" * 400_000)
    assert status == 413
    assert wa.bot.received == []


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": "not a list"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": None}]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"messages": [1, "x", None]}}]}]},
        envelope({"from": PARENT_WA_ID, "type": "text", "text": {"body": "no id"}}),
        envelope({"from": PARENT_WA_ID, "id": "wamid.x1", "type": "text", "text": "not an object"}),
        envelope({"from": ["list"], "id": "wamid.x2", "type": "text", "text": {"body": "bad sender"}}),
    ],
    ids=["other object", "entry string", "value null", "junk messages", "no id", "text string", "bad sender"],
)
async def test_odd_shapes_are_answered_200_without_a_crash(wa: WhatsApp, payload: Any) -> None:
    status, _ = await wa.post(payload)
    assert status == 200
    assert all(m.text for m in wa.bot.received), "nothing empty reaches the bot"


async def test_control_characters_lone_surrogates_and_emoji(wa: WhatsApp) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{'
    body += b'"messages":[{"from":"' + PARENT_WA_ID.encode() + b'","id":"wamid.odd1","type":"text",'
    body += b'"text":{"body":"Helo\\u0000 \\ud800\\u202e\\u0175yr \\ud83d\\udc4d"}}]}}]}]}'
    status, _ = await wa.post_raw(body)
    assert status == 200
    assert wa.bot.texts == ["Helo ŵyr 👍"]
    assert wa.graph.sent[0]["text"]["body"] == "You said: Helo ŵyr 👍"


async def test_an_empty_text_gets_a_kind_reply(wa: WhatsApp) -> None:
    await wa.say("   \x00  ")
    assert wa.bot.received == []
    assert wa.graph.sent[0]["text"]["body"] == "Sorry, that message was empty. Please type your question."


# -- parsing and configuration ------------------------------------------------------------------------------


def test_parse_webhook_reads_every_entry_and_change() -> None:
    first = envelope(text_message("a"), statuses=[{"id": "x", "status": "read"}])
    second = envelope(interactive_reply("list_reply", "/row_2", "Row 2"))
    data = {"object": "whatsapp_business_account", "entry": first["entry"] + second["entry"]}
    messages, statuses = parse_webhook(data)
    assert [(m.kind, m.text) for m in messages] == [("text", "a"), ("payload", "/row_2")]
    assert statuses == 1


@pytest.mark.parametrize(
    "missing", ["verify_token", "app_secret", "access_token", "phone_number_id", "sender_id_secret"]
)
def test_missing_credentials_are_a_clear_error(fake_graph: FakeGraph, missing: str) -> None:
    with pytest.raises(ChannelConfigError, match=missing):
        WhatsAppInput.from_credentials(credentials(fake_graph, **{missing: None}))


def test_list_button_label_longer_than_20_is_refused(fake_graph: FakeGraph) -> None:
    with pytest.raises(ChannelConfigError, match="list_button_label"):
        WhatsAppInput.from_credentials(credentials(fake_graph, list_button_label="Choose from these options"))


async def test_with_redis_a_retry_on_another_instance_is_dropped(whatsapp_factory: Any) -> None:
    if not await redis_available():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"pda-test-{next_id('')}:"
    first = await whatsapp_factory(redis_url="redis://127.0.0.1:6379/15", redis_prefix=prefix)
    second = await whatsapp_factory(redis_url="redis://127.0.0.1:6379/15", redis_prefix=prefix)
    first.bot.reply = lambda m: (
        [{"text": "Pick", "buttons": buttons("Yes", "No")}] if m.text == "consent" else [{"text": "ok"}]
    )
    payload = envelope(text_message("consent"))
    await first.post(payload)
    await second.post(payload)
    assert first.bot.texts == ["consent"]
    await second.say("1")
    assert first.bot.texts[-1] == "/choose_1"


async def test_redis_down_is_503_so_meta_retries(whatsapp_factory: Any) -> None:
    wa = await whatsapp_factory(redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    status, _ = await wa.say("hello")
    assert status == 503
    assert wa.bot.received == []


async def test_a_slow_turn_answers_meta_at_once_and_replies_when_ready(whatsapp_factory: Any) -> None:
    wa = await whatsapp_factory(reply_wait_seconds="0.2")
    wa.bot.delay_seconds = 1.0
    status, _ = await wa.say("slow question")
    assert status == 200
    assert wa.graph.sent == []  # Meta got its answer before the slow turn finished
    await wa.channel.runner.wait_idle()
    assert [m["text"]["body"] for m in wa.graph.sent] == ["You said: slow question"]
