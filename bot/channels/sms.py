"""SMS through Twilio (and Twilio's WhatsApp senders), as a Rasa input channel.

credentials.yml:  bot.channels.sms.SmsInput:  (every key is described in docs/channels.md)
Webhook:          POST /webhooks/sms/webhook  (set it as the "A message comes in" URL in Twilio)

- Every request must carry a valid `X-Twilio-Signature` for the configured `public_url`; otherwise 403
  and nothing reaches a conversation.
- The same MessageSid is processed once (Twilio retries).
- Replies go out through Twilio's REST API (not TwiML in the webhook response): the webhook answers an
  empty <Response/> quickly while a slow turn may still be running, several bot messages in one turn go
  out as one text, proactive messages (reminders) can reach the parent too, and a fake Twilio on
  loopback (`api_base_url`) lets the tests see exactly what would be sent.
- A reply is at most `max_segments` SMS segments; the rest waits for "MORE".
- STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (and REVOKE, OPTOUT): recorded as an opt-out, not
  passed to the bot, nothing more is sent. START, UNSTOP (and YES while opted out, as Twilio does) opt
  back in. Twilio itself sends the carrier-required confirmation for these keywords (its default opt-out
  handling, or Advanced Opt-Out on a Messaging Service), so the bot stays silent. STOP also ends any consent
  reviews to that number (end_consent_reviews).
  HELP, INFO: a short fixed help text. Keywords are case-insensitive and whole-message only.
- Rasa's sender id is an HMAC of the number (see identity.py); the number is kept only in the address
  book, with a TTL, to reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import credentials as creds
from bot.channels.choices import Choice, ChoiceStore, choices_from_buttons, with_numbered_choices
from bot.channels.dedupe import Deduplicator
from bot.channels.fault_reply import fault_message, guard
from bot.channels.formatting import (
    MORE_KEYWORD,
    SEND_ALONE,
    clean_inbound_text,
    gsm_friendly,
    split_text,
    take_sms,
    to_plain_text,
)
from bot.channels.identity import AddressBook, opaque_sender_id
from bot.channels.kv import KeyValueStore, MemoryStore, StoreUnavailable, close_store_quietly, make_store
from bot.channels.optout import OptOutRegister
from bot.channels.retry import Attempt, record_undelivered, send_with_retries
from bot.channels.turns import TurnRunner
from bot.content.messages import say
from bot.privacy.sealing import seal

logger = logging.getLogger(__name__)

CHANNEL = "sms"
# Twilio's default opt-out keywords (REVOKE and OPTOUT were added by Twilio to the original six): the same
# list here keeps this register and Twilio's block list in step.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
OPT_IN_WHEN_OPTED_OUT = frozenset({"YES"})  # Twilio re-subscribes a number that sends YES after STOP
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
# The channel's own lines (content/messages/<lang>/channels.yml). The channel answers before the conversation, so
# before its language is known: in English.
MORE_SUFFIX = say("channels.more_suffix", channel=CHANNEL)
NOT_TEXT_REPLY = say("channels.not_text", channel=CHANNEL)
EMPTY_REPLY = say("channels.empty", channel=CHANNEL)

TWILIO_WHATSAPP_MAX_CHARS = 1600  # Twilio's limit for one WhatsApp message body
INBOUND_MAX_CHARS = 1600  # Twilio's limit for an inbound SMS body
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MORE_TTL_SECONDS = 24 * 3600
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def default_help_text(council_name: str | None = None, how_to_reach: str | None = None) -> str:
    return say("channels.help_text", channel=CHANNEL,
               council_name=council_name or say("channels.council_default", channel=CHANNEL),
               how_to_reach=how_to_reach or say("channels.reach_default", channel=CHANNEL))


@dataclass(frozen=True)
class SmsSettings:
    account_sid: str
    auth_token: str
    sender_id_secret: str
    twilio_number: str | None = None
    messaging_service_sid: str | None = None
    whatsapp_number: str | None = None
    public_url: str | None = None
    api_base_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "pda:"
    help_text: str = field(default_factory=default_help_text)
    max_segments: int = 3
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    reply_wait_seconds: float = 10.0
    send_timeout_seconds: float = 15.0
    send_tries: int = 3
    send_retry_wait_seconds: float = 1.0
    address_ttl_seconds: int = 7 * 24 * 3600
    dedupe_ttl_seconds: int = 24 * 3600
    choices_ttl_seconds: int = 24 * 3600
    more_ttl_seconds: int = DEFAULT_MORE_TTL_SECONDS

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> SmsSettings:
        c = credentials
        twilio_number = creds.optional(c, "twilio_number")
        messaging_service_sid = creds.optional(c, "messaging_service_sid")
        if not twilio_number and not messaging_service_sid:
            raise creds.ChannelConfigError(
                "credentials.yml: the sms channel needs 'twilio_number' or 'messaging_service_sid' " "to send from"
            )
        help_text = creds.optional(c, "help_text")
        if not help_text:
            name, reach = creds.optional(c, "council_name"), creds.optional(c, "council_contact")
            from_file = creds.council_contact_line(creds.optional(c, "council_file", "content/council.yml") or "")
            if from_file:
                name, reach = name or from_file[0], reach or from_file[1]
            help_text = default_help_text(name, reach)
        return cls(
            account_sid=creds.required(c, "account_sid", CHANNEL),
            auth_token=creds.required(c, "auth_token", CHANNEL),
            sender_id_secret=creds.required(c, "sender_id_secret", CHANNEL),
            twilio_number=twilio_number,
            messaging_service_sid=messaging_service_sid,
            whatsapp_number=creds.optional(c, "whatsapp_number"),
            public_url=creds.optional(c, "public_url"),
            api_base_url=creds.optional(c, "api_base_url"),
            redis_url=creds.optional(c, "redis_url"),
            redis_prefix=creds.optional(c, "redis_prefix", "pda:") or "pda:",
            help_text=help_text,
            max_segments=creds.number(c, "max_segments", 3, CHANNEL, minimum=1),
            max_body_bytes=creds.number(c, "max_body_bytes", DEFAULT_MAX_BODY_BYTES, CHANNEL, minimum=1024),
            reply_wait_seconds=creds.number(c, "reply_wait_seconds", 10.0, CHANNEL, integer=False),
            send_timeout_seconds=creds.number(c, "send_timeout_seconds", 15.0, CHANNEL, minimum=1, integer=False),
            send_tries=creds.number(c, "send_tries", 3, CHANNEL, minimum=1),
            send_retry_wait_seconds=creds.number(c, "send_retry_wait_seconds", 1.0, CHANNEL, integer=False),
            address_ttl_seconds=creds.number(c, "address_ttl_seconds", 7 * 24 * 3600, CHANNEL, minimum=60),
            dedupe_ttl_seconds=creds.number(c, "dedupe_ttl_seconds", 24 * 3600, CHANNEL, minimum=60),
            choices_ttl_seconds=creds.number(c, "choices_ttl_seconds", 24 * 3600, CHANNEL, minimum=60),
            more_ttl_seconds=creds.number(c, "more_ttl_seconds", DEFAULT_MORE_TTL_SECONDS, CHANNEL, minimum=60),
        )


class FormParams(dict):
    """Form fields as lists of values, with the `getlist` Twilio's RequestValidator looks for."""

    def getlist(self, name: str) -> list[str]:
        return list(self.get(name, []))

    def first(self, name: str) -> str | None:
        values = self.get(name)
        return values[0] if values else None


def parse_form(body: bytes, max_fields: int = 200) -> FormParams:
    """Parse a form-encoded body keeping blank values (Twilio signs them; Sanic's request.form drops them).

    Raises ValueError for a body that is not UTF-8 or has too many fields.
    """
    text = body.decode("utf-8")
    params = FormParams()
    for key, value in parse_qsl(text, keep_blank_values=True, max_num_fields=max_fields):
        params.setdefault(key, []).append(value)
    return params


class SmsState:
    """Everything the channel remembers between requests, in memory or Redis."""

    def __init__(self, settings: SmsSettings, store: KeyValueStore | None = None) -> None:
        self.store = store or make_store(settings.redis_url, settings.redis_prefix)
        # opt-outs must never be evicted to make room, so in memory they get their own unbounded store
        self.optout_store = self.store if not isinstance(self.store, MemoryStore) else MemoryStore(max_items=None)
        self.dedupe = Deduplicator(self.store, CHANNEL, settings.dedupe_ttl_seconds)
        self.choices = ChoiceStore(self.store, CHANNEL, settings.choices_ttl_seconds)
        self.addresses = AddressBook(self.store, CHANNEL, settings.address_ttl_seconds)
        self.optouts = OptOutRegister(self.optout_store, CHANNEL)
        self._more_ttl = settings.more_ttl_seconds

    async def keep_rest(self, sender_id: str, rest: str) -> None:
        if rest:
            await self.store.set(f"more:{CHANNEL}:{sender_id}", rest, self._more_ttl)
        else:
            await self.store.delete(f"more:{CHANNEL}:{sender_id}")

    async def rest(self, sender_id: str) -> str | None:
        return await self.store.get(f"more:{CHANNEL}:{sender_id}")


class TwilioSender:
    """Sends one message through Twilio's REST API (twilio.rest.Client, asynchronous HTTP client)."""

    def __init__(self, settings: SmsSettings) -> None:
        self._settings = settings
        self._client: Any = None

    def _twilio(self) -> Any:
        if self._client is None:
            from twilio.http.async_http_client import AsyncTwilioHttpClient
            from twilio.rest import Client

            # pool_connections=False: a new aiohttp session per request, so no session is tied to a loop
            client = Client(
                self._settings.account_sid,
                self._settings.auth_token,
                http_client=AsyncTwilioHttpClient(pool_connections=False),
            )
            if self._settings.api_base_url:
                client.api.base_url = self._settings.api_base_url.rstrip("/")
            self._client = client
        return self._client

    async def send(self, to: str, body: str, sender_id: str = "", agent: Any = None) -> bool:
        """Send one message; tried again with back-off while the failure may pass (bot/channels/retry.py), and
        recorded in the conversation (with Rasa's `agent`) when it could not be delivered."""
        return await send_with_retries(
            lambda: self._send_once(to, body), what="SMS reply", sender_id=sender_id, text=body,
            tries=self._settings.send_tries, first_wait_s=self._settings.send_retry_wait_seconds,
            on_undelivered=lambda tries, why: record_undelivered(agent, sender_id, CHANNEL, tries, why),
        )

    async def _send_once(self, to: str, body: str) -> Attempt:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        s = self._settings
        message: dict[str, Any] = {"to": to, "body": body}
        if s.messaging_service_sid:
            message["messaging_service_sid"] = s.messaging_service_sid
        elif to.startswith("whatsapp:"):
            message["from_"] = s.whatsapp_number or f"whatsapp:{s.twilio_number}"
        else:
            message["from_"] = s.twilio_number
        try:
            await asyncio.wait_for(self._twilio().messages.create_async(**message), timeout=s.send_timeout_seconds)
        except TwilioRestException as error:  # the message text of the error may hold the number: not logged
            return Attempt.from_status(error.status, f"Twilio error {error.code}")
        except (TwilioException, asyncio.TimeoutError, OSError) as error:
            return Attempt(ok=False, reason=f"could not reach Twilio: {type(error).__name__}")
        except Exception as error:  # aiohttp errors and anything else: never crash the turn
            return Attempt(ok=False, reason=f"sending through Twilio failed: {type(error).__name__}")
        return Attempt(ok=True)


class SmsOutput(OutputChannel):
    """Bot messages to one SMS sender.

    Buffered (inside a webhook turn): every message of the turn is collected and sent as one text when
    the turn ends, so the parts arrive in order and the segment limit applies to the whole reply.
    Unbuffered (get_output_channel, e.g. reminders): each message is sent at once.
    """

    def __init__(self, channel: SmsInput, buffered: bool = True) -> None:
        self._channel = channel
        self._buffered = buffered
        self._texts: list[str] = []
        self._choices: list[Choice] | None = None

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def _queue(self, recipient_id: str, plain_text: str) -> None:
        plain_text = plain_text.strip()
        if not plain_text:
            return
        if self._buffered:
            self._texts.append(plain_text)
        else:
            await self._channel.deliver(recipient_id, plain_text)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        custom = kwargs.get("custom")
        if isinstance(custom, Mapping) and custom.get(SEND_ALONE) and self._buffered:
            # The crisis numbers: their own text, at once, before the rest of the turn (which follows in another)
            await self._channel.deliver(recipient_id, to_plain_text(text).strip())
            return
        await self._queue(recipient_id, to_plain_text(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = choices_from_buttons(buttons)
        if self._buffered:
            self._choices = choices
        else:
            await self._channel.state.choices.remember(recipient_id, choices)
        await self._queue(recipient_id, with_numbered_choices(to_plain_text(text), choices))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._queue(recipient_id, str(image))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self._queue(recipient_id, attachment)

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        # A custom payload is meant for another channel; only a "text" or "sms" field is shown here.
        if isinstance(json_message, Mapping) and set(json_message) == {SEND_ALONE}:
            return  # how to send the text beside it, said to send_text_message
        if isinstance(json_message, Mapping):
            text = json_message.get("sms") or json_message.get("text")
            if isinstance(text, str):
                await self._queue(recipient_id, to_plain_text(text))
                return
        logger.debug("A custom payload without text was not sent by SMS")

    def discard(self) -> None:
        self._texts, self._choices = [], None

    async def flush(self, recipient_id: str) -> None:
        """End of turn: remember the offered choices (or forget old ones) and send the collected text."""
        if not self._buffered:
            return
        texts, choices = self._texts, self._choices
        self.discard()
        if choices:
            await self._channel.state.choices.remember(recipient_id, choices)
        else:
            await self._channel.state.choices.forget(recipient_id)
        if texts:
            await self._channel.deliver(recipient_id, "\n\n".join(texts))


class SmsInput(InputChannel):
    """Twilio SMS input channel with signature checks, dedupe, keywords and segment-aware replies."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SmsInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(SmsSettings.from_credentials(credentials))

    def __init__(
        self, settings: SmsSettings, store: KeyValueStore | None = None, sender: TwilioSender | None = None
    ) -> None:
        self.settings = settings
        self.state = SmsState(settings, store)
        self.sender = sender or TwilioSender(settings)
        self.runner = TurnRunner(settings.reply_wait_seconds)
        self.agent: Any = None  # Rasa's agent, once a request came in: to record undelivered replies

    # -- sending -----------------------------------------------------------------------------------

    async def deliver(self, sender_id: str, text: str) -> None:
        """Send `text` to the number behind `sender_id`, unless it opted out.

        SMS: at most `max_segments` segments; the rest is kept for "MORE". Twilio WhatsApp: split into
        messages of at most 1600 characters, all sent in order.
        """
        address = await self.state.addresses.lookup(sender_id)
        if address is None:
            logger.warning("No number known for sender %s any more (address TTL passed); not sent", sender_id)
            return
        if await self.state.optouts.is_opted_out(sender_id):
            logger.info("Sender %s opted out of SMS; not sent", sender_id)
            return
        if address.startswith("whatsapp:"):
            for part in split_text(text, TWILIO_WHATSAPP_MAX_CHARS):
                if not await self.sender.send(address, part, sender_id, self.agent):
                    break
            return
        text = gsm_friendly(text)
        suffix = f"\n\n{MORE_SUFFIX}"
        head, rest = take_sms(text, self.settings.max_segments, suffix)
        await self.state.keep_rest(sender_id, rest)
        await self.sender.send(address, head + suffix if rest else head, sender_id, self.agent)

    def get_output_channel(self) -> OutputChannel:
        return SmsOutput(self, buffered=False)

    # -- receiving ---------------------------------------------------------------------------------

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: `public_url` (as entered in Twilio's console) or the request's own URL."""
        if self.settings.public_url:
            url = self.settings.public_url
            if request.query_string and "?" not in url:
                url = f"{url}?{request.query_string}"
            return url
        return request.url

    def signature_valid(self, request: Request, params: FormParams) -> bool:
        from twilio.request_validator import RequestValidator

        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return False
        try:
            return bool(
                RequestValidator(self.settings.auth_token).validate(self.signed_url(request), params, signature)
            )
        except Exception:  # a malformed URL or header: not valid
            return False

    async def _turn(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str,
        message_id: str,
        metadata: dict[str, Any],
    ) -> None:
        output = SmsOutput(self, buffered=True)
        try:
            await on_new_message(
                UserMessage(text, output, sender_id, input_channel=CHANNEL, message_id=message_id, metadata=metadata)
            )
            await output.flush(sender_id)
        except Exception:  # a failing turn still answers the parent, kindly
            logger.exception("An SMS turn failed (sender %s)", sender_id)
            output.discard()
            try:
                await self.deliver(sender_id, to_plain_text(fault_message(CHANNEL)["text"]))
            except Exception:
                logger.exception("Could not send the apology either (sender %s)", sender_id)

    async def _send_soon(self, sender_id: str, text: str) -> None:
        await self.runner.run(self.deliver(sender_id, text))

    async def handle(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        body = request.body or b""
        if len(body) > self.settings.max_body_bytes:
            return response.text("Request body too large", status=413)
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != FORM_CONTENT_TYPE:
            return response.text(f"Expected {FORM_CONTENT_TYPE}", status=415)
        try:
            params = parse_form(body)
        except ValueError:
            return response.text("Malformed form body", status=400)
        if not self.signature_valid(request, params):
            logger.warning("Rejected an SMS webhook request without a valid X-Twilio-Signature")
            return response.text("Invalid signature", status=403)

        if params.first("MessageStatus") and params.first("Body") is None:
            return empty_twiml()  # a delivery status callback, not a message
        address = (params.first("From") or "").strip()
        message_sid = (params.first("MessageSid") or params.first("SmsMessageSid") or "").strip()
        if not address or not message_sid or len(address) > 64 or len(message_sid) > 64:
            return response.text("Missing or malformed From or MessageSid", status=400)
        if not await self.state.dedupe.first_time(message_sid):
            logger.info("Dropped a repeat of SMS message %s", message_sid)
            return empty_twiml()

        sender_id = opaque_sender_id(self.settings.sender_id_secret, CHANNEL, address)
        await self.state.addresses.remember(sender_id, address)
        text = clean_inbound_text(params.first("Body"), INBOUND_MAX_CHARS)
        keyword = text.upper()

        if keyword in OPT_OUT_KEYWORDS:
            await self.state.optouts.opt_out(sender_id)
            await self.state.keep_rest(sender_id, "")
            await self.state.choices.forget(sender_id)
            logger.info("Sender %s opted out of SMS", sender_id)
            await end_consent_reviews(sender_id, address)
            return empty_twiml()
        opted_out = await self.state.optouts.is_opted_out(sender_id)
        if keyword in OPT_IN_KEYWORDS or (opted_out and keyword in OPT_IN_WHEN_OPTED_OUT):
            await self.state.optouts.opt_in(sender_id)
            logger.info("Sender %s opted back in to SMS", sender_id)
            return empty_twiml()
        if opted_out:
            return empty_twiml()  # said STOP: the conversation does not go on and nothing is sent
        if keyword in HELP_KEYWORDS:
            await self._send_soon(sender_id, self.settings.help_text)
            return empty_twiml()
        if keyword == MORE_KEYWORD:
            rest = await self.state.rest(sender_id)
            if rest:
                await self._send_soon(sender_id, rest)
                return empty_twiml()
        if not text:
            has_media = (params.first("NumMedia") or "0").strip() not in ("", "0")
            await self._send_soon(sender_id, NOT_TEXT_REPLY if has_media else EMPTY_REPLY)
            return empty_twiml()

        metadata: dict[str, Any] = {
            "channel": CHANNEL,
            "transport": "whatsapp" if address.startswith("whatsapp:") else "sms",
            "message_sid": message_sid,
            # the number, sealed: "ask me again at this number" (consent reviews) without it ever being readable
            "reply_to": seal(address.removeprefix("whatsapp:")),
        }
        choice = await self.state.choices.resolve(sender_id, text)
        if choice is not None:
            metadata["choice"] = {"reply": text, "title": choice.title}
            text = choice.payload
        await self.runner.run(self._turn(on_new_message, text, sender_id, message_sid, metadata))
        return empty_twiml()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guard(on_new_message)  # a kind answer when a part of the assistant fails
        sms_webhook = Blueprint("sms_webhook", __name__)

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            self.agent = getattr(request.app.ctx, "agent", None)
            try:
                return await self.handle(request, on_new_message)
            except StoreUnavailable as error:
                logger.error("SMS webhook: %s", error)
                return response.text("Temporarily unavailable, please retry", status=503)

        @sms_webhook.listener("after_server_stop")
        async def close_store(*_: Any) -> None:
            await self.runner.wait_idle()
            await close_store_quietly(self.state.store)

        return sms_webhook


async def end_consent_reviews(sender_id: str, address: str) -> None:
    """STOP also ends any consent reviews sent to this number and deletes the number from the records database
    (bot.records.reviews). If the database cannot be reached from here, that is logged: Twilio then refuses the
    next review to this number, and the sender records it as failed."""
    channel, number = ("whatsapp", address[len("whatsapp:"):]) if address.startswith("whatsapp:") else ("sms", address)

    def stop() -> int:
        from bot.records.db import session_scope
        from bot.records.reviews import stop_by_number

        with session_scope() as session:
            return stop_by_number(session, channel=channel, number=number)

    try:
        ended = await asyncio.to_thread(stop)
    except Exception as error:  # never let the records database stand in the way of a STOP
        logger.warning("STOP from sender %s: could not end consent reviews (%s)", sender_id, type(error).__name__)
        return
    if ended:
        logger.info("STOP from sender %s ended consent reviews for %d famil(y/ies)", sender_id, ended)


def empty_twiml() -> HTTPResponse:
    """An empty TwiML answer: Twilio sends nothing back itself (replies go through the REST API)."""
    return response.text(
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml; charset=utf-8"
    )
