"""Shared fixtures: a fresh records database per test, and Rasa SDK trackers built the way Rasa sends them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.needs import kind_of, summary_line

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


_SKIPPED_FOR_WANT_OF: dict[str, int] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the tests skipped because a browser, axe-core or a scale-out service is missing (tests/needs.py)."""
    if report.skipped and isinstance(report.longrepr, tuple):
        kind = kind_of(str(report.longrepr[2]))
        if kind is not None:
            _SKIPPED_FOR_WANT_OF[kind] = _SKIPPED_FOR_WANT_OF.get(kind, 0) + 1


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> Iterator[None]:
    """After pytest's own summary: one last line naming what was skipped and the command that adds it."""
    result = yield
    line = summary_line(_SKIPPED_FOR_WANT_OF)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if line and reporter is not None:
        reporter.write_line(line, yellow=True, bold=True)
    return result


@pytest.fixture
def records_db(tmp_path, monkeypatch) -> Iterator[str]:
    """A migrated, seeded SQLite registry that session_scope() uses by default during the test."""
    from bot.records import service
    from bot.records.db import dispose_engine, migrate, session_scope

    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate(url)
    with session_scope() as session:
        service.seed_demo(session)
    yield url
    dispose_engine(url)


def make_tracker(
    slots: dict[str, Any] | None = None,
    *,
    intent: str = "greet",
    text: str = "",
    sender: str = "conv-1",
    channel: str = "rest",
    active_loop: str | None = None,
) -> Any:
    from rasa_sdk import Tracker

    all_slots = {"verified": False, "identity_locked": False}
    all_slots.update(slots or {})
    latest = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text}
    events = [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def tracker_factory():
    return make_tracker


@pytest.fixture
def dispatcher():
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()
