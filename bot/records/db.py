"""Where the registry lives and how to talk to it: URL, engines, transactions, migrations.

SQLite (a file under var/) is the default; set DATABASE_URL for PostgreSQL in production.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker

REPO_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_engines: dict[str, Engine] = {}
_sessionmakers: dict[int, sessionmaker] = {}
_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """Make a user-supplied URL usable with the installed driver (psycopg2)."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def database_url() -> str:
    """DATABASE_URL if set, else a SQLite file in <repo root>/var/records.db (var/ is created if missing)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    var = REPO_ROOT / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'records.db'}"


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL must not crash an error message
        return "<unparseable database URL>"


def _sqlite_setup(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs and starts transactions late; take it over
    # (the recipe in SQLAlchemy's SQLite dialect docs). BEGIN IMMEDIATE takes the write lock up front, so
    # two writers queue on busy_timeout instead of failing when one upgrades a read to a write.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the life of the process."""
    url = normalise_url(url) if url else database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        backend = make_url(url).get_backend_name()
        if backend == "sqlite":
            engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
            _sqlite_setup(engine)
        elif backend == "postgresql":
            engine = create_engine(url, future=True, pool_pre_ping=True)
        else:
            engine = create_engine(url, future=True)
        _engines[url] = engine
        return engine


def dispose_engine(url: str | None = None) -> None:
    """Close and forget the engine for a URL (tests, and processes that fork)."""
    url = normalise_url(url) if url else database_url()
    with _lock:
        engine = _engines.pop(url, None)
        if engine is not None:
            _sessionmakers.pop(id(engine), None)
            engine.dispose()


def _sessionmaker(engine: Engine) -> sessionmaker:
    with _lock:
        maker = _sessionmakers.get(id(engine))
        if maker is None:
            maker = sessionmaker(bind=engine, future=True, expire_on_commit=False)
            _sessionmakers[id(engine)] = maker
        return maker


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    session: Session = _sessionmaker(engine or get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    """An Alembic Config built in code, so migrations run from any working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not a main option: ConfigParser would choke on '%' in URLs.
    config.attributes["url"] = normalise_url(url) if url else database_url()
    return config


def migrate(url: str | None = None, revision: str = "head") -> None:
    """`alembic upgrade head` on the given (or configured) database."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)
