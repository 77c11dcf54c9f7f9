"""The phone simulator: see what a parent gets by SMS and WhatsApp without a Twilio or Meta account.

`make run` turns it on when credentials.yml configures neither text channel and no Twilio or Meta secret is in
the environment (demo mode). Then:

- demo secrets are made on first run (var/phone-demo.json, readable by its owner only), and Rasa runs the real
  SMS and WhatsApp channels with them (var/credentials.demo.yml: credentials.yml plus the two channels);
- http://127.0.0.1:8080/phone shows an SMS thread and a WhatsApp thread side by side. What the parent types goes
  to Rasa's real webhooks, signed exactly as the platforms sign: `X-Twilio-Signature` made by twilio's own
  RequestValidator, `X-Hub-Signature-256` as Meta makes it (HMAC-SHA256 of the body with the app secret);
- the channels' outbound calls go to stand-ins for Twilio's REST API and Meta's Graph API on this same server
  (/phone/twilio, /phone/graph), which check the demo credentials as the real APIs would and put each message
  in the thread, an SMS with its segment count. Like Twilio, the stand-in answers STOP and START with Twilio's
  own confirmation, and refuses to send to a number that has said STOP.

Everything stays on 127.0.0.1: the web server binds loopback only, the Rasa URL must be a loopback address, and
the channels' API base URLs point at the stand-ins, so nothing is ever sent out.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import yaml
from aiohttp import web

from bot.channels.formatting import segment_count, sms_encoding
from bot.content.loader import REPO_ROOT

SMS_KEY = "bot.channels.sms.SmsInput"
WHATSAPP_KEY = "bot.channels.whatsapp.WhatsAppInput"
REAL_SECRETS_ENV = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN")
DEMO_FILE = REPO_ROOT / "var" / "phone-demo.json"
DEMO_CREDENTIALS = REPO_ROOT / "var" / "credentials.demo.yml"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Numbers from Ofcom's range for drama (07700 900000 to 07700 900999): they reach nobody.
COUNCIL_NUMBER = "+447700900000"
PARENT_NUMBER = "+447700900123"
PARENT_WA_ID = "447700900456"
PHONE_NUMBER_ID = "100000000000001"
API_VERSION = "v21.0"

# What Twilio itself sends for its default opt-out keywords (Twilio's words, not the assistant's).
TWILIO_STOP_REPLY = (
    "You have successfully been unsubscribed. You will not receive any more messages from this number. "
    "Reply START to resubscribe."
)
TWILIO_START_REPLY = (
    "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
    "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)
TWILIO_UNSUBSCRIBED = 21610  # Twilio's error code: "Attempt to send to unsubscribed recipient"
MAX_TEXT = 1600
MAX_THREAD = 500


@dataclass(frozen=True)
class DemoSecrets:
    twilio_account_sid: str
    twilio_auth_token: str
    whatsapp_app_secret: str
    whatsapp_verify_token: str
    whatsapp_access_token: str
    sender_id_secret: str

    @classmethod
    def make(cls) -> DemoSecrets:
        return cls(
            twilio_account_sid="AC" + secrets.token_hex(16),
            twilio_auth_token=secrets.token_hex(16),
            whatsapp_app_secret=secrets.token_hex(16),
            whatsapp_verify_token=secrets.token_hex(16),
            whatsapp_access_token="DEMO" + secrets.token_hex(24),
            sender_id_secret=secrets.token_hex(32),
        )

    @classmethod
    def load_or_make(cls, path: Path = DEMO_FILE) -> DemoSecrets:
        """The demo secrets in `path`, made (readable by the owner only) on first run."""
        if path.is_file():
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        made = cls.make()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(asdict(made), out, indent=2)
        return made


def real_channels(credentials: Path, environ: Mapping[str, str] = os.environ) -> str | None:
    """Why demo mode must stay off (real SMS or WhatsApp settings are there), or None."""
    config = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    configured = [key for key in (SMS_KEY, WHATSAPP_KEY) if key in config]
    if configured:
        return f"{credentials.name} configures {', '.join(configured)}"
    present = [name for name in REAL_SECRETS_ENV if environ.get(name)]
    if present:
        return f"{', '.join(present)} set in the environment"
    return None


def demo_credentials(
    base: Path, out: Path, demo: DemoSecrets, rasa_port: int, web_port: int
) -> Path:
    """credentials.yml plus the SMS and WhatsApp channels with the demo secrets, sending to the stand-ins."""
    config = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    stand_ins = f"http://127.0.0.1:{web_port}/phone"
    config[SMS_KEY] = {
        "account_sid": demo.twilio_account_sid,
        "auth_token": demo.twilio_auth_token,
        "twilio_number": COUNCIL_NUMBER,
        "sender_id_secret": demo.sender_id_secret,
        "public_url": f"http://127.0.0.1:{rasa_port}/webhooks/sms/webhook",
        "api_base_url": f"{stand_ins}/twilio",
    }
    config[WHATSAPP_KEY] = {
        "verify_token": demo.whatsapp_verify_token,
        "app_secret": demo.whatsapp_app_secret,
        "access_token": demo.whatsapp_access_token,
        "phone_number_id": PHONE_NUMBER_ID,
        "sender_id_secret": demo.sender_id_secret,
        "api_version": API_VERSION,
        "graph_base_url": f"{stand_ins}/graph",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# GENERATED by `make run` for the phone simulator (demo mode). Do not edit: edit credentials.yml.\n"
        + yaml.safe_dump(config, sort_keys=False),
        encoding="utf-8",
    )
    os.chmod(out, 0o600)
    return out


def prepare_demo(rasa_port: int, web_port: int, credentials: Path | None = None) -> tuple[Path | None, str]:
    """For `make run`: (the credentials file Rasa should use, or None for credentials.yml; a line to print)."""
    base = credentials or REPO_ROOT / "credentials.yml"
    reason = real_channels(base)
    if reason is not None:
        return None, f"Phone simulator off: {reason}."
    demo_credentials(base, DEMO_CREDENTIALS, DemoSecrets.load_or_make(DEMO_FILE), rasa_port, web_port)
    return DEMO_CREDENTIALS, f"phone simulator (SMS, WhatsApp) at http://localhost:{web_port}/phone ."


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature as Twilio makes it, by twilio's own RequestValidator."""
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).compute_signature(url, dict(params))


def meta_signature(app_secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 as Meta makes it."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class PhoneSimulator:
    """The two threads, what the parent sends (signed, to Rasa's webhooks) and the Twilio and Graph stand-ins."""

    def __init__(self, demo: DemoSecrets, rasa_url: str) -> None:
        parts = urlsplit(rasa_url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            raise ValueError(f"the phone simulator talks to Rasa on loopback only, not {rasa_url!r}")
        from bot.channels.sms import OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS  # Rasa's channel code: not for `make run`

        self.opt_out_words, self.opt_in_words = OPT_OUT_KEYWORDS, OPT_IN_KEYWORDS
        self.demo = demo
        self.rasa_url = rasa_url.rstrip("/")
        self.threads: dict[str, list[dict[str, Any]]] = {"sms": [], "whatsapp": []}
        self.sms_number = PARENT_NUMBER
        self.wa_id = PARENT_WA_ID
        self.unsubscribed: set[str] = set()
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self.version = 0

    # -- the threads -------------------------------------------------------------------------------

    def _add(self, thread: str, entry: dict[str, Any]) -> dict[str, Any]:
        entry = {"id": next(self._ids), "at": time.time(), **entry}
        messages = self.threads[thread]
        messages.append(entry)
        del messages[:-MAX_THREAD]
        self.version += 1
        self._changed.set()
        return entry

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "sms": {"number": self.sms_number, "council": COUNCIL_NUMBER, "messages": self.threads["sms"]},
            "whatsapp": {"number": "+" + self.wa_id, "messages": self.threads["whatsapp"]},
        }

    async def wait_for_change(self, after: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.version <= after:
            self._changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except asyncio.TimeoutError:
                return

    def new_numbers(self) -> None:
        """A new parent: other numbers, so Rasa starts a new conversation for each channel."""
        numbers = [f"447700900{n}" for n in range(100, 1000)]
        numbers = [n for n in numbers if n not in (self.sms_number.lstrip("+"), self.wa_id)]
        sms, whatsapp = secrets.SystemRandom().sample(numbers, 2)
        self.sms_number, self.wa_id = "+" + sms, whatsapp
        self.threads = {"sms": [], "whatsapp": []}
        self.version += 1
        self._changed.set()

    # -- the parent sends: signed requests to Rasa's real webhooks -----------------------------------

    async def _post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(f"{self.rasa_url}{path}", data=body, headers=headers) as reply:
                await reply.read()
                return reply.status

    async def send_sms(self, text: str) -> int:
        text = text[:MAX_TEXT]
        self._add("sms", {"direction": "in", "text": text})
        params = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": self.demo.twilio_account_sid,
            "From": self.sms_number,
            "To": COUNCIL_NUMBER,
            "Body": text,
            "NumMedia": "0",
            "NumSegments": str(max(1, segment_count(text))),
        }
        url = f"{self.rasa_url}/webhooks/sms/webhook"
        status = await self._post(
            "/webhooks/sms/webhook",
            urlencode(params).encode("utf-8"),
            {
                "X-Twilio-Signature": twilio_signature(self.demo.twilio_auth_token, url, params),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        keyword = text.strip().upper()
        if keyword in self.opt_out_words:  # Twilio's own opt-out handling, as on a real number
            self.unsubscribed.add(self.sms_number)
            self._add("sms", {"direction": "out", "from": "Twilio", **_sms_figures(TWILIO_STOP_REPLY)})
        elif keyword in self.opt_in_words or (keyword == "YES" and self.sms_number in self.unsubscribed):
            self.unsubscribed.discard(self.sms_number)
            self._add("sms", {"direction": "out", "from": "Twilio", **_sms_figures(TWILIO_START_REPLY)})
        return status

    async def send_whatsapp(self, text: str | None = None, reply: Mapping[str, str] | None = None) -> int:
        message: dict[str, Any] = {
            "from": self.wa_id,
            "id": "wamid.DEMO" + secrets.token_hex(12),
            "timestamp": str(int(time.time())),
        }
        if reply is not None:  # a tap on a reply button or a list row
            kind = "list_reply" if reply.get("kind") == "list" else "button_reply"
            title, payload = str(reply.get("title", ""))[:72], str(reply.get("id", ""))[:256]
            interactive = {"type": kind, kind: {"id": payload, "title": title}}
            message.update({"type": "interactive", "interactive": interactive})
            self._add("whatsapp", {"direction": "in", "text": title, "tapped": True})
        else:
            text = (text or "")[:MAX_TEXT]
            message.update({"type": "text", "text": {"body": text}})
            self._add("whatsapp", {"direction": "in", "text": text})
        payload = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "DEMO", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": COUNCIL_NUMBER.lstrip("+"), "phone_number_id": PHONE_NUMBER_ID},
                "contacts": [{"wa_id": self.wa_id, "profile": {"name": "Parent"}}],
                "messages": [message],
            }}]}],
        }
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return await self._post(
            "/webhooks/whatsapp/webhook",
            body,
            {"X-Hub-Signature-256": meta_signature(self.demo.whatsapp_app_secret, body),
             "Content-Type": "application/json"},
        )

    # -- the stand-ins for Twilio's REST API and Meta's Graph API ------------------------------------

    async def twilio_create_message(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(
            f"{self.demo.twilio_account_sid}:{self.demo.twilio_auth_token}".encode()
        ).decode()
        if request.match_info["account_sid"] != self.demo.twilio_account_sid or not hmac.compare_digest(
            request.headers.get("Authorization", ""), expected
        ):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = await request.post()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        if to in self.unsubscribed:
            return web.json_response(
                {"code": TWILIO_UNSUBSCRIBED, "message": "Attempt to send to unsubscribed recipient", "status": 400},
                status=400,
            )
        figures = _sms_figures(body)
        if to == self.sms_number:
            self._add("sms", {"direction": "out", **figures})
        return web.json_response(
            {"sid": "SM" + secrets.token_hex(16), "account_sid": self.demo.twilio_account_sid, "to": to,
             "from": form.get("From"), "body": body, "status": "queued", "num_segments": str(figures["segments"]),
             "api_version": "2010-04-01"},
            status=201,
        )

    async def graph_messages(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(
            request.headers.get("Authorization", ""), f"Bearer {self.demo.whatsapp_access_token}"
        ):
            return web.json_response({"error": {"code": 190, "message": "Invalid OAuth access token"}}, status=401)
        if request.match_info["phone_number_id"] != PHONE_NUMBER_ID:
            return web.json_response({"error": {"code": 100, "message": "Unknown phone number id"}}, status=400)
        try:
            payload = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": {"code": 100, "message": "Invalid JSON"}}, status=400)
        if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
            return web.json_response({"error": {"code": 100, "message": "messaging_product"}}, status=400)
        if payload.get("to") == self.wa_id:
            self._add("whatsapp", {"direction": "out", **_whatsapp_view(payload)})
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
             "messages": [{"id": "wamid.DEMO" + secrets.token_hex(12)}]}
        )


def _sms_figures(body: str) -> dict[str, Any]:
    return {"text": body, "segments": segment_count(body), "encoding": sms_encoding(body), "characters": len(body)}


def _whatsapp_view(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What the parent's phone shows for one Graph API message: its text, and buttons or a list to tap."""
    kind = payload.get("type")
    if kind == "text":
        return {"text": str((payload.get("text") or {}).get("body", ""))}
    if kind == "interactive":
        interactive = payload.get("interactive") or {}
        body = str((interactive.get("body") or {}).get("text", ""))
        action = interactive.get("action") or {}
        if interactive.get("type") == "button":
            buttons = [b.get("reply", {}) for b in action.get("buttons", [])]
            return {"text": body, "buttons": [{"id": b.get("id", ""), "title": b.get("title", "")} for b in buttons]}
        rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
        return {"text": body, "list": {"button": action.get("button", ""),
                                       "rows": [{"id": r.get("id", ""), "title": r.get("title", ""),
                                                 "description": r.get("description", "")} for r in rows]}}
    return {"text": f"[{kind} message]"}


# -- the web routes ------------------------------------------------------------------------------------

SIMULATOR_KEY = web.AppKey("pda_phone_simulator", PhoneSimulator)
PAGE = Path(__file__).with_name("web") / "phone.html"


def _same_origin(request: web.Request) -> bool:
    """The page's own requests only: JSON, and no Origin or this server's (a web page elsewhere cannot post)."""
    if request.content_type != "application/json":
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.host}"


async def _page(request: web.Request) -> web.StreamResponse:
    return web.Response(
        text=PAGE.read_text(encoding="utf-8"), content_type="text/html", charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


async def _thread(request: web.Request) -> web.Response:
    simulator = request.app[SIMULATOR_KEY]
    try:
        after = int(request.query.get("after", "-1"))
    except ValueError:
        after = -1
    await simulator.wait_for_change(after, timeout=20.0)
    return web.json_response(simulator.snapshot(), headers={"Cache-Control": "no-store"})


async def _read_json(request: web.Request) -> dict[str, Any]:
    if not _same_origin(request):
        raise web.HTTPForbidden(text="JSON from this page only")
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError) as error:
        raise web.HTTPBadRequest(text="Expected a JSON object") from error
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="Expected a JSON object")
    return data


async def _send(request: web.Request) -> web.Response:
    data = await _read_json(request)
    simulator = request.app[SIMULATOR_KEY]
    channel = request.match_info["channel"]
    reply = data.get("reply")
    text = data.get("text")
    if reply is not None and channel == "whatsapp" and isinstance(reply, dict):
        send = simulator.send_whatsapp(reply={k: str(v) for k, v in reply.items()})
    elif isinstance(text, str) and text.strip():
        send = simulator.send_sms(text) if channel == "sms" else simulator.send_whatsapp(text)
    else:
        raise web.HTTPBadRequest(text="Type a message first")
    try:
        status = await send
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return web.json_response({"ok": False, "error": "The assistant is not answering. Is `make run` running?"},
                                 status=502)
    return web.json_response({"ok": status == 200, "status": status})


async def _new_parent(request: web.Request) -> web.Response:
    await _read_json(request)
    request.app[SIMULATOR_KEY].new_numbers()
    return web.json_response({"ok": True})


def add_routes(app: web.Application, simulator: PhoneSimulator) -> None:
    app[SIMULATOR_KEY] = simulator
    app.router.add_get("/phone", _page)
    app.router.add_get("/phone/api/thread", _thread)
    app.router.add_post("/phone/api/send/{channel:sms|whatsapp}", _send)
    app.router.add_post("/phone/api/new-parent", _new_parent)
    app.router.add_post("/phone/twilio/2010-04-01/Accounts/{account_sid}/Messages.json",
                        simulator.twilio_create_message)
    app.router.add_post("/phone/graph/{version}/{phone_number_id}/messages", simulator.graph_messages)
