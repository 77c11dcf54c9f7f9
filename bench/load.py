"""The load generator: N simulated parents, each holding one conversation at a time over Rasa's REST channel.

A level runs `concurrency` workers. Each takes the next conversation script, sends its turns one after the
other (the next only when the reply has come, as a person would), and records each message's latency. A level
stops by itself: after `max_conversations` conversations, or when `max_seconds` have passed (no new
conversation starts after that; those in flight get `grace_s` more, then are cancelled and counted as errors).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Turn:
    text: str
    expect: tuple[str, ...] = ()  # the reply must contain one of these (case-insensitive); empty: any reply


@dataclass(frozen=True)
class Script:
    kind: str
    turns: tuple[Turn, ...]


# conversation number -> the script for it
ScriptFactory = Callable[[int], Script]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, not {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class LevelResult:
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = (
        0  # failed requests: connection errors, timeouts, HTTP status other than 200, cut off at the end
    )
    unexpected: int = 0  # answered, but not with what the script expects (e.g. no request reference)
    conversations: int = 0  # finished conversations
    wall_s: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    by_turn: dict[str, list[float]] = field(default_factory=dict)  # "kind#n" -> latencies of the n-th turn

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.messages / self.wall_s if self.wall_s > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "concurrency": self.concurrency,
            "messages": self.messages,
            "conversations": self.conversations,
            "wall_s": round(self.wall_s, 2),
            "throughput_msg_s": round(self.throughput, 2),
            "p50_ms": rounded(percentile(self.latencies_ms, 50)),
            "p95_ms": rounded(percentile(self.latencies_ms, 95)),
            "p99_ms": rounded(percentile(self.latencies_ms, 99)),
            "max_ms": rounded(max(self.latencies_ms, default=None) if self.latencies_ms else None),
            "errors": self.errors,
            "unexpected": self.unexpected,
            "kinds": dict(sorted(self.kinds.items())),
            "error_samples": self.error_samples[:5],
            "by_turn": {
                label: {
                    "n": len(values),
                    "p50_ms": rounded(percentile(values, 50)),
                    "p95_ms": rounded(percentile(values, 95)),
                }
                for label, values in sorted(self.by_turn.items())
            },
        }


def _reply_text(payload: Any) -> str:
    if not isinstance(payload, list):
        return ""
    parts = []
    for message in payload:
        if isinstance(message, dict):
            parts.append(str(message.get("text") or ""))
            for button in message.get("buttons") or []:
                if isinstance(button, dict):
                    parts.append(str(button.get("title") or ""))
    return "\n".join(parts)


class _Level:
    def __init__(
        self,
        url: str,
        concurrency: int,
        scripts: ScriptFactory,
        max_conversations: int,
        max_seconds: float,
        request_timeout_s: float,
        sender_prefix: str,
    ) -> None:
        self.url = url
        self.scripts = scripts
        self.max_conversations = max_conversations
        self.max_seconds = max_seconds
        self.timeout = aiohttp.ClientTimeout(total=request_timeout_s)
        self.sender_prefix = sender_prefix
        self.result = LevelResult(concurrency)
        self.next_index = 0
        self.started = 0.0
        self.last_done = 0.0

    def _note_error(self, message: str) -> None:
        self.result.errors += 1
        if len(self.result.error_samples) < 20:
            self.result.error_samples.append(message[:200])

    def _take(self) -> int | None:
        if self.next_index >= self.max_conversations or time.monotonic() - self.started >= self.max_seconds:
            return None
        index = self.next_index
        self.next_index += 1
        return index

    async def _conversation(self, session: aiohttp.ClientSession, index: int) -> None:
        script = self.scripts(index)
        sender = f"{self.sender_prefix}-{index}"
        for number, turn in enumerate(script.turns):
            sent = time.perf_counter()
            try:
                async with session.post(
                    self.url, json={"sender": sender, "message": turn.text}, timeout=self.timeout
                ) as response:
                    body = await response.read()
                    elapsed_ms = (time.perf_counter() - sent) * 1000
                    if response.status != 200:
                        self._note_error(f"{script.kind}: HTTP {response.status} for {turn.text!r}")
                        return
                    payload = json.loads(body)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                self._note_error(f"{script.kind}: {type(error).__name__} for {turn.text!r}: {error}")
                return
            self.result.latencies_ms.append(elapsed_ms)
            self.result.by_turn.setdefault(f"{script.kind}#{number}", []).append(elapsed_ms)
            self.last_done = time.monotonic()
            text = _reply_text(payload).lower()
            if turn.expect and not any(e.lower() in text for e in turn.expect):
                self.result.unexpected += 1
                if len(self.result.error_samples) < 20:
                    self.result.error_samples.append(
                        f"{script.kind}: {turn.text!r} got {text[:120]!r}, expected one of {turn.expect}"
                    )
        self.result.conversations += 1
        self.result.kinds[script.kind] = self.result.kinds.get(script.kind, 0) + 1

    async def _worker(self, session: aiohttp.ClientSession) -> None:
        while (index := self._take()) is not None:
            await self._conversation(session, index)

    async def run(self, grace_s: float) -> LevelResult:
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            self.started = time.monotonic()
            self.last_done = self.started
            workers = [asyncio.create_task(self._worker(session)) for _ in range(self.result.concurrency)]
            done, pending = await asyncio.wait(workers, timeout=self.max_seconds + grace_s)
            for task in pending:
                task.cancel()
                self._note_error("cut off: the level's time ran out mid-conversation")
            await asyncio.gather(*pending, return_exceptions=True)
            for task in done:
                if task.exception() is not None:
                    self._note_error(f"worker crashed: {task.exception()!r}")
        self.result.wall_s = max(self.last_done - self.started, 1e-9)
        return self.result


async def run_level(
    url: str,
    concurrency: int,
    scripts: ScriptFactory,
    *,
    max_conversations: int,
    max_seconds: float,
    request_timeout_s: float = 30.0,
    grace_s: float = 30.0,
    sender_prefix: str = "bench",
) -> LevelResult:
    """Drive one concurrency level against a REST webhook URL and return what was measured."""
    if concurrency < 1 or max_conversations < 1:
        raise ValueError("concurrency and max_conversations must be at least 1")
    level = _Level(
        url, concurrency, scripts, max_conversations, max_seconds, request_timeout_s, sender_prefix
    )
    return await level.run(grace_s)


def run_level_sync(url: str, concurrency: int, scripts: ScriptFactory, **kwargs: Any) -> LevelResult:
    return asyncio.run(run_level(url, concurrency, scripts, **kwargs))
