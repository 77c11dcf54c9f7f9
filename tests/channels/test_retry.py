"""bot.channels.retry: an undelivered reply is recorded in the parent's conversation, after the turn lets go."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import AgentUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.retry import Attempt, record_undelivered, send_with_retries


@dataclass
class Agent:
    tracker_store: InMemoryTrackerStore
    lock_store: InMemoryLockStore


async def test_an_undelivered_reply_is_recorded_in_the_conversation_once_the_turn_ends():
    agent = Agent(InMemoryTrackerStore(Domain.empty()), InMemoryLockStore())
    tracker = DialogueStateTracker("parent-1", [])
    tracker.update(UserUttered("hello"))
    await agent.tracker_store.save(tracker)
    tries = iter([Attempt.from_status(503), Attempt.from_status(500)])

    async with agent.lock_store.lock("parent-1"):  # inside the turn: the record waits for the lock
        delivered = await send_with_retries(
            lambda: asyncio.sleep(0, next(tries)), what="SMS reply", sender_id="parent-1", text="hi", tries=2,
            first_wait_s=0.01, on_undelivered=lambda n, why: record_undelivered(agent, "parent-1", "sms", n, why),
        )
        assert not delivered
        await asyncio.sleep(0.05)
        assert not isinstance((await agent.tracker_store.retrieve("parent-1")).events[-1], AgentUttered)
    for _ in range(50):
        last = (await agent.tracker_store.retrieve("parent-1")).events[-1]
        if isinstance(last, AgentUttered):
            break
        await asyncio.sleep(0.1)
    assert isinstance(last, AgentUttered)
    assert last.data == {"undelivered": {"channel": "sms", "tries": 2, "reason": "HTTP 500"}}


async def test_a_refusal_that_will_not_pass_is_tried_once():
    calls = []

    async def refuse() -> Attempt:
        calls.append(1)
        return Attempt.from_status(400)

    assert not await send_with_retries(refuse, what="SMS reply", sender_id="p", text="hi", first_wait_s=0.01)
    assert len(calls) == 1
