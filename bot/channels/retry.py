"""Outbound replies that Twilio or Meta refuse or time out are tried again, then logged, never silently lost.

A send is tried up to `tries` times, waiting `first_wait_s`, then twice as long, between tries, when the failure
may pass (a timeout, a network error, HTTP 429 or 5xx). A refusal that will not pass (another 4xx: a blocked or
unknown number) is not tried again. When every try failed, one error line says which conversation, how many tries,
why, and the start of the text (bot/privacy/logs.py redacts every log record, so numbers and names in it are
masked) and starts with UNDELIVERED, for the council's log monitoring (docs/operations.md); and the conversation
records it: `record_undelivered` adds an event to the parent's conversation (Rasa's `agent` event, which no policy
reads: {"undelivered": {"channel", "tries", "reason"}}), once the turn has let go of the conversation.
A send that timed out may still have reached the parent: a second copy is better than none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

PREVIEW_CHARS = 60


@dataclass(frozen=True)
class Attempt:
    ok: bool
    reason: str = ""
    may_pass: bool = True  # worth trying again

    @classmethod
    def from_status(cls, status: int, detail: str = "") -> Attempt:
        reason = f"HTTP {status}" + (f" ({detail})" if detail else "")
        return cls(ok=status < 300, reason=reason, may_pass=status == 429 or status >= 500)


async def send_with_retries(
    send_once: Callable[[], Awaitable[Attempt]],
    *,
    what: str,
    sender_id: str,
    text: str,
    tries: int = 3,
    first_wait_s: float = 1.0,
    on_undelivered: Callable[[int, str], None] | None = None,
) -> bool:
    """True once a try succeeds; False (logged) when every try failed or the refusal will not pass."""
    attempt = Attempt(ok=False, reason="not tried")
    done = 0
    for done in range(1, max(1, tries) + 1):  # noqa: B007 - `done` is reported below
        attempt = await send_once()
        if attempt.ok:
            if done > 1:
                logger.info("%s to sender %s went through on try %d", what, sender_id, done)
            return True
        if not attempt.may_pass or done == tries:
            break
        await asyncio.sleep(first_wait_s * 2 ** (done - 1))
    preview = " ".join(text.split())[:PREVIEW_CHARS]
    logger.error(
        "UNDELIVERED %s to sender %s after %d tr%s (%s): %r",
        what, sender_id, done, "y" if done == 1 else "ies", attempt.reason, preview,
    )
    if on_undelivered is not None:
        on_undelivered(done, attempt.reason)
    return False


_RECORDING: set[asyncio.Task[Any]] = set()


def record_undelivered(agent: Any, sender_id: str, channel: str, tries: int, reason: str) -> None:
    """Add {"undelivered": ...} to the conversation, in the background: a reply may fail inside a turn, which holds
    the conversation's lock until it ends. Does nothing without a Rasa agent (the channel tests' fake bot)."""
    if agent is None or getattr(agent, "tracker_store", None) is None or not sender_id:
        return

    async def record() -> None:
        from rasa.shared.core.events import AgentUttered

        try:
            async with agent.lock_store.lock(sender_id):
                tracker = await agent.tracker_store.retrieve(sender_id)
                if tracker is None:
                    return
                tracker.update(AgentUttered(data={"undelivered": {"channel": channel, "tries": tries,
                                                                  "reason": reason}}))
                await agent.tracker_store.save(tracker)
        except Exception:  # the conversation store may be what is failing: the log line above stays
            logger.exception("Could not record an undelivered reply in conversation %s", sender_id)

    task = asyncio.ensure_future(record())
    _RECORDING.add(task)
    task.add_done_callback(_RECORDING.discard)
