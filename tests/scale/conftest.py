"""The scaled deployment for the scale-out tests: 2 Rasa instances, 2 action servers and nginx on free
loopback ports, against PostgreSQL (127.0.0.1:5432, database `test`, a schema of its own, dropped afterwards)
and Redis (127.0.0.1:6379, database 12, a key prefix of its own that is cleared afterwards).

Tests that need it are skipped, with the reason, when PostgreSQL, Redis or nginx is missing (tests/needs.py).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.scaled import (
    Deployment,
    Layout,
    Postgres,
    Redis,
    clear_locks,
    drop_schema,
    find_postgres_user,
    nginx_binary,
    prepare_database,
    redis_problem,
)
from bot.server import free_port
from tests.needs import missing
from tests.rest_client import RestChat

REDIS_TEST_DB = 12
LOCK_LIFETIME_S = 10  # how long a lock left by a killed instance holds its conversation
FAMILIES = [(f"SCALE-{n:04d}", f"2015-0{1 + n % 9}-1{n % 10}") for n in range(1, 13)]


def missing_services() -> str | None:
    """Why the scaled deployment cannot run here, or None."""
    user, why = find_postgres_user()
    if user is None:
        return f"PostgreSQL is not answering at 127.0.0.1:5432/test ({why})"
    if (problem := redis_problem(Redis(lock_db=REDIS_TEST_DB))) is not None:
        return problem
    if nginx_binary() is None:
        return "nginx is not installed (apt-get update && apt-get install -y nginx-light)"
    return None


Chat = RestChat  # one Rasa instance, or nginx in front of them


class Scaled:
    """What the tests get: the deployment, a Chat per instance and for nginx, and the records database URL."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.instances = [Chat(deployment.rasa_url(i)) for i in range(len(deployment.layout.rasa_ports))]
        self.front = Chat(deployment.public_url)
        self.records_url = deployment.pg.records_url()

    def events(self, sender: str) -> list[dict]:
        """The conversation's events as stored by Rasa's SQL tracker store, in the order they were saved."""
        from sqlalchemy import text

        from bot.records.db import get_engine

        with get_engine(self.records_url).connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
        return [json.loads(data) for (data,) in rows]


@pytest.fixture(scope="session")
def scaled(tmp_path_factory) -> Iterator[Scaled]:
    reason = missing_services()
    if reason:
        missing("scale-out", f"scaled deployment not possible here: {reason}")
    from bot.records import service
    from bot.records.db import dispose_engine, get_engine, session_scope
    from bot.training import is_current, train

    if not is_current():
        assert train() == 0, "training failed"
    user, _ = find_postgres_user()
    tag = uuid.uuid4().hex[:10]
    pg = Postgres(user=user or "postgres", schema=f"scale_test_{tag}")
    redis = Redis(lock_db=REDIS_TEST_DB, lock_prefix=f"scaletest{tag}")
    work = tmp_path_factory.mktemp("scaled")
    prepare_database(pg)
    families_csv = Path(work / "families.csv")
    families_csv.write_text(
        "family_reference,child_date_of_birth\n" + "".join(f"{r},{d}\n" for r, d in FAMILIES)
    )
    with session_scope(get_engine(pg.records_url())) as session:
        service.import_families(session, families_csv, actor="test")
    layout = Layout(
        rasa_ports=[free_port(), free_port()],
        action_ports=[free_port(), free_port()],
        public_port=free_port(),
        actions_port=free_port(),
    )
    deployment = Deployment(
        pg, redis, layout, work / "run", extra_env={"TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S)}
    )
    try:
        deployment.start()
        assert (
            deployment.wait_until_up()
        ), f"the scaled deployment did not start: {deployment.dead()}; logs in {work}"
        yield Scaled(deployment)
    finally:
        deployment.stop()
        dispose_engine(pg.records_url())
        drop_schema(pg)
        clear_locks(redis)


def export_requests(records_url: str) -> list[dict]:
    """`python -m bot requests export --format json` on the deployment's records database."""
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": records_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "requests", "export", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
