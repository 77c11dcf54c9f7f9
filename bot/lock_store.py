"""A Redis lock store for several Rasa instances sharing one Redis (the scaled deployment, deploy/).

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

HOST = "127.0.0.1"


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, made safe when several Rasa processes share it.

    Rasa 3.6's RedisLockStore issues and frees tickets by reading the lock, changing it in Python and writing
    it back. Inside one process that is safe (one event loop), but two instances can both read the same lock
    and both write theirs: a ticket is lost, two messages of one conversation run at once, and turns are lost
    from the tracker (seen here with 16 messages sent at once to two instances). Here every change is one
    Redis transaction (WATCH/MULTI, retried when another instance changed the lock meanwhile), and the key
    expires on its own when every ticket in it has.

    Two more changes. A waiting message keeps its own ticket alive while it waits (in Rasa a ticket's lifetime
    runs from when it was issued, so a message queued behind one from an instance that died can expire just
    before its turn comes, and fails). And it looks every POLL_S seconds rather than every second.

        lock_store:
          type: bot.lock_store.AtomicRedisLockStore
          url: 127.0.0.1      # the Redis host
          port: 6379
          db: 11
          key_prefix: pda     # letters and digits only
    """

    POLL_S = 0.2

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or HOST, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._lifetimes: dict[tuple[str, int], float] = {}

    def _change(
        self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock | None, Any]]
    ):
        """Apply change(lock) -> (new lock or None to delete, result) atomically; returns the result."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            raw = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            pipe.multi()
            if lock is None or not lock.tickets:
                pipe.delete(key)
            else:
                ttl_ms = max(1, int((max(t.expires for t in lock.tickets) - time.time()) * 1000)) + 1000
                pipe.set(key, lock.dumps(), px=ttl_ms)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            ticket = self._change(conversation_id, change)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        self._lifetimes[(conversation_id, ticket)] = lock_lifetime
        return ticket

    def _wait_turn(self, conversation_id: str, ticket: int, lifetime: float) -> TicketLock | None:
        """Keep our ticket alive, drop expired ones (an instance that died); the lock when it is our turn."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, TicketLock | None]:
            if lock is None:
                return None, None
            for t in lock.tickets:
                if t.number == ticket and not t.has_expired():
                    t.expires = time.time() + lifetime
            lock.remove_expired_tickets()
            ours = any(t.number == ticket for t in lock.tickets)
            return lock, (lock if ours else None)

        return self._change(conversation_id, change)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        lifetime = self._lifetimes.pop((conversation_id, ticket), LOCK_LIFETIME)
        while True:
            lock = self._wait_turn(conversation_id, ticket, lifetime)
            if lock is None:  # our ticket expired (this process stalled longer than the lifetime)
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(min(wait_time_in_seconds, self.POLL_S))

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)
        self._lifetimes.pop((conversation_id, ticket_number), None)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving deletes the key when no ticket is left, in the same transaction
        self.finish_serving(conversation_id, ticket_number)
