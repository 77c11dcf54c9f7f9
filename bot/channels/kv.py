"""Small key-value stores with expiry, shared by the SMS and WhatsApp channels.

`MemoryStore` keeps everything in this process (the default: fine for one `rasa run` instance).
`RedisStore` keeps it in Redis (set `redis_url` in credentials.yml when several instances run behind a load
balancer, so a retry or a "1" reply that lands on another instance still finds the state).

Both hold strings only. Keys are namespaced by the caller (e.g. "dedupe:sms:SM123").
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol


class StoreUnavailable(RuntimeError):
    """The backing store (Redis) could not be reached; the webhook answers 503 so the peer retries."""


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None: ...

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int | None = None) -> bool: ...

    async def delete(self, key: str) -> None: ...


class MemoryStore:
    """An in-process store with per-key expiry and an optional bound on the number of keys.

    When `max_items` is reached the oldest key is dropped first. Stores that must never lose a key
    (the SMS opt-out register) are made with `max_items=None`.
    """

    def __init__(self, max_items: int | None = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: OrderedDict[str, tuple[str, float | None]] = OrderedDict()
        self._max_items = max_items
        self._clock = clock

    def __len__(self) -> int:
        self._purge_expired()
        return len(self._data)

    def _expiry(self, ttl_seconds: int | None) -> float | None:
        return None if ttl_seconds is None else self._clock() + ttl_seconds

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._clock():
            del self._data[key]
            return None
        return value

    def _purge_expired(self) -> None:
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
            del self._data[key]

    def _put(self, key: str, value: str, ttl_seconds: int | None) -> None:
        self._data[key] = (value, self._expiry(ttl_seconds))
        self._data.move_to_end(key)
        if self._max_items is not None and len(self._data) > self._max_items:
            self._purge_expired()
            while len(self._data) > self._max_items:
                self._data.popitem(last=False)

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        self._put(key, value, ttl_seconds)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int | None = None) -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl_seconds)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)


class RedisStore:
    """A store in Redis, through redis-py's asyncio client (installed with Rasa).

    The client is made lazily in the running event loop (a redis asyncio connection pool belongs to
    the loop that made it), and again if the loop changes.
    """

    def __init__(self, url: str, prefix: str = "pda:") -> None:
        self.url = url
        self.prefix = prefix
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            import redis.asyncio as redis_asyncio

            self._client = redis_asyncio.from_url(
                self.url, decode_responses=True, socket_connect_timeout=3, socket_timeout=3
            )
            self._loop = loop
        return self._client

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return await getattr(self._redis(), method)(*args, **kwargs)
        except (RedisError, OSError) as error:
            message = f"Redis at the configured redis_url is unavailable: {type(error).__name__}"
            raise StoreUnavailable(message) from error

    async def get(self, key: str) -> str | None:
        return await self._call("get", self.prefix + key)

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        await self._call("set", self.prefix + key, value, ex=ttl_seconds)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int | None = None) -> bool:
        return bool(await self._call("set", self.prefix + key, value, ex=ttl_seconds, nx=True))

    async def delete(self, key: str) -> None:
        await self._call("delete", self.prefix + key)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close(close_connection_pool=True)
            self._client = None
            self._loop = None


async def close_store_quietly(store: object) -> None:
    """Close a Redis store's connections at shutdown (nothing to do for a memory store)."""
    if isinstance(store, RedisStore):
        try:
            await store.close()
        except Exception:  # closing at shutdown must not raise
            pass


def make_store(
    redis_url: str | None, prefix: str = "pda:", max_items: int | None = 100_000
) -> MemoryStore | RedisStore:
    """Redis when a URL is configured, otherwise an in-process store."""
    if redis_url:
        return RedisStore(redis_url, prefix=prefix)
    return MemoryStore(max_items=max_items)
