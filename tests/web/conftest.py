"""Fixtures for the web tests: the built reference site, a fake Rasa Socket.IO server, the web app on a real
loopback port, and headless Chromium driven by Playwright
(skipped with a reason when Chromium is missing: tests/needs.py)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channels.webserver import create_app
from bot.content.reference import build_reference
from tests.needs import missing

CHROMIUM = os.environ.get("PDA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Where `make test-deps` (and .ci/run) put axe-core: PDA_NODE_CACHE, by default ~/.cache/pda-node.
NODE_CACHE = Path(os.environ.get("PDA_NODE_CACHE", str(Path.home() / ".cache" / "pda-node")))
AXE_CORE_JS = Path(os.environ.get("AXE_CORE_JS", str(NODE_CACHE / "node_modules" / "axe-core" / "axe.min.js")))

# What the fake Rasa says. Like Rasa's socketio output channel, a web answer arrives as several bot_uttered
# messages (Rasa splits the text at blank lines) and the buttons ride on the last one as quick_replies.
ANSWER_PARTS = [
    "Schools, health visitors and the council keep records about families.",
    "**Who can see them**\n- the workers who help your family\n- the council's data team",
    "Source: [Your data protection rights (ICO)](https://ico.org.uk/for-the-public/)",
]
CHOICES = [
    {"content_type": "text", "title": "See my data", "payload": "/see_my_data"},
    {"content_type": "text", "title": "Talk to a person", "payload": "/talk_to_person"},
]
SEE_MY_DATA_REPLY = "You can ask for a copy of your records. It is free."
HOSTILE_REPLY = (
    '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> '
    "[click me](javascript:window.__pwned=3) **still bold**"
)


@dataclass
class FakeRasa:
    """A Socket.IO server that behaves like Rasa 3.6's socketio channel with session_persistence: true.

    join_rooms=False copies what the installed Rasa 3.6.21 + python-socketio 5.18 really do: the channel
    calls enter_room() without await (RasaHQ/rasa#13027), so a socket never joins its session's room and only
    replies to a session named after the socket's own id arrive. join_rooms=True is a fixed channel.
    """

    sio: socketio.AsyncServer
    join_rooms: bool = False
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    session_requests: list[Any] = field(default_factory=list)
    connects: int = 0
    disconnects: int = 0
    sids: list[str] = field(default_factory=list)

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:  # noqa: ANN001
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the fake Rasa server did not see what the test waited for")
            await asyncio.sleep(0.02)

    async def kick_everyone(self) -> None:
        """Drop every connection from the server side, as a Rasa restart would."""
        for sid in list(self.sids):
            await self.sio.disconnect(sid)


def _fake_rasa_app(join_rooms: bool) -> tuple[web.Application, FakeRasa]:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])
    fake = FakeRasa(sio=sio, join_rooms=join_rooms)
    app = web.Application()
    sio.attach(app, socketio_path="/socket.io")

    @sio.on("connect")
    async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
        fake.connects += 1
        fake.sids.append(sid)
        return True

    @sio.on("disconnect")
    async def disconnect(sid: str) -> None:
        fake.disconnects += 1
        if sid in fake.sids:
            fake.sids.remove(sid)

    @sio.on("session_request")
    async def session_request(sid: str, data: Any) -> None:
        fake.session_requests.append(data)
        data = data if isinstance(data, dict) else {}
        session_id = data.get("session_id") or uuid.uuid4().hex
        if fake.join_rooms:
            await sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Any) -> None:
        fake.received.append(data)
        if not isinstance(data, dict) or not data.get("session_id"):
            return  # Rasa ignores messages without a session id when session_persistence is on
        room = data["session_id"]
        message = str(data.get("message", ""))
        if message == "/see_my_data":
            await sio.emit("bot_uttered", {"text": SEE_MY_DATA_REPLY}, room=room)
        elif message == "hostile":
            await sio.emit("bot_uttered", {"text": HOSTILE_REPLY}, room=room)
        elif message == "data map":
            # what the action sends: json_message={"data": {...}}, which Rasa's socketio channel emits as the data
            await sio.emit("bot_uttered", {"data_map": data_map_message()}, room=room)
        elif message == "silence":
            return
        else:
            for part in ANSWER_PARTS[:-1]:
                await sio.emit("bot_uttered", {"text": part}, room=room)
            await sio.emit("bot_uttered", {"text": ANSWER_PARTS[-1], "quick_replies": CHOICES}, room=room)

    return app, fake


def data_map_message() -> dict[str, str]:
    """The data map picture of DEMO-1002, as actions.show_data_map sends it."""
    from bot.content import data_map_svg
    from bot.content import task_text as say
    from bot.content.loader import content
    from bot.records.holdings import DEMO_HOLDINGS

    held = [h for h in DEMO_HOLDINGS if h.reference == "DEMO-1002"]
    alt = say.data_map_alt(content(), held)
    return {"svg": data_map_svg.render(content(), held, {}, alt), "alt": alt}


@pytest.fixture(scope="session")
def reference_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    build_reference(out)
    return out


@asynccontextmanager
async def serve_fake_rasa(join_rooms: bool = False) -> AsyncIterator[FakeRasa]:
    app, fake = _fake_rasa_app(join_rooms)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await fake.sio.shutdown()
        await server.close()
        # python-socketio leaves the ping task of a dropped socket asleep; end it before the loop closes.
        leftovers = [
            task
            for task in asyncio.all_tasks()
            if "engineio" in getattr(getattr(task.get_coro(), "cr_code", None), "co_filename", "")
        ]
        for task in leftovers:
            task.cancel()
        await asyncio.gather(*leftovers, return_exceptions=True)


@asynccontextmanager
async def serve_site(
    rasa_url: str, reference_dir: Path, exit_url: str | None = "/neutral.html", **options: Any
) -> AsyncIterator[str]:
    """The web app on a free loopback port. Yields its base URL. exit_url None: council.yml's quick_exit_url."""
    server = TestServer(create_app(rasa_url, reference_dir, exit_url, **options), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    async with serve_fake_rasa() as fake:
        yield fake


@pytest.fixture
async def site(fake_rasa: FakeRasa, reference_dir: Path) -> AsyncIterator[str]:
    async with serve_site(fake_rasa.url, reference_dir) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not Path(CHROMIUM).is_file():
        missing("browser", f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set PDA_CHROMIUM)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
def axe_source() -> str:
    if not AXE_CORE_JS.is_file():
        missing(
            "accessibility",
            f"axe-core not found at {AXE_CORE_JS} (npm install --prefix {NODE_CACHE} axe-core@4, or set AXE_CORE_JS)",
        )
    return AXE_CORE_JS.read_text(encoding="utf-8")


# The real servers of the end-to-end tests, for the widget's test against a real Rasa.
from tests.e2e.conftest import peers, servers  # noqa: E402, F401
