"""Process each inbound message once, however often the peer retries it.

Twilio may send the same MessageSid again (connection overrides, timeouts) and Meta retries a webhook
until it gets a 200. The first delivery claims the id; later ones are dropped. With Redis this is one
atomic `SET key 1 NX EX ttl`, so two instances racing on the same retry still process it once.
"""

from __future__ import annotations

from bot.channels.kv import KeyValueStore

DEFAULT_DEDUPE_TTL_SECONDS = 7 * 24 * 3600  # Meta retries for up to 7 days; Twilio within minutes


class Deduplicator:
    def __init__(self, store: KeyValueStore, namespace: str, ttl_seconds: int = DEFAULT_DEDUPE_TTL_SECONDS) -> None:
        self._store = store
        self._namespace = namespace
        self._ttl = ttl_seconds

    async def first_time(self, message_id: str) -> bool:
        """True the first time this id is seen (and claims it); False for every repeat within the TTL."""
        return await self._store.set_if_absent(f"dedupe:{self._namespace}:{message_id}", "1", self._ttl)
