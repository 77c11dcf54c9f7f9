"""Rasa's socketio channel with the session room joined properly.

Rasa 3.6.21 calls `sio.enter_room()` without `await`; with python-socketio 5.x that coroutine never runs,
so a browser that resumes its session (session_persistence) never gets the replies
(RasaHQ/rasa#13027). We register our own `session_request` handler that awaits it. Messages go through
bot.channels.fault_reply.guard (a kind answer when a part fails); everything else is Rasa's channel as it is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.channels.fault_reply import guard

logger = logging.getLogger(__name__)


class SocketIOChannel(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(guard(on_new_message))  # a kind answer when a part of the assistant fails
        sio = self.sio

        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id or len(session_id) > 128:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        sio.on("session_request", handler=session_request, namespace=self.namespace)
        return webhook
