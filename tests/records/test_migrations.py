"""Migrations: from an empty database up to head, back down, and in step with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.records import db
from bot.records.models import Base

EXPECTED_TABLES = {
    "families",
    "children",
    "choices",
    "requests",
    "request_events",
    "audit_log",
    "identity_attempts",
    "holdings",
    "review_subscriptions",
    "reviews",
    "review_attempts",
    "review_answers",
}


def _head() -> str:
    return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()


def test_upgrade_from_empty_then_down_and_up_again(empty_url: str) -> None:
    engine = db.get_engine(empty_url)
    assert not EXPECTED_TABLES & set(inspect(engine).get_table_names())

    db.migrate(empty_url)
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()

    db.migrate(empty_url)  # running it again is harmless

    db.downgrade(empty_url)
    assert not EXPECTED_TABLES & set(inspect(engine).get_table_names())

    db.migrate(empty_url)
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = db.get_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_foreign_keys_are_enforced(engine) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO children (family_id, date_of_birth) VALUES (999999, '2019-04-03')"))


def test_database_url_default_and_rewrite(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = db.database_url()
    assert url.startswith("sqlite:///") and url.endswith("/var/records.db")
    assert (db.REPO_ROOT / "var").is_dir()
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:secret@localhost/test")
    assert db.database_url() == "postgresql+psycopg2://u:secret@localhost/test"
    assert "secret" not in db.safe_url(db.database_url())
    monkeypatch.setenv("DATABASE_URL", "postgres://localhost/test")
    assert db.database_url() == "postgresql+psycopg2://localhost/test"


def test_engine_is_cached_per_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    try:
        assert db.get_engine(url) is db.get_engine(url)
        with db.get_engine(url).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        db.dispose_engine(url)


def test_session_scope_rolls_back_on_error(scope) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from bot.records.models import Family

    with pytest.raises(RuntimeError), scope() as session:
        session.add(Family(reference="TEST-0001"))
        session.flush()
        raise RuntimeError("boom")
    with scope() as session:
        assert session.query(Family).count() == 0
