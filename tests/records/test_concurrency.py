"""Many channels at once: every distinct request gets one row, every retry storm gets one row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.records import service
from bot.records.models import Choice, Request


def _storm(scope, family_id: str, conversations: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(min(len(conversations), 50))

    def one(conversation: str) -> str:
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        with scope() as session:
            return service.register_request(
                session,
                family_id=family_id,
                type="objection",
                purpose="predictive_analytics",
                conversation_id=conversation,
                channel="whatsapp",
            ).reference

    with ThreadPoolExecutor(max_workers=50) as pool:
        return list(pool.map(one, conversations))


def _objections(scope, family_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    from bot.records.models import Family

    with scope() as session:
        return list(
            session.execute(
                select(Request.reference).join(Family).where(Family.public_id == family_id, Request.type == "objection")
            ).scalars()
        )


def test_200_conversations_object_at_once(engine, scope, demo) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrency at this scale is a PostgreSQL matter; SQLite runs the retry storm below")
    family = demo["DEMO-1001"]
    references = _storm(scope, family, [f"conv-{i}" for i in range(200)])
    assert len(set(references)) == 200
    stored = _objections(scope, family)
    assert sorted(stored) == sorted(references)
    with scope() as session:
        choices = (
            session.execute(
                select(Choice.choice).join(Choice.family).where(Choice.purpose_id == "predictive_analytics")
            )
            .scalars()
            .all()
        )
    assert choices.count("objected") == 2  # DEMO-1001 now, and the demo's DEMO-1003


def test_the_same_request_retried_20_times_at_once_is_one_row(engine, scope, demo) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1002"]
    references = _storm(scope, family, ["the-same-conversation"] * 20)
    assert len(set(references)) == 1
    assert _objections(scope, family) == references[:1]
    with scope() as session:
        assert session.execute(select(func.count()).select_from(Request)).scalar_one() == 2  # + demo objection
