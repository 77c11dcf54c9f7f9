"""A tracker store wrapper that redacts personal details before any conversation event is stored.

Wraps any of Rasa's stores (in-memory, SQL, Redis). In endpoints.yml:

    tracker_store:
      type: bot.privacy.tracker_store.RedactingTrackerStore
      store:            # the real store; leave out for in-memory
        type: sql
        dialect: postgresql
        ...

What is stored: user and bot text with PII replaced by tags ([PHONE], [NAME], ...), entity values and
metadata likewise, and slot values redacted except the few that hold no personal data.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.nlp.redact import find_pii, names_pattern, redact
from bot.privacy.purge import PURGE_EVERY_S, schedule_purge
from bot.privacy.sealing import is_sealed, seal, unseal

logger = logging.getLogger(__name__)

# Names a parent introduced earlier in the conversation, sealed (see remember_names).
NAMES_SLOT = "redaction_names"
# Slots whose values are never personal: flags, ids we generate, choices from fixed lists.
SAFE_SLOTS = frozenset(
    {"verified", "family_id", "identity_locked", "pending_task", "requested_slot", "purpose", "level",
     "confirm", "topic_id", "session_started_metadata", "review_channel", "review_answers"}
)
# A bot message whose metadata holds this key is shown to the parent but never kept: the family's data map.
NOT_KEPT = "pda_not_kept"
NOT_KEPT_TEXT = "[not kept: the family's data map]"


# Every save redacts the whole conversation again; the same texts come back turn after turn, so remember them.
_redact = functools.lru_cache(maxsize=16384)(redact)


class _Redactor:
    """Redacts the texts of one conversation. A name a parent introduced once ("my son is called Tom") is
    removed wherever it comes up again in that conversation, also where it is not introduced."""

    def __init__(self, names: set[str]) -> None:
        self.names = names_pattern(names)

    def text(self, value: str) -> str:
        value = _redact(value)
        return self.names.sub("[NAME]", value) if self.names else value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return value if is_sealed(value) else self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


@functools.lru_cache(maxsize=16384)  # like _redact: every save reads the whole conversation again
def _names_in(text: str) -> frozenset[str]:
    return frozenset(text[start:end] for start, end, label in find_pii(text) if label == "NAME")


def introduced_names(events: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Names introduced in the user's texts of these events, and those remembered (sealed) from earlier turns."""
    said: set[str] = set()
    remembered: set[str] = set()
    for event in events:
        if event.get("event") == "user" and isinstance(event.get("text"), str):
            said |= _names_in(event["text"])
        elif event.get("event") == "slot" and event.get("name") == NAMES_SLOT:
            sealed = unseal(event.get("value"))
            if sealed:
                remembered |= set(json.loads(sealed))
    return said, remembered


def redact_event(event: dict[str, Any], redactor: _Redactor | None = None) -> dict[str, Any]:
    """A copy of one serialised event with personal details replaced by tags."""
    redactor = redactor or _Redactor(set())
    event = dict(event)
    kind = event.get("event")
    if kind in ("user", "bot") and isinstance(event.get("text"), str):
        event["text"] = redactor.text(event["text"])
    if kind == "user" and isinstance(event.get("parse_data"), dict):
        parse = dict(event["parse_data"])
        if isinstance(parse.get("text"), str):
            parse["text"] = redactor.text(parse["text"])
        parse["entities"] = [
            {**e, "value": redactor.value(e.get("value"))} for e in parse.get("entities") or [] if isinstance(e, dict)
        ]
        event["parse_data"] = parse
    if kind == "slot" and event.get("name") not in SAFE_SLOTS:
        event["value"] = redactor.value(event.get("value"))
    if isinstance(event.get("metadata"), dict):
        event["metadata"] = redactor.value(event["metadata"])
    if kind == "bot" and isinstance(event.get("data"), dict):
        event["data"] = redactor.value(event["data"])
    if kind == "bot" and isinstance(event.get("metadata"), dict) and event["metadata"].get(NOT_KEPT):
        event["text"] = NOT_KEPT_TEXT
        event["data"] = {}
    return event


def redacted_events(tracker: DialogueStateTracker) -> list[dict[str, Any]]:
    """The conversation's events, serialised, with personal details replaced by tags.

    Earlier turns are stored redacted, so the names they introduced are kept sealed in a slot for later turns:
    when this turn introduces a name, the slot is set on the tracker (and its event is among those returned)."""
    raw = [e.as_dict() for e in tracker.events]
    said, remembered = introduced_names(raw)
    names = said | remembered
    if names - remembered:
        remembered = SlotSet(NAMES_SLOT, seal(json.dumps(sorted(names))))
        tracker.update(remembered)
        raw.append(remembered.as_dict())
    redactor = _Redactor(names)
    events = [redact_event(e, redactor) for e in raw]
    history = tracker._max_event_history
    return events[-history:] if history else events


def redacted_copy(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_dict(
        tracker.sender_id, redacted_events(tracker), domain.slots, max_event_history=tracker._max_event_history
    )


class RedactingTrackerStore(TrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        store: dict[str, Any] | None = None,
        retention_days: int | None = None,
        purge_every_s: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        inner_config = EndpointConfig.from_dict(store) if store else None
        self.inner = create_tracker_store(inner_config, domain, event_broker)
        self.retention_days = retention_days or _council_retention_days()
        self.purge_every_s = purge_every_s or PURGE_EVERY_S
        self._purge_scheduled = False

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self._domain = domain or Domain.empty()
        self.inner.domain = self._domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not self._purge_scheduled:
            self._purge_scheduled = True
            try:
                await schedule_purge(self, self.retention_days, self.purge_every_s)
            except RuntimeError:  # never lose a conversation turn over the schedule; `python -m bot purge` remains
                logger.exception("Could not schedule the retention purge in this process.")
        if type(self.inner) is InMemoryTrackerStore and self.inner.event_broker is None:
            # What the in-memory store keeps (the JSON of Rasa's Dialogue), without first rebuilding a whole
            # tracker from the redacted events only for the store to turn it back into JSON.
            dialogue = {"events": redacted_events(tracker), "name": tracker.sender_id}
            self.inner.store[tracker.sender_id] = json.dumps(dialogue)
        else:
            await self.inner.save(redacted_copy(tracker, self.domain))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self.inner.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self.inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self.inner.keys()



def _council_retention_days() -> int:
    from bot.content.loader import content

    return content().council.conversation_retention_days
