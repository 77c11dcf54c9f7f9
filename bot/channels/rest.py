"""Rasa's REST channel (POST /webhooks/rest/webhook), with every message going through
bot.channels.fault_reply.guard: a kind answer when a part of the assistant fails, never an empty reply.
Everything else is Rasa's channel as it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.fault_reply import guard


class RestChannel(RestInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guard(on_new_message))
