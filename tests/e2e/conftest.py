"""Starts the real action server and Rasa server on free loopback ports for the end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chat:
    def __init__(self, rasa_port: int) -> None:
        self.url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"

    def send(self, sender: str, message: str, timeout: float = 60) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            assert response.status == 200
            return json.loads(response.read())

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.send(sender, message))


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Iterator[tuple[Chat, list]]:
    from bot.records import service
    from bot.records.db import migrate, session_scope
    from bot.server import start_servers, stop, wait_until_up
    from bot.training import is_current, train

    if not is_current():
        assert train() == 0, "training failed"
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'records.db'}"
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    migrate(url)
    with session_scope() as session:
        service.seed_demo(session)
    rasa_port, actions_port = free_port(), free_port()
    processes = start_servers(rasa_port, actions_port)
    try:
        up = wait_until_up(f"http://127.0.0.1:{actions_port}/health", processes) and wait_until_up(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/", processes
        )
        assert up, "servers did not start"
        yield Chat(rasa_port), processes
    finally:
        stop(processes)
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
