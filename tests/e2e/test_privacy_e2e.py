"""A conversation full of personal details through the REST channel: none of it is kept in the conversation
store or the logs, and the tasks still work (the identity check and a report of a mistake go through, and the
report reaches the records database as the parent wrote it)."""

from __future__ import annotations

import sqlite3
import time

import pytest

pytestmark = pytest.mark.e2e

PII = {
    "phone": "07700 900987",
    "email": "ffion.ap.rhys@example.com",
    "postcode": "CF10 1EP",
    "nhs": "943 476 5919",
    "dob": "21/11/2016",
    "reference": "DEMO-1002",
    "name": "Gwenllian",
}


def test_nothing_personal_is_kept_in_the_tracker_store_or_the_logs(servers):
    chat, _ = servers
    sender = "e2e-pii"
    assert "family reference" in chat.text(sender, "report a mistake")
    assert "date of birth" in chat.text(sender, PII["reference"])
    assert "matches" in chat.text(sender, PII["dob"])
    chat.text(sender, f"my daughter is called {PII['name']} and her NHS number {PII['nhs']} is wrong")
    chat.text(sender, f"a letter sent to {PII['postcode']}, call me on {PII['phone']} or {PII['email']}")
    confirm = chat.text(sender, f"{PII['name']} should have NHS number 401 023 2137")
    assert "Shall I send" in confirm
    # the parent sees, and the council gets, the correction as written: names and numbers are what it is about
    assert f"called {PII['name']} and her NHS number {PII['nhs']} is wrong" in confirm
    done = chat.text(sender, "yes")
    assert "FIX-" in done  # redaction did not break the task
    reference = next(w.strip("*.") for w in done.split() if w.strip("*.").startswith("FIX-"))
    requests = sqlite3.connect(chat.folder / "records.db").execute(
        "SELECT details FROM requests WHERE reference = ?", (reference,)).fetchall()
    assert f"{PII['name']} should have NHS number 401 023 2137" in requests[0][0]
    time.sleep(1)  # let the servers flush their logs

    rows = sqlite3.connect(chat.folder / "trackers.db").execute("SELECT * FROM events").fetchall()
    stored = "\n".join(str(value) for row in rows for value in row)
    assert "report a mistake" in stored  # the conversation itself is there
    logs = "\n".join(p.read_text(errors="replace") for p in chat.folder.glob("*.log"))
    assert "report a mistake" in logs  # DEBUG logging really logged the messages
    for kind, value in PII.items():
        assert value not in stored, f"{kind} is in the tracker store"
        assert value not in logs, f"{kind} is in the logs"
