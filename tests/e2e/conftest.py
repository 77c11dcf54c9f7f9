"""Starts the real action server and Rasa server on free loopback ports for the end-to-end tests.

The Rasa server listens on REST and socketio as shipped, plus the SMS and WhatsApp channels configured with
test secrets and pointed at fake Twilio and Graph API servers on loopback, so every channel runs for real.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from bot.content.loader import REPO_ROOT
from bot.server import free_port
from tests.channels.channel_fakes import FakeGraph, FakeTwilio
from tests.rest_client import RestChat

TWILIO_SID = "AC" + "0" * 31 + "9"
TWILIO_TOKEN = "e2e-twilio-auth-token"
WHATSAPP_SECRET = "e2e-app-secret"
WHATSAPP_VERIFY = "e2e-verify-token"
PHONE_NUMBER_ID = "1065403522"


class Chat(RestChat):
    """The REST channel of the e2e servers, and the folder with their logs and conversation store."""

    def __init__(self, rasa_port: int, folder: Path, actions_port: int = 0) -> None:
        self.folder = folder  # trackers.db and the servers' logs
        self.rasa_port, self.actions_port = rasa_port, actions_port
        self.base = f"http://127.0.0.1:{rasa_port}"
        super().__init__(f"{self.base}/webhooks/rest/webhook", timeout=60)


@dataclass
class FakePeers:
    """The channel tests' fake Twilio REST API and Meta Graph API, on one loopback port, recording what is sent."""

    twilio: FakeTwilio = field(default_factory=FakeTwilio)
    graph: FakeGraph = field(default_factory=FakeGraph)
    port: int = 0

    @property
    def sms(self) -> list[dict]:
        return self.twilio.sent

    @property
    def whatsapp(self) -> list[dict]:
        return self.graph.sent

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", self.twilio.create_message)
        app.router.add_post("/{version}/{phone_number_id}/messages", self.graph.messages)
        return app

    def start(self) -> None:
        self.port = free_port()
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            runner = web.AppRunner(self.app(), access_log=None)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
            ready.set()
            loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        assert ready.wait(10)


def test_credentials(path: Path, peers_port: int) -> Path:
    config = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text(encoding="utf-8"))
    base = f"http://127.0.0.1:{peers_port}"
    config["bot.channels.sms.SmsInput"] = {
        "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN, "twilio_number": "+447700900000",
        "sender_id_secret": "e2e-sender-secret", "public_url": "https://parents.example.gov.uk/webhooks/sms/webhook",
        "api_base_url": base,
    }
    config["bot.channels.whatsapp.WhatsAppInput"] = {
        "verify_token": WHATSAPP_VERIFY, "app_secret": WHATSAPP_SECRET, "access_token": "e2e-access",
        "phone_number_id": PHONE_NUMBER_ID, "sender_id_secret": "e2e-sender-secret", "graph_base_url": base,
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def peers() -> FakePeers:
    fake = FakePeers()
    fake.start()
    return fake


@contextmanager
def trained_model_and_demo_records(folder: Path) -> Iterator[str]:
    """A current model, and a migrated SQLite records database with the demo families as DATABASE_URL (for the
    servers started meanwhile). Yields the database URL."""
    from bot.records import service
    from bot.records.db import migrate, session_scope
    from bot.training import is_current, train

    if not is_current():
        assert train() == 0, "training failed"
    url = f"sqlite:///{folder / 'records.db'}"
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    migrate(url)
    with session_scope() as session:
        service.seed_demo(session)
    try:
        yield url
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old


@pytest.fixture(scope="session")
def servers(tmp_path_factory, peers) -> Iterator[tuple[Chat, list]]:
    folder = tmp_path_factory.mktemp("e2e")
    with trained_model_and_demo_records(folder):
        yield from _start(folder, peers)


def _start(folder: Path, peers: FakePeers) -> Iterator[tuple[Chat, list]]:
    from bot.server import start_servers, stop, wait_until_up

    rasa_port, actions_port = free_port(), free_port()
    # Conversations go to a SQLite tracker store (through our redacting wrapper) and every log line at DEBUG
    # goes to a file, so the privacy tests can read everything that was kept.
    tracker_store = {"type": "bot.privacy.tracker_store.RedactingTrackerStore",
                     "store": {"type": "sql", "dialect": "sqlite", "db": str(folder / "trackers.db")}}
    os.environ["LOG_LEVEL"] = "DEBUG"
    processes = start_servers(
        rasa_port, actions_port, credentials=test_credentials(folder / "creds.yml", peers.port),
        endpoints={"tracker_store": tracker_store}, log_dir=folder,
    )
    os.environ.pop("LOG_LEVEL", None)
    try:
        up = wait_until_up(f"http://127.0.0.1:{actions_port}/health", processes) and wait_until_up(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/", processes
        )
        assert up, "servers did not start"
        yield Chat(rasa_port, folder, actions_port), processes
    finally:
        stop(processes)
