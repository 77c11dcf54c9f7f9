"""Durability: the action server is killed (SIGKILL) in the middle of a burst of opt-out registrations.
Every registration whose confirmation reached the parent must be in the database."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess

import aiohttp
import pytest

from bot.content.loader import REPO_ROOT
from bot.records import service
from bot.records.db import dispose_engine, migrate, session_scope
from bot.server import HOST, action_server_command, wait_until_up
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e
BURST = 120
REFERENCE = re.compile(r"\*\*(OPT-[A-Z0-9]{5})\*\*")


def _submit_call(family_id: str, conversation: str) -> dict:
    """What Rasa sends the action server to run action_submit_task at the end of an objection form."""
    slots = {"verified": True, "family_id": family_id, "pending_task": "objection",
             "purpose": "research_and_planning", "confirm": True}
    tracker = {
        "sender_id": conversation, "slots": slots, "latest_message": {"intent": {"name": "affirm"}, "text": "yes"},
        "events": [{"event": "user", "text": "yes", "input_channel": "rest"}], "paused": False,
        "followup_action": None, "active_loop": {}, "latest_action_name": "objection_form",
    }
    return {"next_action": "action_submit_task", "sender_id": conversation, "tracker": tracker, "domain": {},
            "version": "3.6.21"}


async def _burst(url: str, family_id: str, server: subprocess.Popen) -> list[str]:
    confirmed: list[str] = []

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        try:
            async with session.post(url, json=_submit_call(family_id, f"burst-{i}")) as reply:
                if reply.status == 200:
                    body = await reply.json()
                    for message in body.get("responses", []):
                        match = REFERENCE.search(message.get("text") or "")
                        if match:
                            confirmed.append(match.group(1))
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass  # the server died under this one: the parent saw no confirmation

    async def killer() -> None:
        while len(confirmed) < BURST // 4:
            await asyncio.sleep(0.005)
        server.send_signal(signal.SIGKILL)

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(killer(), *(one(session, i) for i in range(BURST)))
    return confirmed


def test_every_confirmed_registration_survives_a_sigkill(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    migrate(url)
    with session_scope(_engine(url)) as session:
        service.seed_demo(session)
        family_id = service.verify_identity(session, reference_text="DEMO-1001", dob_text="3/4/2019",
                                            conversation_id="setup", channel="test").family_id
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SANIC_HOST=HOST, PYTHONPATH=str(REPO_ROOT))
    server = subprocess.Popen(action_server_command(port), cwd=REPO_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until_up(f"http://{HOST}:{port}/health", [server]), "action server did not start"
        confirmed = asyncio.run(_burst(f"http://{HOST}:{port}/webhook", family_id, server))
        server.wait(timeout=30)
        assert server.returncode == -signal.SIGKILL, "the server was not killed mid-burst"
    finally:
        if server.poll() is None:
            server.kill()
    with session_scope(_engine(url)) as session:
        stored = {r.reference for r in service.list_requests(session)}
    assert BURST // 4 <= len(confirmed) < BURST, len(confirmed)  # killed mid-burst, not before or after
    missing = set(confirmed) - stored
    assert not missing, f"{len(missing)} confirmed registrations were lost"
    dispose_engine(url)


def _engine(url: str):  # type: ignore[no-untyped-def]
    from bot.records.db import get_engine

    return get_engine(url)
