"""Retention: delete conversations older than the council's period (default 30 days).

Runs as `python -m bot purge` and on a schedule inside the running Rasa server (see schedule_purge).
A conversation is deleted when its latest event is older than the cut-off.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore, TrackerStore

logger = logging.getLogger(__name__)

PURGE_EVERY_S = 6 * 60 * 60


def _inner(store: TrackerStore) -> TrackerStore:
    return getattr(store, "inner", store)


async def delete_conversation(store: TrackerStore, sender_id: str) -> None:
    store = _inner(store)
    if isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            session.commit()
    elif isinstance(store, RedisTrackerStore):
        store.red.delete(store.key_prefix + sender_id)
    else:
        raise TypeError(f"purge does not know how to delete from {type(store).__name__}")


async def last_activity(store: TrackerStore, sender_id: str) -> float | None:
    tracker = await _inner(store).retrieve_full_tracker(sender_id)
    if tracker is None or not tracker.events:
        return None
    return max(event.timestamp for event in tracker.events)


async def purge_conversations(store: TrackerStore, days: int, now: float | None = None) -> list[str]:
    """Delete every conversation whose latest event is older than `days`. Returns the deleted ids."""
    cutoff = (now if now is not None else time.time()) - days * 24 * 60 * 60
    deleted = []
    for sender_id in list(await _inner(store).keys()):
        last = await last_activity(store, sender_id)
        if last is None or last < cutoff:
            await delete_conversation(store, sender_id)
            deleted.append(sender_id)
    if deleted:
        logger.info("Retention: deleted %d conversation(s) older than %d days.", len(deleted), days)
    return deleted


async def _purge_job(store: TrackerStore, days: int) -> None:
    try:
        await purge_conversations(store, days)
    except Exception:  # the purge must never take the assistant down; the next run tries again
        logger.exception("Retention purge failed; trying again at the next run.")


async def schedule_purge(store: TrackerStore, days: int, every_s: int = PURGE_EVERY_S) -> None:
    """Purge now and then every `every_s` seconds, on the APScheduler Rasa already runs."""
    from rasa.core import jobs

    scheduler = await jobs.scheduler()
    scheduler.add_job(
        _purge_job, "interval", seconds=every_s, args=[store, days], id="pda-retention-purge",
        replace_existing=True, next_run_time=dt.datetime.now(), coalesce=True, misfire_grace_time=None,
    )


def cutoff_date(days: int, now: dt.datetime | None = None) -> dt.datetime:
    return (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=days)
