"""WhatsApp through Meta's WhatsApp Cloud API, as a Rasa input channel.

credentials.yml:  bot.channels.whatsapp.WhatsAppInput:  (every key is described in docs/channels.md)
Webhook:          GET and POST /webhooks/whatsapp/webhook  (the Callback URL in the Meta app dashboard)

- GET: Meta's verification handshake (hub.mode=subscribe, hub.verify_token, hub.challenge).
- POST: `X-Hub-Signature-256: sha256=<hex>` must be the HMAC-SHA256 of the raw body with the app secret
  (compared in constant time); otherwise 403. Text messages, reply-button and list replies (the reply id
  is the Rasa payload) and template quick-reply buttons are passed on; delivery statuses are ignored; the
  same message id is processed once. A valid signed post gets 200 at once (Meta retries anything else).
- Replies go to the Graph API with aiohttp: text split at 4096 characters; up to 3 choices as reply
  buttons, up to 10 as a list message, more as numbered text ("Reply 1 for ...").
- Rasa's sender id is an HMAC of the WhatsApp id (see identity.py); the id is kept only in the address
  book, with a TTL, to reply.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import credentials as creds
from bot.channels.choices import Choice, ChoiceStore, choices_from_buttons, with_numbered_choices
from bot.channels.dedupe import Deduplicator
from bot.channels.fault_reply import fault_message, guard
from bot.channels.formatting import clean_inbound_text, split_text, to_plain_text
from bot.channels.identity import AddressBook, opaque_sender_id
from bot.channels.kv import KeyValueStore, StoreUnavailable, close_store_quietly, make_store
from bot.channels.retry import Attempt, record_undelivered, send_with_retries
from bot.channels.turns import TurnRunner
from bot.content.messages import say
from bot.privacy.sealing import seal

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
TEXT_MAX_CHARS = 4096  # WhatsApp text message body
INTERACTIVE_BODY_MAX_CHARS = 1024
BUTTON_TITLE_MAX_CHARS = 20
BUTTON_ID_MAX_CHARS = 256
MAX_BUTTONS = 3
LIST_ROW_TITLE_MAX_CHARS = 24
LIST_ROW_DESCRIPTION_MAX_CHARS = 72
LIST_ROW_ID_MAX_CHARS = 200
LIST_BUTTON_MAX_CHARS = 20
MAX_LIST_ROWS = 10
INBOUND_MAX_CHARS = 4096

DEFAULT_GRAPH_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
DEFAULT_MAX_BODY_BYTES = 256 * 1024

# The channel's own lines (content/messages/<lang>/channels.yml), in English: the channel answers before the
# conversation, so before its language is known.
NOT_TEXT_REPLY = say("channels.not_text", channel=CHANNEL)
EMPTY_REPLY = say("channels.empty", channel=CHANNEL)
CHOOSE_PROMPT = say("channels.choose_one", channel=CHANNEL)

# Message types a parent sends that we cannot read: answered kindly. Others (reactions, system
# notices) are ignored silently.
UNREADABLE_TYPES = frozenset(
    {
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "order",
        "unsupported",
        "voice",
    }
)


@dataclass(frozen=True)
class WhatsAppSettings:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    sender_id_secret: str
    api_version: str = DEFAULT_API_VERSION
    graph_base_url: str = DEFAULT_GRAPH_BASE_URL
    redis_url: str | None = None
    redis_prefix: str = "pda:"
    list_button_label: str = "See options"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    reply_wait_seconds: float = 3.0
    send_timeout_seconds: float = 15.0
    send_tries: int = 3
    send_retry_wait_seconds: float = 1.0
    address_ttl_seconds: int = 24 * 3600
    dedupe_ttl_seconds: int = 7 * 24 * 3600
    choices_ttl_seconds: int = 24 * 3600

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> WhatsAppSettings:
        c = credentials
        label = creds.optional(c, "list_button_label", "See options") or "See options"
        if len(label) > LIST_BUTTON_MAX_CHARS:
            raise creds.ChannelConfigError(
                f"credentials.yml: 'list_button_label' of the whatsapp channel must be at most "
                f"{LIST_BUTTON_MAX_CHARS} characters"
            )
        return cls(
            verify_token=creds.required(c, "verify_token", CHANNEL),
            app_secret=creds.required(c, "app_secret", CHANNEL),
            access_token=creds.required(c, "access_token", CHANNEL),
            phone_number_id=creds.required(c, "phone_number_id", CHANNEL),
            sender_id_secret=creds.required(c, "sender_id_secret", CHANNEL),
            api_version=creds.optional(c, "api_version", DEFAULT_API_VERSION) or DEFAULT_API_VERSION,
            graph_base_url=creds.optional(c, "graph_base_url", DEFAULT_GRAPH_BASE_URL) or DEFAULT_GRAPH_BASE_URL,
            redis_url=creds.optional(c, "redis_url"),
            redis_prefix=creds.optional(c, "redis_prefix", "pda:") or "pda:",
            list_button_label=label,
            max_body_bytes=creds.number(c, "max_body_bytes", DEFAULT_MAX_BODY_BYTES, CHANNEL, minimum=1024),
            reply_wait_seconds=creds.number(c, "reply_wait_seconds", 3.0, CHANNEL, integer=False),
            send_timeout_seconds=creds.number(c, "send_timeout_seconds", 15.0, CHANNEL, minimum=1, integer=False),
            send_tries=creds.number(c, "send_tries", 3, CHANNEL, minimum=1),
            send_retry_wait_seconds=creds.number(c, "send_retry_wait_seconds", 1.0, CHANNEL, integer=False),
            address_ttl_seconds=creds.number(c, "address_ttl_seconds", 24 * 3600, CHANNEL, minimum=60),
            dedupe_ttl_seconds=creds.number(c, "dedupe_ttl_seconds", 7 * 24 * 3600, CHANNEL, minimum=60),
            choices_ttl_seconds=creds.number(c, "choices_ttl_seconds", 24 * 3600, CHANNEL, minimum=60),
        )


# -- parsing the webhook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundMessage:
    """One parent message from a webhook post.

    kind: "text" (typed text), "payload" (a reply button, list row or template button: `text` is the
    payload), "unreadable" (media and the like) or "ignored" (reactions, system notices).
    """

    message_id: str
    wa_id: str
    kind: str
    text: str = ""
    title: str = ""
    message_type: str = ""
    phone_number_id: str | None = None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _parse_message(message: dict[str, Any], phone_number_id: str | None) -> InboundMessage | None:
    message_id, wa_id = _text(message.get("id")), _text(message.get("from"))
    if not message_id or not wa_id or len(message_id) > 512 or len(wa_id) > 64:
        return None
    message_type = _text(message.get("type"))
    base = {
        "message_id": message_id,
        "wa_id": wa_id,
        "message_type": message_type,
        "phone_number_id": phone_number_id,
    }
    if message_type == "text":
        return InboundMessage(kind="text", text=_text(_dict(message.get("text")).get("body")), **base)
    if message_type == "interactive":
        interactive = _dict(message.get("interactive"))
        reply_type = _text(interactive.get("type"))
        if reply_type in ("button_reply", "list_reply"):
            reply = _dict(interactive.get(reply_type))
            return InboundMessage(kind="payload", text=_text(reply.get("id")), title=_text(reply.get("title")), **base)
        return InboundMessage(kind="unreadable", **base)
    if message_type == "button":  # a quick-reply button of a template message
        button = _dict(message.get("button"))
        payload = _text(button.get("payload")) or _text(button.get("text"))
        return InboundMessage(kind="payload", text=payload, title=_text(button.get("text")), **base)
    if message_type in UNREADABLE_TYPES:
        return InboundMessage(kind="unreadable", **base)
    return InboundMessage(kind="ignored", **base)


def parse_webhook(data: Any) -> tuple[list[InboundMessage], int]:
    """The parent messages in a webhook post, and how many delivery statuses it carried (ignored)."""
    messages: list[InboundMessage] = []
    statuses = 0
    for entry in _dicts(_dict(data).get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field") not in (None, "messages"):
                continue
            value = _dict(change.get("value"))
            phone_number_id = _text(_dict(value.get("metadata")).get("phone_number_id")) or None
            statuses += len(_dicts(value.get("statuses")))
            for message in _dicts(value.get("messages")):
                parsed = _parse_message(message, phone_number_id)
                if parsed is not None:
                    messages.append(parsed)
    return messages, statuses


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>` against HMAC-SHA256(app secret, raw body), in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    given = header[len("sha256=") :].strip().lower()
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", errors="replace"))


# -- sending ------------------------------------------------------------------------------------------


class GraphClient:
    """POST {graph_base_url}/{api_version}/{phone_number_id}/messages with the bearer token."""

    def __init__(self, settings: WhatsAppSettings) -> None:
        self._settings = settings

    @property
    def messages_url(self) -> str:
        s = self._settings
        return f"{s.graph_base_url.rstrip('/')}/{s.api_version}/{s.phone_number_id}/messages"

    async def post(self, payload: dict[str, Any], sender_id: str = "", agent: Any = None) -> bool:
        """Send one message; tried again with back-off while the failure may pass (bot/channels/retry.py), and
        recorded in the conversation (with Rasa's `agent`) when it could not be delivered."""
        text = _dict(payload.get("text")).get("body") or f"a {payload.get('type', 'message')} message"
        return await send_with_retries(
            lambda: self._post_once(payload), what="WhatsApp reply", sender_id=sender_id, text=str(text),
            tries=self._settings.send_tries, first_wait_s=self._settings.send_retry_wait_seconds,
            on_undelivered=lambda tries, why: record_undelivered(agent, sender_id, CHANNEL, tries, why),
        )

    async def _post_once(self, payload: dict[str, Any]) -> Attempt:
        s = self._settings
        headers = {"Authorization": f"Bearer {s.access_token}"}
        try:
            timeout = aiohttp.ClientTimeout(total=s.send_timeout_seconds)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(self.messages_url, json=payload, headers=headers) as reply:
                    if reply.status < 300:
                        return Attempt(ok=True)
                    code = None
                    try:
                        code = _dict((await reply.json(content_type=None)).get("error")).get("code")
                    except (ValueError, aiohttp.ContentTypeError, AttributeError):
                        pass
                    return Attempt.from_status(reply.status, f"Graph API error code {code}")
        except Exception as error:  # network errors and timeouts: never crash the turn
            return Attempt(ok=False, reason=f"could not reach the Graph API: {type(error).__name__}")


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def button_message(body: str, choices: list[Choice]) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {"buttons": [{"type": "reply", "reply": {"id": c.payload, "title": c.title}} for c in choices]},
        },
    }


def list_message(body: str, choices: list[Choice], button_label: str) -> dict[str, Any]:
    rows = []
    for choice in choices:
        row = {"id": choice.payload, "title": _truncate(choice.title, LIST_ROW_TITLE_MAX_CHARS)}
        if len(choice.title) > LIST_ROW_TITLE_MAX_CHARS:
            row["description"] = choice.title  # the full title, where the row title had to be cut
        rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": button_label,
                "sections": [{"title": _truncate(button_label, 24), "rows": rows}],
            },
        },
    }


def choice_form(choices: list[Choice]) -> str:
    """How to offer these choices on WhatsApp: "buttons", "list" or "text" (numbered lines)."""
    if not choices:
        return "text"
    payloads = [c.payload for c in choices]
    titles = [c.title for c in choices]
    distinct = len(set(payloads)) == len(payloads) and all(payloads)
    if (
        distinct
        and len(choices) <= MAX_BUTTONS
        and len(set(titles)) == len(titles)
        and all(0 < len(t) <= BUTTON_TITLE_MAX_CHARS for t in titles)
        and all(len(p) <= BUTTON_ID_MAX_CHARS for p in payloads)
    ):
        return "buttons"
    if (
        distinct
        and len(choices) <= MAX_LIST_ROWS
        and all(0 < len(t) <= LIST_ROW_DESCRIPTION_MAX_CHARS for t in titles)
        and all(len(p) <= LIST_ROW_ID_MAX_CHARS for p in payloads)
    ):
        return "list"
    return "text"


class WhatsAppOutput(OutputChannel):
    """Bot messages to one WhatsApp user, each sent as it comes (in order, one after the other).

    Inside a webhook turn the offered choices are remembered when the turn ends (the latest offer wins,
    a turn without buttons forgets the old one); outside a turn (reminders) at once.
    """

    def __init__(self, channel: WhatsAppInput, in_turn: bool = True) -> None:
        self._channel = channel
        self._in_turn = in_turn
        self._choices: list[Choice] | None = None

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._channel.send_text(recipient_id, to_plain_text(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = choices_from_buttons(buttons)
        if self._in_turn:
            self._choices = choices
        else:
            await self._channel.choices.remember(recipient_id, choices)
        await self._channel.send_choices(recipient_id, to_plain_text(text), choices)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._channel.post(recipient_id, {"type": "image", "image": {"link": str(image)}})

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self._channel.send_text(recipient_id, attachment)

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        # {"whatsapp": {<a Graph API message object>}} is sent as it is; {"text": ...} as text.
        if isinstance(json_message, Mapping):
            native = json_message.get("whatsapp")
            if isinstance(native, Mapping) and isinstance(native.get("type"), str):
                await self._channel.post(recipient_id, dict(native))
                return
            if isinstance(json_message.get("text"), str):
                await self._channel.send_text(recipient_id, to_plain_text(json_message["text"]))
                return
        logger.debug("A custom payload without a WhatsApp form was not sent")

    async def finish_turn(self, recipient_id: str) -> None:
        if not self._in_turn:
            return
        if self._choices:
            await self._channel.choices.remember(recipient_id, self._choices)
        else:
            await self._channel.choices.forget(recipient_id)
        self._choices = None


class WhatsAppInput(InputChannel):
    """WhatsApp Cloud API input channel with signature checks, dedupe and interactive replies."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(WhatsAppSettings.from_credentials(credentials))

    def __init__(
        self, settings: WhatsAppSettings, store: KeyValueStore | None = None, graph: GraphClient | None = None
    ) -> None:
        self.settings = settings
        self.store = store or make_store(settings.redis_url, settings.redis_prefix)
        self.dedupe = Deduplicator(self.store, CHANNEL, settings.dedupe_ttl_seconds)
        self.choices = ChoiceStore(self.store, CHANNEL, settings.choices_ttl_seconds)
        self.addresses = AddressBook(self.store, CHANNEL, settings.address_ttl_seconds)
        self.graph = graph or GraphClient(settings)
        self.runner = TurnRunner(settings.reply_wait_seconds)
        self.agent: Any = None  # Rasa's agent, once a request came in: to record undelivered replies

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppOutput(self, in_turn=False)

    # -- sending -----------------------------------------------------------------------------------

    async def post(self, sender_id: str, message: dict[str, Any]) -> bool:
        wa_id = await self.addresses.lookup(sender_id)
        if wa_id is None:
            logger.warning("No WhatsApp id known for sender %s any more (address TTL passed); not sent", sender_id)
            return False
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id, **message}
        return await self.graph.post(payload, sender_id, self.agent)

    async def send_text(self, sender_id: str, text: str) -> None:
        for part in split_text(text, TEXT_MAX_CHARS):
            message = {"type": "text", "text": {"preview_url": "https://" in part, "body": part}}
            if not await self.post(sender_id, message):
                break  # do not send later parts out of order

    async def send_choices(self, sender_id: str, text: str, choices: list[Choice]) -> None:
        form = choice_form(choices)
        if form == "text":
            await self.send_text(sender_id, with_numbered_choices(text, choices))
            return
        body = text.strip()
        if not body or len(body) > INTERACTIVE_BODY_MAX_CHARS:
            if body:
                await self.send_text(sender_id, body)
            body = CHOOSE_PROMPT
        if form == "buttons":
            await self.post(sender_id, button_message(body, choices))
        else:
            await self.post(sender_id, list_message(body, choices, self.settings.list_button_label))

    # -- receiving ---------------------------------------------------------------------------------

    async def _turns(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], messages: list[InboundMessage]
    ) -> None:
        for message in messages:  # one after the other, so a parent's messages keep their order
            sender_id = opaque_sender_id(self.settings.sender_id_secret, CHANNEL, message.wa_id)
            try:
                await self._turn(on_new_message, message, sender_id)
            except Exception:  # a failing turn still answers the parent, kindly
                logger.exception("A WhatsApp turn failed (sender %s)", sender_id)
                try:
                    await self.send_text(sender_id, to_plain_text(fault_message(CHANNEL)["text"]))
                except Exception:
                    logger.exception("Could not send the apology either (sender %s)", sender_id)

    async def _turn(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: InboundMessage, sender_id: str
    ) -> None:
        if message.kind == "ignored":
            return
        if message.kind == "unreadable":
            await self.send_text(sender_id, NOT_TEXT_REPLY)
            return
        metadata: dict[str, Any] = {
            "channel": CHANNEL,
            "message_id": message.message_id,
            "type": message.message_type,
            # the number, sealed: "ask me again at this number" (consent reviews) without it ever being readable
            "reply_to": seal(message.wa_id),
        }
        if message.kind == "payload":
            text = clean_inbound_text(message.text, BUTTON_ID_MAX_CHARS)
            metadata["choice"] = {"title": clean_inbound_text(message.title, LIST_ROW_DESCRIPTION_MAX_CHARS)}
        else:
            text = clean_inbound_text(message.text, INBOUND_MAX_CHARS)
            choice = await self.choices.resolve(sender_id, text)
            if choice is not None:
                metadata["choice"] = {"reply": text, "title": choice.title}
                text = choice.payload
        if not text:
            await self.send_text(sender_id, EMPTY_REPLY)
            return
        output = WhatsAppOutput(self, in_turn=True)
        await on_new_message(
            UserMessage(
                text,
                output,
                sender_id,
                input_channel=CHANNEL,
                message_id=message.message_id,
                metadata=metadata,
            )
        )
        await output.finish_turn(sender_id)

    def verify(self, request: Request) -> HTTPResponse:
        mode = request.args.get("hub.mode")
        token = request.args.get("hub.verify_token") or ""
        challenge = request.args.get("hub.challenge") or ""
        if (
            mode == "subscribe"
            and hmac.compare_digest(token.encode("utf-8"), self.settings.verify_token.encode("utf-8"))
            and challenge
            and len(challenge) <= 256
        ):
            return response.text(challenge, content_type="text/plain; charset=utf-8")
        return response.text("Verification failed", status=403)

    async def handle(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        body = request.body or b""
        if len(body) > self.settings.max_body_bytes:
            return response.text("Request body too large", status=413)
        if not signature_valid(self.settings.app_secret, body, request.headers.get("X-Hub-Signature-256")):
            logger.warning("Rejected a WhatsApp webhook request without a valid X-Hub-Signature-256")
            return response.text("Invalid signature", status=403)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested beyond reason
            return response.text("Malformed JSON body", status=400)
        if not isinstance(data, dict):
            return response.text("Expected a JSON object", status=400)
        if data.get("object") != "whatsapp_business_account":
            return response.json({"status": "ignored"})

        messages, statuses = parse_webhook(data)
        fresh: list[InboundMessage] = []
        for message in messages:
            if message.phone_number_id and message.phone_number_id != self.settings.phone_number_id:
                logger.warning("Ignored a message for another phone number id")
                continue
            if not await self.dedupe.first_time(message.message_id):
                logger.info("Dropped a repeat of WhatsApp message %s", message.message_id)
                continue
            sender_id = opaque_sender_id(self.settings.sender_id_secret, CHANNEL, message.wa_id)
            await self.addresses.remember(sender_id, message.wa_id)
            fresh.append(message)
        if fresh:
            await self.runner.run(self._turns(on_new_message, fresh))
        return response.json({"status": "ok", "messages": len(fresh), "statuses_ignored": statuses})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guard(on_new_message)  # a kind answer when a part of the assistant fails
        whatsapp_webhook = Blueprint("whatsapp_webhook", __name__)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @whatsapp_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self.verify(request)

        @whatsapp_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            self.agent = getattr(request.app.ctx, "agent", None)
            try:
                return await self.handle(request, on_new_message)
            except StoreUnavailable as error:
                logger.error("WhatsApp webhook: %s", error)
                return response.text("Temporarily unavailable, please retry", status=503)

        @whatsapp_webhook.listener("after_server_stop")
        async def close_store(*_: Any) -> None:
            await self.runner.wait_idle()
            await close_store_quietly(self.store)

        return whatsapp_webhook
