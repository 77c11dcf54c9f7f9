"""The state the channels keep: TTL store, dedupe, remembered choices, address book, opt-outs, sender ids.
Each runs on the in-memory store and on Redis (127.0.0.1:6379, skipped when unreachable)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from channel_fakes import next_id, redis_available

from bot.channels.choices import Choice, ChoiceStore
from bot.channels.dedupe import Deduplicator
from bot.channels.identity import AddressBook, opaque_sender_id
from bot.channels.kv import KeyValueStore, MemoryStore, RedisStore, StoreUnavailable
from bot.channels.optout import OptOutRegister


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[KeyValueStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if not await redis_available():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    redis_store = RedisStore("redis://127.0.0.1:6379/15", prefix=f"pda-test-{next_id('')}:")
    yield redis_store
    await redis_store.close()


async def test_set_get_delete(store: KeyValueStore) -> None:
    assert await store.get("k") is None
    await store.set("k", "Dŵr 👍", 60)
    assert await store.get("k") == "Dŵr 👍"
    await store.delete("k")
    assert await store.get("k") is None


async def test_set_if_absent_claims_once(store: KeyValueStore) -> None:
    assert await store.set_if_absent("claim", "1", 60) is True
    assert await store.set_if_absent("claim", "2", 60) is False
    assert await store.get("claim") == "1"


async def test_dedupe(store: KeyValueStore) -> None:
    dedupe = Deduplicator(store, "sms", ttl_seconds=60)
    assert await dedupe.first_time("SM1") is True
    assert await dedupe.first_time("SM1") is False
    assert await dedupe.first_time("SM2") is True
    other_channel = Deduplicator(store, "whatsapp", ttl_seconds=60)
    assert await other_channel.first_time("SM1") is True


async def test_choice_store(store: KeyValueStore) -> None:
    choices = ChoiceStore(store, "sms", ttl_seconds=60)
    offered = [Choice("Yes", "/affirm"), Choice("Na, dim diolch", '/deny{"lang":"cy"}')]
    await choices.remember("sender-a", offered)
    assert await choices.offered("sender-a") == offered
    assert await choices.resolve("sender-a", " 2. ") == offered[1]
    assert await choices.resolve("sender-a", "3") is None
    assert await choices.resolve("sender-a", "yes") is None
    assert await choices.resolve("sender-b", "1") is None
    await choices.remember("sender-a", [])
    assert await choices.resolve("sender-a", "1") is None


async def test_address_book_and_opt_outs(store: KeyValueStore) -> None:
    book = AddressBook(store, "sms", ttl_seconds=60)
    await book.remember("sms-abc", "+447700900123")
    assert await book.lookup("sms-abc") == "+447700900123"
    assert await book.lookup("sms-other") is None

    register = OptOutRegister(store)
    assert not await register.is_opted_out("sms-abc")
    await register.opt_out("sms-abc")
    assert await register.is_opted_out("sms-abc")
    await register.opt_in("sms-abc")
    assert not await register.is_opted_out("sms-abc")


async def test_memory_store_expires_keys() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    await store.set("short", "1", 10)
    await store.set("forever", "1", None)
    assert await store.set_if_absent("claim", "1", 10)
    clock.now += 9.9
    assert await store.get("short") == "1"
    clock.now += 0.2
    assert await store.get("short") is None
    assert await store.get("forever") == "1"
    assert await store.set_if_absent("claim", "again", 10), "an expired claim can be made again"


async def test_memory_store_is_bounded_but_the_opt_out_store_is_not() -> None:
    store = MemoryStore(max_items=3)
    for n in range(5):
        await store.set(f"k{n}", "v", 60)
    assert len(store) == 3
    assert await store.get("k0") is None
    assert await store.get("k4") == "v"

    unbounded = MemoryStore(max_items=None)
    register = OptOutRegister(unbounded)
    for n in range(1000):
        await register.opt_out(f"sms-{n}")
    assert await register.is_opted_out("sms-0")


async def test_redis_down_is_store_unavailable() -> None:
    store = RedisStore("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with pytest.raises(StoreUnavailable):
        await store.get("k")
    await store.close()


def test_opaque_sender_id() -> None:
    first = opaque_sender_id("secret", "sms", "+447700900123")
    assert first == opaque_sender_id("secret", "sms", "+447700900123")
    assert first.startswith("sms-") and len(first) == 4 + 32
    assert "447700900123" not in first
    assert first != opaque_sender_id("other-secret", "sms", "+447700900123")
    assert first != opaque_sender_id("secret", "whatsapp", "+447700900123")
    with pytest.raises(ValueError):
        opaque_sender_id("", "sms", "+447700900123")
