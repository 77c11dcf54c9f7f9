"""Retention: the purge removes exactly what is past its period, and nothing else."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select

from bot.privacy.purge import purge_conversations
from bot.records import service
from bot.records.db import session_scope
from bot.records.models import AuditEntry, Request
from bot.records.retention import purge_records

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
DAY = 24 * 60 * 60


def _family_id(session, reference="DEMO-1002", dob="21/11/2016"):
    return service.verify_identity(
        session, reference_text=reference, dob_text=dob, conversation_id="r1", channel="test"
    ).family_id


def _request(session, family_id, conversation, created, close=None):
    view = service.register_request(
        session, family_id=family_id, type="access", conversation_id=conversation, channel="test", now=created
    )
    if close:
        service.update_request(session, view.reference, status=close, note="", actor="staff:test")
    return view.reference


def test_closed_requests_past_retention_go_open_ones_stay(records_db):
    with session_scope() as session:
        family = _family_id(session)
        old_done = _request(session, family, "c-old-done", NOW - dt.timedelta(days=400), close="done")
        old_open = _request(session, family, "c-old-open", NOW - dt.timedelta(days=400))
        new_done = _request(session, family, "c-new-done", NOW - dt.timedelta(days=5), close="done")
    # the staff update wrote "done" today; age that history so the old one is really untouched for 400 days
    from sqlalchemy import update

    from bot.records.models import RequestEvent

    with session_scope() as session:
        ids = select(Request.id).where(Request.reference == old_done).scalar_subquery()
        session.execute(update(RequestEvent).where(RequestEvent.request_id == ids)
                        .values(at=NOW - dt.timedelta(days=400)).execution_options(synchronize_session=False))
    with session_scope() as session:
        counts = purge_records(session, request_days=365, audit_days=10_000, now=NOW)
    with session_scope() as session:
        left = set(session.execute(select(Request.reference)).scalars())
    assert counts.requests == 1
    assert old_done not in left and old_open in left and new_done in left


def test_audit_entries_past_retention_go_and_the_purge_is_itself_audited(records_db):
    with session_scope() as session:
        service.audit(session, action="old", actor="t", channel="test", at=NOW - dt.timedelta(days=40))
        service.audit(session, action="recent", actor="t", channel="test", at=NOW - dt.timedelta(days=2))
    with session_scope() as session:
        before = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        counts = purge_records(session, request_days=10_000, audit_days=30, now=NOW)
    with session_scope() as session:
        actions = list(session.execute(select(AuditEntry.action)).scalars())
    assert counts.audit_entries >= 1
    assert "old" not in actions and "recent" in actions and "retention_purge" in actions
    assert len(actions) == before - counts.audit_entries + 1


def _conversation(sender: str, at: float) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, [])
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    tracker.update(UserUttered("hello", {"name": "greet"}, timestamp=at))
    return tracker


async def _age_and_purge(store) -> set[str]:
    now = time.time()
    await store.save(_conversation("old", now - 31 * DAY))
    await store.save(_conversation("recent", now - 29 * DAY))
    deleted = await purge_conversations(store, days=30, now=now)
    assert deleted == ["old"]
    return set(await store.keys())


def test_conversation_purge_in_memory():
    store = InMemoryTrackerStore(Domain.empty())
    assert asyncio.run(_age_and_purge(store)) == {"recent"}


def test_conversation_purge_in_sql_store(tmp_path):
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "trackers.db"))
    assert asyncio.run(_age_and_purge(store)) == {"recent"}


async def test_the_running_service_purges_on_its_own_schedule():
    from rasa.core import jobs

    from bot.privacy.tracker_store import RedactingTrackerStore

    jobs.kill_scheduler()  # a scheduler from another test's event loop cannot be reused
    try:
        store = RedactingTrackerStore(Domain.empty(), retention_days=30, purge_every_s=3600)
        now = time.time()
        await store.inner.save(_conversation("old", now - 31 * DAY))
        await store.save(_conversation("recent", now))  # the first save starts the schedule, first run at once
        for _ in range(100):
            if "old" not in set(await store.keys()):
                break
            await asyncio.sleep(0.05)
        assert set(await store.keys()) == {"recent"}
    finally:
        jobs.kill_scheduler()


def test_finished_reviews_past_retention_go_with_their_answers_and_reviews_to_send_stay(records_db):
    from bot.records import reviews
    from bot.records.models import Review, ReviewAnswer

    with session_scope() as session:
        family = _family_id(session)
        other = _family_id(session, "DEMO-1003", "9/1/2021")
        reviews.complete_review(session, family_id=family, current={"research_and_planning": "included"},
                                answers={"research_and_planning": "included"}, interval_months=12,
                                conversation_id="c", via="test", now=NOW - dt.timedelta(days=400))
        reviews.subscribe(session, family_id=other, channel="sms", number="07700 900123", interval_months=12,
                          conversation_id="c", via="test", now=NOW - dt.timedelta(days=800))
        reviews.create_due(session, interval_months=12, now=NOW - dt.timedelta(days=400))  # due, never sent
    with session_scope() as session:
        counts = purge_records(session, request_days=365, audit_days=10_000, now=NOW)
    with session_scope() as session:
        left = session.execute(select(Review.status)).scalars().all()
        answers = session.execute(select(func.count()).select_from(ReviewAnswer)).scalar_one()
    assert counts.reviews == 1
    assert left == ["due"] and answers == 0
