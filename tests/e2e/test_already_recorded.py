"""Issue 23, pattern 6, over REST against the real servers: a family that has already opted out of a use and asks
again is told about the objection already sent (when, its reference) instead of getting a second one."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_opting_out_again_is_told_the_date_and_reference_and_no_second_objection_is_made(servers):
    from bot.content.task_text import nice_date
    from bot.records import service
    from bot.records.db import session_scope

    chat, _ = servers
    sender = "e2e-already-objected"
    with session_scope() as session:
        [seeded] = [r for r in service.list_requests(session, type="objection")
                    if r.purpose == "predictive_analytics" and r.details.get("source") == "demo seed"]
    chat.text(sender, "I want to opt out")
    chat.text(sender, "DEMO-1003")
    assert "matches" in chat.text(sender, "9/1/2021")
    reply = chat.text(sender, "predictive analytics")
    assert "already asked" in reply and seeded.reference in reply and nice_date(seeded.created_at) in reply
    assert "where is my request" in reply
    assert "Shall I send it?" not in reply
    assert re.findall(r"OPT-[A-Z0-9]{5}", reply) == [seeded.reference]
    with session_scope() as session:
        assert service.conversation_references(session, conversation_id=sender) == set()
    # what the reply offers works: the request is found by its reference
    chat.text(sender, "where is my request")
    assert seeded.reference in chat.text(sender, seeded.reference)
