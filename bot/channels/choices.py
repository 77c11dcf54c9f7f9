"""Numbered choices for text channels: "Reply 1 for Yes" out, "1" back in.

When the bot offers buttons on SMS (or WhatsApp beyond what interactive messages allow), the buttons
become numbered lines. The last offered choices are remembered per (opaque) sender id, so a later reply
of "1", "1." or " 1 " maps back to that button's payload. Only the latest offer counts: a bot turn
without buttons forgets it, so a "2" typed later as an answer to another question stays text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.formatting import to_plain_text
from bot.channels.kv import KeyValueStore
from bot.content.messages import say

DEFAULT_CHOICES_TTL_SECONDS = 24 * 3600
CHOICE_REPLY = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")


@dataclass(frozen=True)
class Choice:
    title: str
    payload: str


def choices_from_buttons(buttons: Iterable[Mapping[str, Any]] | None) -> list[Choice]:
    """Rasa buttons ({"title": ..., "payload": ...}) as choices; a button without payload sends its title."""
    found: list[Choice] = []
    for button in buttons or []:
        if not isinstance(button, Mapping):
            continue
        title = to_plain_text(str(button.get("title") or "")).strip()
        payload = str(button.get("payload") or "").strip() or title
        if title or payload:
            found.append(Choice(title=title or payload, payload=payload))
    return found


def numbered_lines(choices: list[Choice]) -> str:
    return "\n".join(say("channels.numbered_choice", number=number, title=choice.title)
                     for number, choice in enumerate(choices, start=1))


def with_numbered_choices(text: str, choices: list[Choice]) -> str:
    text = (text or "").strip()
    if not choices:
        return text
    lines = numbered_lines(choices)
    return f"{text}\n\n{lines}" if text else lines


def choice_number(text: str | None) -> int | None:
    """The number in a reply that is only a number ("1", "1.", " 1 ", "2)"), else None."""
    match = CHOICE_REPLY.match(text or "")
    return int(match.group(1)) if match else None


class ChoiceStore:
    def __init__(self, store: KeyValueStore, namespace: str, ttl_seconds: int = DEFAULT_CHOICES_TTL_SECONDS) -> None:
        self._store = store
        self._namespace = namespace
        self._ttl = ttl_seconds

    def _key(self, sender_id: str) -> str:
        return f"choices:{self._namespace}:{sender_id}"

    async def remember(self, sender_id: str, choices: list[Choice]) -> None:
        if not choices:
            await self.forget(sender_id)
            return
        value = json.dumps([[c.title, c.payload] for c in choices], ensure_ascii=False)
        await self._store.set(self._key(sender_id), value, self._ttl)

    async def forget(self, sender_id: str) -> None:
        await self._store.delete(self._key(sender_id))

    async def offered(self, sender_id: str) -> list[Choice]:
        raw = await self._store.get(self._key(sender_id))
        if not raw:
            return []
        try:
            return [Choice(title=str(t), payload=str(p)) for t, p in json.loads(raw)]
        except (ValueError, TypeError):
            return []

    async def resolve(self, sender_id: str, text: str | None) -> Choice | None:
        """The choice a numeric reply picks from the last offer, or None (then the text goes on as text)."""
        number = choice_number(text)
        if number is None:
            return None
        offered = await self.offered(sender_id)
        if 1 <= number <= len(offered):
            return offered[number - 1]
        return None
