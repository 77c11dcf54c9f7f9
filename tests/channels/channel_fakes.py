"""Helpers for the channel tests: the channel's blueprint on a real Sanic server on loopback, mounted the
way `rasa run` mounts it (rasa.core.channels.channel.register, under /webhooks/), a fake bot in place of
Rasa's agent, and fake Twilio / Graph API servers (aiohttp, loopback) that record what would be sent.

No trained model is needed: the fake bot answers through the channel's output channel exactly as Rasa's
processor does (output_channel.send_response(sender_id, message)).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from aiohttp import web  # noqa: E402
from rasa.core.channels.channel import InputChannel, UserMessage, register  # noqa: E402
from sanic import Sanic  # noqa: E402

Sanic.test_mode = True  # several apps in one process

TWILIO_ACCOUNT_SID = "AC" + "0" * 31 + "1"
TWILIO_AUTH_TOKEN = "twilio-test-auth-token-0123456789"
TWILIO_NUMBER = "+447700900000"
PARENT_NUMBER = "+447700900123"
SENDER_SECRET = "sender-id-secret-for-tests"
META_APP_SECRET = "meta-app-secret-for-tests"
META_VERIFY_TOKEN = "verify-token-for-tests"
META_ACCESS_TOKEN = "EAAG-test-access-token"
PHONE_NUMBER_ID = "106540352242922"
PARENT_WA_ID = "447700900456"
_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}{uuid.uuid4().hex[:8]}"


# -- the fake bot ----------------------------------------------------------------------------------


Reply = Callable[[UserMessage], list[dict[str, Any]]]


def echo(message: UserMessage) -> list[dict[str, Any]]:
    return [{"text": f"You said: {message.text}"}]


@dataclass
class FakeBot:
    """Stands in for Rasa's agent: records every UserMessage and answers through its output channel."""

    reply: Reply = echo
    received: list[UserMessage] = field(default_factory=list)
    fail_with: Exception | None = None
    delay_seconds: float = 0.0

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.fail_with is not None:
            raise self.fail_with
        for response in self.reply(message):
            await message.output_channel.send_response(message.sender_id, dict(response))

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


# -- servers on loopback -----------------------------------------------------------------------------


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serve_channel(channel: InputChannel, bot: FakeBot) -> AsyncIterator[str]:
    """Run a Sanic app with the channel registered as `rasa run` does; yields the base URL."""
    app = Sanic(f"channel_test_{uuid.uuid4().hex}")
    app.ctx.agent = bot
    register([channel], app, route="/webhooks/")
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.start_serving()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        sock.close()


@asynccontextmanager
async def serve_aiohttp(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = _free_socket()
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


def _failing(fake: FakeTwilio | FakeGraph) -> bool:
    """Whether this request fails: fail_status set, and fail_times not used up (None: every request fails)."""
    if not fake.fail_status:
        return False
    if fake.fail_times is None:
        return True
    if fake.fail_times <= 0:
        return False
    fake.fail_times -= 1
    return True


@dataclass
class FakeTwilio:
    """Records Messages.json calls as Twilio's REST API would receive them."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    auth_headers: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    fail_status: int | None = None
    fail_times: int | None = None  # with fail_status: fail only this many requests, then answer again
    hang_s: float = 0.0  # wait this long before answering (a platform that hangs)
    base_url: str = ""

    async def create_message(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.paths.append(request.path)
        self.auth_headers.append(request.headers.get("Authorization", ""))
        if self.hang_s:
            await asyncio.sleep(self.hang_s)
            return web.json_response({"code": 20500, "message": "timed out", "status": 504}, status=504)  # not sent
        if _failing(self):
            return web.json_response(
                {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": self.fail_status},
                status=self.fail_status,
            )
        self.sent.append({key: form.get(key) for key in form})
        sid = next_id("SM")
        return web.json_response(
            {
                "sid": sid,
                "account_sid": request.match_info["account_sid"],
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "api_version": "2010-04-01",
            },
            status=201,
        )

    @property
    def bodies(self) -> list[str]:
        return [m["Body"] for m in self.sent]

    def expected_auth(self) -> str:
        raw = f"{TWILIO_ACCOUNT_SID}:{TWILIO_AUTH_TOKEN}".encode()
        return "Basic " + base64.b64encode(raw).decode()


@dataclass
class FakeGraph:
    """Records POST /{version}/{phone_number_id}/messages as Meta's Graph API would receive them."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    auth_headers: list[str] = field(default_factory=list)
    fail_status: int | None = None
    fail_times: int | None = None  # with fail_status: fail only this many requests, then answer again
    hang_s: float = 0.0  # wait this long before answering (a platform that hangs)
    hang_times: int | None = None  # with hang_s: hang only this many requests (None: every one)
    base_url: str = ""

    async def messages(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        self.auth_headers.append(request.headers.get("Authorization", ""))
        if request.content_type != "application/json":
            return web.json_response({"error": {"code": 100, "message": "not json"}}, status=400)
        payload = await request.json()
        if self.hang_s and (self.hang_times is None or self.hang_times > 0):
            if self.hang_times is not None:
                self.hang_times -= 1
            await asyncio.sleep(self.hang_s)
            return web.json_response({"error": {"code": 2, "message": "timed out"}}, status=504)  # not sent
        if _failing(self):
            return web.json_response({"error": {"code": 131000, "message": "Something went wrong"}},
                                     status=self.fail_status)
        self.sent.append(payload)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
                "messages": [{"id": next_id("wamid.")}],
            }
        )


async def redis_available(url: str = "redis://127.0.0.1:6379/15") -> bool:
    import redis.asyncio as redis_asyncio

    client = redis_asyncio.from_url(url, socket_connect_timeout=1)
    try:
        return bool(await asyncio.wait_for(client.ping(), timeout=2))
    except Exception:
        return False
    finally:
        await client.close(close_connection_pool=True)
