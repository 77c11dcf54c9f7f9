"""The Redis lock store shared by several Rasa instances (Redis 127.0.0.1:6379, database 12, own key prefix).

Several store objects stand for several instances: each has its own Redis connection, as each process would.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest

from bot.lock_store import AtomicRedisLockStore
from bot.scaled import Redis, redis_problem
from tests.needs import missing

REDIS_DB = 12


@pytest.fixture
def stores():
    if (problem := redis_problem(Redis(lock_db=REDIS_DB))) is not None:
        missing("scale-out", problem)
    prefix = f"locktest{uuid.uuid4().hex[:8]}"
    made = [
        AtomicRedisLockStore(host="127.0.0.1", port=6379, db=REDIS_DB, key_prefix=prefix) for _ in range(4)
    ]
    yield made
    keys = list(made[0].red.scan_iter(match=f"{prefix}:*"))
    if keys:
        made[0].red.delete(*keys)


def test_tickets_issued_at_once_by_several_instances_are_all_distinct_and_kept(stores):
    conversation = "c-" + uuid.uuid4().hex
    issued: list[int] = []
    guard = threading.Lock()
    start = threading.Barrier(len(stores))

    def issue(store: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(25):
            ticket = store.issue_ticket(conversation, 30)
            with guard:
                issued.append(ticket)

    threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(issued) == list(range(100)), "a ticket was issued twice or lost"
    lock = stores[0].get_lock(conversation)
    assert [t.number for t in lock.tickets] == list(range(100))


def test_the_last_ticket_out_deletes_the_lock_and_a_crashed_holders_lock_expires(stores):
    a, b = stores[:2]
    conversation = "c-" + uuid.uuid4().hex
    first = a.issue_ticket(conversation, 30)
    second = b.issue_ticket(conversation, 30)
    a.cleanup(conversation, first)
    assert [t.number for t in b.get_lock(conversation).tickets] == [second]
    b.cleanup(conversation, second)
    assert b.get_lock(conversation) is None
    a.issue_ticket(conversation, 1)  # a holder that never comes back
    assert 0 < a.red.pttl(a.key_prefix + conversation) <= 2000  # the key goes by itself, too


def test_one_message_at_a_time_across_instances(stores):
    conversation = "c-" + uuid.uuid4().hex
    inside = []
    overlaps = []

    async def message(store: AtomicRedisLockStore, n: int) -> None:
        async with store.lock(conversation, lock_lifetime=30):
            if inside:
                overlaps.append(n)
            inside.append(n)
            await asyncio.sleep(0.02)
            inside.remove(n)

    async def main() -> None:
        await asyncio.gather(*(message(stores[n % len(stores)], n) for n in range(12)))

    asyncio.run(main())
    assert overlaps == []
    assert stores[0].get_lock(conversation) is None


def test_a_message_waiting_behind_a_dead_instance_gets_its_turn(stores):
    """In Rasa a waiting ticket's lifetime runs from when it was issued, so one queued behind a dead holder
    could expire just before the holder's did and fail; ours stays alive while its instance waits for it."""
    dead, alive = stores[:2]
    conversation = "c-" + uuid.uuid4().hex
    dead.issue_ticket(conversation, 1.5)  # issued, then the instance died
    started = time.monotonic()

    async def wait_turn() -> float:
        async with alive.lock(conversation, lock_lifetime=1.2):
            return time.monotonic() - started

    waited = asyncio.run(wait_turn())
    assert 1.4 <= waited < 3


def test_reads_the_rasa_endpoint_config_keys():
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig.from_dict(
        {
            "type": "bot.lock_store.AtomicRedisLockStore",
            "url": "127.0.0.1",
            "port": "6379",
            "db": "12",
            "key_prefix": "pda",
        }
    )
    store = AtomicRedisLockStore(endpoint_config=config)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6379, 12)
    assert store.key_prefix.startswith("pda:")
