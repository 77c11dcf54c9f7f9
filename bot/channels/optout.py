"""The SMS opt-out register: numbers (by opaque sender id) that texted STOP and get nothing more.

Kept without expiry. In memory it lasts as long as the process; with `redis_url` it survives restarts
and is shared by every instance. Twilio's own Advanced Opt-Out blocks delivery to opted-out numbers at
the carrier level as well, so a lost in-memory register never leads to a text reaching someone who
said STOP; this register stops the bot from even trying (and from running the conversation).
"""

from __future__ import annotations

from bot.channels.kv import KeyValueStore


class OptOutRegister:
    def __init__(self, store: KeyValueStore, namespace: str = "sms") -> None:
        self._store = store
        self._namespace = namespace

    def _key(self, sender_id: str) -> str:
        return f"optout:{self._namespace}:{sender_id}"

    async def opt_out(self, sender_id: str) -> None:
        await self._store.set(self._key(sender_id), "1", None)

    async def opt_in(self, sender_id: str) -> None:
        await self._store.delete(self._key(sender_id))

    async def is_opted_out(self, sender_id: str) -> bool:
        return await self._store.get(self._key(sender_id)) is not None
