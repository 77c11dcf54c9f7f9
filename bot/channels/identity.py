"""Opaque sender ids, so Rasa trackers and logs never hold a phone number.

The Rasa sender id is HMAC-SHA256(secret, "<channel>|<address>") truncated to 32 hex characters
(128 bits): stable for the same number, unguessable without the secret, not reversible. The address
needed to reply is kept only in the address book (memory or Redis) with a TTL, keyed by that id.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.channels.kv import KeyValueStore

SENDER_ID_HEX_CHARS = 32
DEFAULT_ADDRESS_TTL_SECONDS = 7 * 24 * 3600


def opaque_sender_id(secret: str, channel: str, address: str) -> str:
    if not secret:
        raise ValueError("a sender_id_secret is required to derive opaque sender ids")
    digest = hmac.new(secret.encode("utf-8"), f"{channel}|{address}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:SENDER_ID_HEX_CHARS]}"


class AddressBook:
    """sender id -> the address to reply to (a phone number or WhatsApp id), with a TTL."""

    def __init__(self, store: KeyValueStore, namespace: str, ttl_seconds: int = DEFAULT_ADDRESS_TTL_SECONDS) -> None:
        self._store = store
        self._namespace = namespace
        self._ttl = ttl_seconds

    def _key(self, sender_id: str) -> str:
        return f"address:{self._namespace}:{sender_id}"

    async def remember(self, sender_id: str, address: str) -> None:
        await self._store.set(self._key(sender_id), address, self._ttl)

    async def lookup(self, sender_id: str) -> str | None:
        return await self._store.get(self._key(sender_id))
