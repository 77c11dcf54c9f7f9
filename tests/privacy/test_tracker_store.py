"""The redacting tracker store: what is saved holds no personal details, on every store type we ship."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.sealing import is_sealed, seal, unseal
from bot.privacy.tracker_store import RedactingTrackerStore

PII = {
    "phone": "07700 900123",
    "email": "sarah.jones@example.com",
    "postcode": "SW1A 1AA",
    "nhs": "943 476 5919",
    "dob": "3/4/2019",
    "ref": "DEMO-1001",
    "name": "Rhodri",
}
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  redaction_names: {type: any, mappings: [{type: custom}]}
  identity_reference: {type: text, mappings: [{type: custom}]}
  error_what: {type: text, mappings: [{type: custom}]}
  verified: {type: bool, mappings: [{type: custom}]}
"""
)


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    message = (
        f"my son is called {PII['name']}, call me on {PII['phone']} or {PII['email']}, we live at {PII['postcode']}, "
        f"his NHS number is {PII['nhs']} and he was born {PII['dob']}, ref {PII['ref']}"
    )
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(message, {"name": "report_error"}, [{"entity": "x", "value": PII["phone"]}],
                               parse_data={"text": message, "intent": {"name": "report_error"}}))
    tracker.update(SlotSet("identity_reference", PII["ref"]))
    tracker.update(SlotSet("identity_reference", seal(PII["ref"])))
    tracker.update(SlotSet("error_what", f"{PII['name']}'s date of birth {PII['dob']} is wrong"))
    tracker.update(SlotSet("verified", True))
    tracker.update(BotUttered(f"- What is wrong: {PII['name']}'s date of birth {PII['dob']} is wrong"))
    return tracker


def _assert_clean(text: str) -> None:
    for kind, value in PII.items():
        assert value not in text, f"{kind} ({value}) was stored"


def test_in_memory_store_keeps_no_pii_but_the_conversation_still_works():
    store = RedactingTrackerStore(DOMAIN)
    asyncio.run(store.save(_tracker("c1")))
    _assert_clean(json.dumps(store.inner.store["c1"]) if not isinstance(store.inner.store["c1"], str)
                  else store.inner.store["c1"])
    restored = asyncio.run(store.retrieve("c1"))
    assert restored.get_slot("verified") is True
    assert restored.get_slot("identity_reference").startswith("sealed:")  # still usable by the next step
    assert "[PHONE]" in restored.latest_message.text


def test_sql_store_rows_keep_no_pii(tmp_path):
    db = tmp_path / "trackers.db"
    store = RedactingTrackerStore(DOMAIN, store={"type": "sql", "dialect": "sqlite", "db": str(db)})
    asyncio.run(store.save(_tracker("c2")))
    rows = sqlite3.connect(db).execute("SELECT * FROM events").fetchall()
    assert rows
    _assert_clean(json.dumps([list(map(str, r)) for r in rows]))


def _postgres_url() -> str | None:
    from bot.scaled import find_postgres_user

    return find_postgres_user()[0]


def test_postgres_store_rows_keep_no_pii():
    user = _postgres_url()
    if user is None:
        pytest.skip("no PostgreSQL answers on 127.0.0.1:5432")
    import uuid

    import psycopg2

    sender = f"pii-{uuid.uuid4().hex}"
    store = RedactingTrackerStore(DOMAIN, store={
        "type": "sql", "dialect": "postgresql", "url": "127.0.0.1", "port": 5432, "db": "test", "username": user,
    })
    asyncio.run(store.save(_tracker(sender)))
    with psycopg2.connect(host="127.0.0.1", port=5432, dbname="test", user=user) as conn, conn.cursor() as cur:
        cur.execute("SELECT * FROM events WHERE sender_id = %s", (sender,))
        rows = cur.fetchall()
        cur.execute("DELETE FROM events WHERE sender_id = %s", (sender,))
    assert rows
    _assert_clean(json.dumps([list(map(str, r)) for r in rows]))


def test_a_name_introduced_in_an_earlier_turn_is_redacted_in_later_turns(tmp_path):
    db = tmp_path / "trackers.db"
    store = RedactingTrackerStore(DOMAIN, store={"type": "sql", "dialect": "sqlite", "db": str(db)})
    tracker = DialogueStateTracker("c3", DOMAIN.slots)
    tracker.update(UserUttered("my son is called Iolo", {"name": "inform"}))
    asyncio.run(store.save(tracker))
    later = asyncio.run(store.retrieve("c3"))  # as the next turn sees it: already redacted
    assert "Iolo" not in later.latest_message.text
    later.update(UserUttered("Iolo has a new school", {"name": "inform"}))
    asyncio.run(store.save(later))
    rows = sqlite3.connect(db).execute("SELECT data FROM events").fetchall()
    assert rows and not any("Iolo" in r[0] for r in rows)


def test_in_memory_store_keeps_what_rasas_own_store_keeps_of_the_redacted_tracker():
    """The in-memory store is written directly (no tracker rebuilt from the redacted events first): what it
    gives back is what Rasa's InMemoryTrackerStore gives back after saving the redacted copy."""
    from rasa.core.tracker_store import InMemoryTrackerStore

    from bot.privacy.tracker_store import redacted_copy

    ours, rasas = RedactingTrackerStore(DOMAIN), InMemoryTrackerStore(DOMAIN)
    turns = [_tracker("c4").events, [UserUttered("Rhodri was off school, ring 07700 900123", {"name": "inform"}),
                                     SlotSet("verified", False), BotUttered("Thanks")]]
    for events in turns:
        before = [asyncio.run(store.retrieve("c4")) for store in (ours, rasas)]
        trackers = [b or DialogueStateTracker("c4", DOMAIN.slots) for b in before]
        for tracker in trackers:
            for event in events:
                tracker.update(event)
        asyncio.run(ours.save(trackers[0]))
        asyncio.run(rasas.save(redacted_copy(trackers[1], DOMAIN)))
    kept = [asyncio.run(store.retrieve("c4")) for store in (ours, rasas)]

    def without_times(tracker: DialogueStateTracker) -> list[dict]:  # and sealed values opened (each seal differs)
        return [{k: unseal(v) if k == "value" and is_sealed(v) else v for k, v in e.as_dict().items()
                 if k != "timestamp"} for e in tracker.events]

    assert without_times(kept[0]) == without_times(kept[1])
    slots = [{k: unseal(v) if is_sealed(v) else v for k, v in t.current_slot_values().items()} for t in kept]
    assert slots[0] == slots[1]
    assert len(kept[0].events) == len(turns[0]) + len(turns[1]) + 1  # and the sealed names slot
    _assert_clean(ours.inner.store["c4"])
    assert "Rhodri" not in ours.inner.store["c4"]


def test_the_family_data_map_is_shown_but_never_kept():
    from bot.privacy.tracker_store import NOT_KEPT, NOT_KEPT_TEXT, redact_event

    event = {"event": "bot", "text": "**Housing system**\nSince: 1 June 2018.",
             "data": {"custom": {"data": {"data_map": {"svg": "<svg>Housing system</svg>", "alt": "Housing"}}}},
             "metadata": {NOT_KEPT: True}}
    kept = redact_event(event)
    assert kept["text"] == NOT_KEPT_TEXT and kept["data"] == {}
    assert "Housing" not in str(kept)
    plain = redact_event({**event, "metadata": {}})
    assert "Housing system" in plain["text"]  # only marked messages are dropped
