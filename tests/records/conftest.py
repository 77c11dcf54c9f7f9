"""Records tests run on SQLite (a temp file) and on PostgreSQL (127.0.0.1:5432, database `test`) in a schema
of their own that is dropped afterwards, so nobody else's tables are touched."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial

import pytest

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.records import db  # noqa: E402

PG_HOST, PG_PORT, PG_DATABASE = "127.0.0.1", 5432, "test"
PG_USERS = ("root", "postgres")
TABLES_CHILD_FIRST = (
    "review_answers",
    "review_attempts",
    "reviews",
    "review_subscriptions",
    "holdings",
    "request_events",
    "requests",
    "choices",
    "children",
    "families",
    "audit_log",
    "identity_attempts",
)


def _find_postgres() -> tuple[str | None, str]:
    from bot.scaled import find_postgres_user

    user, why = find_postgres_user(PG_HOST, PG_PORT, PG_DATABASE, tuple(PG_USERS))
    if user is None:
        return None, why
    return f"postgresql+psycopg2://{user}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}", ""


_PG_BASE, _PG_REASON = _find_postgres()


class PostgresSchemas:
    """Creates throwaway schemas and drops them (and their engines) at the end of the test session."""

    def __init__(self, base: str):
        self.base = base
        self.created: list[tuple[str, str]] = []

    def _admin(self, sql: str) -> None:
        engine = db.get_engine(self.base)
        with engine.connect() as connection:
            connection.execute(text(sql))
            connection.commit()

    def new(self, label: str) -> str:
        schema = f"records_test_{label}_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE SCHEMA "{schema}"')
        url = f"{self.base}?options=-csearch_path%3D{schema}"
        self.created.append((schema, url))
        return url

    def drop_all(self) -> None:
        for schema, url in self.created:
            db.dispose_engine(url)
            self._admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        db.dispose_engine(self.base)


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PostgresSchemas]:
    if _PG_BASE is None:
        pytest.skip(f"PostgreSQL is not answering at {PG_HOST}:{PG_PORT}/{PG_DATABASE}: {_PG_REASON}")
    schemas = PostgresSchemas(_PG_BASE)
    yield schemas
    schemas.drop_all()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _fresh_url(backend: str, request: pytest.FixtureRequest, label: str) -> str:
    if backend == "sqlite":
        path = request.getfixturevalue("tmp_path_factory").mktemp(label) / "records.db"
        return f"sqlite:///{path}"
    return request.getfixturevalue("pg_schemas").new(label)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database for the whole session, one per backend."""
    url = _fresh_url(request.param, request, "main")
    db.migrate(url)
    yield url
    if request.param == "sqlite":
        db.dispose_engine(url)


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest) -> str:
    """A database with no tables at all (for migration tests)."""
    return _fresh_url(request.param, request, "empty")


@pytest.fixture
def engine(db_url: str) -> Engine:
    """The session's database, emptied before each test."""
    engine = db.get_engine(db_url)
    with engine.begin() as connection:
        for table in TABLES_CHILD_FIRST:
            connection.execute(text(f"DELETE FROM {table}"))
    return engine


@pytest.fixture
def scope(engine: Engine) -> Callable[[], AbstractContextManager[Session]]:
    """`with scope() as session:` - one committed transaction on the test database."""
    return partial(db.session_scope, engine)


@pytest.fixture
def demo(scope) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The demo families; family reference -> public id."""
    from sqlalchemy import select

    from bot.records import service
    from bot.records.models import Family

    with scope() as session:
        service.seed_demo(session)
    with scope() as session:
        return dict(session.execute(select(Family.reference, Family.public_id)).all())
