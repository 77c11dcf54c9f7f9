"""Oldest message first: how one Rasa server shares its CPU among the messages it is handling.

Rasa handles every message on one event loop. Its work on a message is CPU (NLU, policies, the tracker) broken
up by calls to the action server. Each time a call returns, the message waits behind everything else the loop
has to do, including every new message that arrived meanwhile (their NLU runs in one go). So a turn that
calls the action server five times (the start of the identity check) waited five times, and under load took
several times as long as a topic question (profile: 600-800 ms against 90 ms at 20 users).

`OldestFirst` lets only `capacity` messages into Rasa's processing at a time (4 by default, so that one can use
the CPU while others wait for the action server; `PDA_MESSAGES_AT_ONCE` sets it), and lets the oldest waiting
message in next. Measured at 20 back-to-back users (msg/s, p95): 2 -> 73.5, 332 ms; 3 -> 81.2, 311 ms;
4 -> 84.3, 302 ms; 6 -> 88.2, 316 ms; no gate -> 69.5-76.4, 801-871 ms.
A message that has started finishes before newer ones start, so every turn waits about as long as the work
ahead of it, whatever it does. The work done is the same; the slowest turns get quicker. A message that says
someone is in danger now (bot.nlp.safety, the same rules as the crisis intent) goes before all messages that
have not started.

This order is behaviour, not speed: `install()` puts it around Rasa's MessageProcessor.handle_message (every
channel's messages go through it) in every Rasa server bot.privacy.launch starts, whatever PDA_RASA_FIXES says.

With the speed fix slow_sends_give_way (bot/speed.py), a message gives up its place while a channel sends its
replies to an outside service (Twilio, Meta), which can be slow, and takes the next free place after.
Liveness never depends on the gate: a message that has waited `max_wait_s` goes on without a place, as every
message did before.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import itertools
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_CAPACITY = 4
DEFAULT_MAX_WAIT_S = 2.0


@dataclass
class _Ticket:
    arrived: float
    holding: bool = False  # this message has a place
    io_depth: int = 0  # nested or concurrent I/O waits of this message


class OldestFirst:
    def __init__(self, capacity: int = DEFAULT_CAPACITY, max_wait_s: float = DEFAULT_MAX_WAIT_S) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.max_wait_s = max_wait_s
        self._held = 0
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []  # heap: oldest first
        self._order = itertools.count()
        self._ticket: contextvars.ContextVar[_Ticket | None] = contextvars.ContextVar("pda_ticket", default=None)
        self.overflows = 0  # messages that stopped waiting for a place (overload, or a very slow action server)

    # ---------------------------------------------------------------- places

    async def _acquire(self, ticket: _Ticket) -> None:
        if self._held < self.capacity and not self._waiting:
            self._held += 1
            ticket.holding = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (ticket.arrived, next(self._order), waiter)
        heapq.heappush(self._waiting, entry)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.max_wait_s)
            ticket.holding = True
        except asyncio.TimeoutError:
            self.overflows += 1
            self._forget(entry)
        except BaseException:  # cancelled: leave the queue, and pass the place on if it was just handed over
            self._forget(entry)
            raise

    def _forget(self, entry: tuple[float, int, asyncio.Future[None]]) -> None:
        waiter = entry[2]
        if waiter.done() and not waiter.cancelled():
            self._release()  # handed over as we gave up: pass it on
            return
        waiter.cancel()
        try:
            self._waiting.remove(entry)
            heapq.heapify(self._waiting)
        except ValueError:
            pass

    def _release(self) -> None:
        while self._waiting:
            _, _, waiter = heapq.heappop(self._waiting)
            if not waiter.done():
                waiter.set_result(None)  # the place goes straight to the oldest waiter
                return
        self._held -= 1

    def _give_up(self, ticket: _Ticket) -> None:
        if ticket.holding:
            ticket.holding = False
            self._release()

    # ---------------------------------------------------------------- what Rasa's code is wrapped in

    @asynccontextmanager
    async def message(self, urgent: bool = False) -> Any:
        """Around Rasa's work on one message; nested calls (Rasa calling itself) share the outer ticket.

        An urgent message (someone in danger now) goes before every message that has not started."""
        if self._ticket.get() is not None:
            yield
            return
        ticket = _Ticket(arrived=float("-inf") if urgent else time.monotonic())
        token = self._ticket.set(ticket)
        try:
            await self._acquire(ticket)
            yield
        finally:
            self._give_up(ticket)
            self._ticket.reset(token)

    async def io(self, wait: Callable[[], Awaitable[T]]) -> T:
        """Run `wait()` (a wait for an outside service) without a place, then take the next free one."""
        ticket = self._ticket.get()
        if ticket is None:
            return await wait()
        ticket.io_depth += 1
        if ticket.io_depth == 1:
            self._give_up(ticket)
        try:
            result = await wait()
        except asyncio.CancelledError:
            ticket.io_depth -= 1  # the message is being stopped: it needs no place again
            raise
        except BaseException:
            await self._back_from_io(ticket)  # Rasa may handle the error and go on
            raise
        await self._back_from_io(ticket)
        return result

    async def _back_from_io(self, ticket: _Ticket) -> None:
        ticket.io_depth -= 1
        if ticket.io_depth == 0:
            await self._acquire(ticket)

    @property
    def held(self) -> int:
        return self._held

    @property
    def waiting(self) -> int:
        return len(self._waiting)  # only pending waiters: a place is handed over by popping, a give-up removes


def _capacity_from_env() -> int:
    try:
        return max(1, int(os.environ.get("PDA_MESSAGES_AT_ONCE", DEFAULT_CAPACITY)))
    except ValueError:
        return DEFAULT_CAPACITY


GATE = OldestFirst(capacity=_capacity_from_env())


def io_free_output(output_channel: Any) -> bool:
    """True for output channels that only collect replies in memory (REST): sending to them is no I/O wait."""
    from rasa.core.channels.channel import CollectingOutputChannel

    return type(output_channel) is CollectingOutputChannel


_INSTALLED = "_pda_crisis_first"


def install() -> None:
    """Put every message Rasa handles through GATE: a message about danger now first, then oldest first.

    Rasa's MessageProcessor.handle_message(self, message) is public and is wrapped, not replaced. If an upgrade
    changes its signature this refuses to start the server rather than run without the order."""
    import inspect

    from rasa.core.processor import MessageProcessor

    from bot.nlp.safety import detect_crisis

    handle_message = MessageProcessor.handle_message
    if getattr(handle_message, _INSTALLED, False):
        return
    parameters = list(inspect.signature(handle_message).parameters)
    if parameters != ["self", "message"]:
        raise RuntimeError(
            "crisis-first order: Rasa's MessageProcessor.handle_message now takes "
            f"({', '.join(parameters)}), not (self, message); update bot/oldest_first.py before running this Rasa"
        )

    async def crisis_first_handle_message(self: MessageProcessor, message: Any) -> Any:
        urgent = isinstance(message.text, str) and detect_crisis(message.text).is_crisis
        async with GATE.message(urgent=urgent):
            return await handle_message(self, message)

    setattr(crisis_first_handle_message, _INSTALLED, True)
    MessageProcessor.handle_message = crisis_first_handle_message  # type: ignore[method-assign]
