"""Running a conversation turn without keeping the peer waiting.

A webhook starts the turn as a task and waits for it up to `reply_wait_seconds`. A normal turn (tens of
milliseconds) finishes inside the request; a slow one (a slow action server) carries on after the
webhook has answered 200, so Twilio (15 s timeout) and Meta (which retries anything but a quick 200)
never see a timeout. Tasks are held here so they are not garbage-collected half way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class TurnRunner:
    def __init__(self, wait_seconds: float = 10.0) -> None:
        self.wait_seconds = wait_seconds
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def run(self, work: Coroutine[Any, Any, Any]) -> bool:
        """Start `work`; True if it finished within the wait, False if it goes on in the background."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.wait_seconds)
        except asyncio.TimeoutError:
            logger.info("A turn is still running after %.1f s; answering the webhook now", self.wait_seconds)
            return False
        return True

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("A background turn failed", exc_info=task.exception())

    async def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait for every running turn (used at shutdown and by tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
