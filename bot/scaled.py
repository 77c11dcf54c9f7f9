"""Run the assistant scaled out on one machine, on Rasa's production components.

    python -m bot.scaled [--rasa-instances 2] [--action-servers 2] [--port 5005] [--actions-port 5055]

(`make run-scaled`.) Starts N `rasa run` instances and M action servers on loopback, with nginx (a foreground
child, with its own prefix under var/) in front of each group; conversations in PostgreSQL (Rasa's SQL tracker
store wrapped in our RedactingTrackerStore), one message at a time per conversation through the Redis lock
store, and the records in PostgreSQL (DATABASE_URL). Everything lives in its own PostgreSQL schema and Redis
database number, so nothing else on those servers is touched. Logs one READY line; Ctrl-C stops everything.

The configuration is deploy/endpoints.scaled.yml and deploy/nginx.conf.template, explained in
docs/scale-out.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import REPO_ROOT

HOST = "127.0.0.1"
DEPLOY_DIR = REPO_ROOT / "deploy"
ENDPOINTS_TEMPLATE = DEPLOY_DIR / "endpoints.scaled.yml"
NGINX_TEMPLATE = DEPLOY_DIR / "nginx.conf.template"
PG_USERS = ("postgres", "root")
LOCK_LIFETIME_S = 20  # a lock left by an instance that died frees itself after this long (Rasa's default: 60)
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass
class Postgres:
    host: str = HOST
    port: int = 5432
    database: str = "test"
    user: str = "postgres"
    password: str = ""
    schema: str = "pda_scaled"

    def __post_init__(self) -> None:
        if not _SCHEMA.fullmatch(self.schema):
            raise ValueError(f"schema must be lower-case letters, digits and _, not {self.schema!r}")

    def base_url(self) -> str:
        auth = urllib.parse.quote(self.user, safe="")
        if self.password:
            auth += ":" + urllib.parse.quote(self.password, safe="")
        return f"postgresql+psycopg2://{auth}@{self.host}:{self.port}/{self.database}"

    def records_url(self) -> str:
        """DATABASE_URL for the records: the same database, with the schema first on the search path."""
        return f"{self.base_url()}?options=-csearch_path%3D{self.schema}"


@dataclass
class Redis:
    host: str = HOST
    port: int = 6379
    lock_db: int = 11
    lock_prefix: str = "pdascaled"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9]+", self.lock_prefix):
            raise ValueError("Rasa only accepts a lock key prefix of letters and digits")


@dataclass
class Layout:
    rasa_ports: list[int]
    action_ports: list[int]
    public_port: int = 5005
    actions_port: int = 5055  # nginx in front of the action servers

    def all_ports(self) -> list[int]:
        return [*self.rasa_ports, *self.action_ports, self.public_port, self.actions_port]


# ---------------------------------------------------------------------------------------------------- checks


def find_postgres_user(
    host: str = HOST, port: int = 5432, database: str = "test", users: tuple[str, ...] = PG_USERS
) -> tuple[str | None, str]:
    """The first user that can connect (trust auth), or None and why not."""
    import psycopg2

    reasons = []
    for user in users:
        try:
            connection = psycopg2.connect(host=host, port=port, dbname=database, user=user, connect_timeout=3)
        except psycopg2.Error as error:
            reasons.append(f"{user}: {str(error).strip().splitlines()[0] if str(error).strip() else error!r}")
            continue
        connection.close()
        return user, ""
    return None, "; ".join(reasons)


def redis_problem(redis: Redis) -> str | None:
    """None when Redis answers, else why not."""
    import redis as redis_lib

    try:
        redis_lib.Redis(host=redis.host, port=redis.port, db=redis.lock_db, socket_timeout=3).ping()
    except redis_lib.RedisError as error:
        return f"Redis at {redis.host}:{redis.port}: {error}"
    return None


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def _admin(pg: Postgres, sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(
        host=pg.host,
        port=pg.port,
        dbname=pg.database,
        user=pg.user,
        password=pg.password or None,
        connect_timeout=5,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def ensure_schema(pg: Postgres) -> None:
    _admin(pg, f'CREATE SCHEMA IF NOT EXISTS "{pg.schema}"')


def drop_schema(pg: Postgres) -> None:
    _admin(pg, f'DROP SCHEMA IF EXISTS "{pg.schema}" CASCADE')


def clear_locks(redis: Redis) -> int:
    """Delete this deployment's lock keys (only those under its prefix) and return how many there were."""
    import redis as redis_lib

    client = redis_lib.Redis(host=redis.host, port=redis.port, db=redis.lock_db, socket_timeout=3)
    keys = list(client.scan_iter(match=f"{redis.lock_prefix}:*", count=500))
    if keys:
        client.delete(*keys)
    return len(keys)


# ---------------------------------------------------------------------------------------------- config files


def render(template: str, values: dict[str, str]) -> str:
    """Fill {{NAME}} placeholders; every placeholder must have a value (a typo fails here, not in nginx)."""
    missing = sorted({name for name in _PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise KeyError(f"no value for placeholder(s): {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _servers(ports: list[int]) -> str:
    return "\n".join(f"        server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in ports)


def nginx_conf(layout: Layout, prefix: Path, temp: Path, template: Path = NGINX_TEMPLATE) -> str:
    return render(
        template.read_text(encoding="utf-8"),
        {
            "PREFIX": str(prefix),
            "TEMP": str(temp),
            "LISTEN_HOST": HOST,
            "PUBLIC_PORT": str(layout.public_port),
            "ACTIONS_PORT": str(layout.actions_port),
            "RASA_SERVERS": _servers(layout.rasa_ports),
            "ACTION_SERVERS": _servers(layout.action_ports),
        },
    )


def rasa_env(pg: Postgres, redis: Redis, layout: Layout) -> dict[str, str]:
    """The variables deploy/endpoints.scaled.yml reads, plus Rasa's own schema and lock settings."""
    return {
        "PDA_ACTION_ENDPOINT_URL": f"http://{HOST}:{layout.actions_port}/webhook",
        "PDA_PG_HOST": pg.host,
        "PDA_PG_PORT": str(pg.port),
        "PDA_PG_DATABASE": pg.database,
        "PDA_PG_USER": pg.user,
        "PDA_PG_PASSWORD": pg.password,
        "PDA_PG_SCHEMA": pg.schema,
        "PDA_REDIS_HOST": redis.host,
        "PDA_REDIS_PORT": str(redis.port),
        "PDA_REDIS_LOCK_DB": str(redis.lock_db),
        "PDA_REDIS_LOCK_PREFIX": redis.lock_prefix,
        "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME", str(LOCK_LIFETIME_S)),
    }


def secret_key() -> str:
    """PDA_SECRET_KEY, else the one-machine key file (made on first use): the same for every action server."""
    key = os.environ.get("PDA_SECRET_KEY", "").strip()
    if key:
        return key
    from bot.privacy import sealing

    sealing.seal("")  # makes var/secret.key when missing
    return sealing.KEY_FILE.read_text().strip()


# ------------------------------------------------------------------------------------------------- processes


@dataclass
class Deployment:
    """The processes of one scaled deployment. Use as a context manager, or call start() and stop()."""

    pg: Postgres
    redis: Redis
    layout: Layout
    runtime_dir: Path
    model: Path | None = None
    endpoints: Path = ENDPOINTS_TEMPLATE
    rasa_launcher: str = "bot.privacy.launch"  # the module that runs `rasa` (bench.profile to profile it)
    extra_env: dict[str, str] = field(default_factory=dict)
    log_to_files: bool = True
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _nginx_temp: Path | None = field(default=None, repr=False)

    def _env(self) -> dict[str, str]:
        from bot import env as bot_env

        env = dict(os.environ)
        env.update({k: v for k, v in bot_env.QUIET.items() if k not in env})
        env.setdefault("PYTHONPATH", str(REPO_ROOT))
        env["SANIC_HOST"] = HOST  # rasa_sdk binds every interface unless told
        env["DATABASE_URL"] = self.pg.records_url()
        env["PDA_SECRET_KEY"] = secret_key()
        env.update(rasa_env(self.pg, self.redis, self.layout))
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        out = open(self.runtime_dir / f"{name}.log", "ab") if self.log_to_files else None  # noqa: SIM115
        try:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self._env(), stdout=out, stderr=subprocess.STDOUT if out else None
            )
        finally:
            if out:
                out.close()
        self.processes[name] = process
        return process

    def rasa_command(self, port: int) -> list[str]:
        from bot.server import rasa_server_command

        command = rasa_server_command(port, self.endpoints)
        command[command.index("bot.privacy.launch")] = self.rasa_launcher
        if self.model is not None:
            command[command.index("--model") + 1] = str(self.model)
        return command

    def start_rasa(self, index: int) -> subprocess.Popen:
        return self._spawn(f"rasa-{index + 1}", self.rasa_command(self.layout.rasa_ports[index]))

    def start(self) -> None:
        from bot.server import action_server_command

        nginx = nginx_binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed: apt-get update && apt-get install -y nginx-light")
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        ensure_schema(self.pg)
        prefix = self.runtime_dir / "nginx"
        prefix.mkdir(exist_ok=True)
        # nginx's workers drop root and must reach their temporary directories: a fresh one under /tmp
        self._nginx_temp = Path(tempfile.mkdtemp(prefix="pda-nginx-"))
        self._nginx_temp.chmod(0o755)
        (prefix / "nginx.conf").write_text(
            nginx_conf(self.layout, prefix, self._nginx_temp), encoding="utf-8"
        )
        self._spawn(
            "nginx",
            [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")],
        )
        for i, port in enumerate(self.layout.action_ports):
            self._spawn(f"actions-{i + 1}", action_server_command(port))
        for i in range(len(self.layout.rasa_ports)):
            self.start_rasa(i)

    def urls(self) -> list[str]:
        """What must answer before the deployment is up: each server directly, then both nginx fronts."""
        return [
            *(f"http://{HOST}:{p}/health" for p in self.layout.action_ports),
            *(f"http://{HOST}:{p}/webhooks/rest/" for p in self.layout.rasa_ports),
            f"http://{HOST}:{self.layout.actions_port}/health",
            f"http://{HOST}:{self.layout.public_port}/webhooks/rest/",
        ]

    def wait_until_up(self, timeout_s: float = 300) -> bool:
        from bot.server import wait_until_up

        deadline = time.monotonic() + timeout_s
        return all(
            wait_until_up(url, list(self.processes.values()), max(1.0, deadline - time.monotonic()))
            for url in self.urls()
        )

    def rasa_url(self, index: int) -> str:
        return f"http://{HOST}:{self.layout.rasa_ports[index]}/webhooks/rest/webhook"

    @property
    def public_url(self) -> str:
        return f"http://{HOST}:{self.layout.public_port}/webhooks/rest/webhook"

    def kill_rasa(self, index: int) -> None:
        """SIGKILL one Rasa instance, as a crash would (no clean-up, locks left behind)."""
        process = self.processes[f"rasa-{index + 1}"]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def stop(self) -> None:
        from bot.server import stop

        # nginx last, so that requests in flight still reach a server while the others stop
        stop([p for name, p in self.processes.items() if name != "nginx" and p.poll() is None])
        nginx = self.processes.get("nginx")
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful shutdown; SIGINT is nginx's fast one
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        if self._nginx_temp is not None:
            shutil.rmtree(self._nginx_temp, ignore_errors=True)
            self._nginx_temp = None

    def __enter__(self) -> Deployment:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def prepare_database(pg: Postgres) -> None:
    """Create the schema, apply the records migrations, add the demo families and create Rasa's `events` table
    (safe to repeat). Creating the table here, once, saves the instances racing to create it at start."""
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.records import service
    from bot.records.db import get_engine, migrate, session_scope

    ensure_schema(pg)
    url = pg.records_url()
    migrate(url)
    engine = get_engine(url)
    with session_scope(engine) as session:
        service.seed_demo(session)
    SQLTrackerStore.Base.metadata.create_all(engine)


def default_layout(rasa_instances: int, action_servers: int, public_port: int, actions_port: int) -> Layout:
    return Layout(
        rasa_ports=[public_port + 6 + i for i in range(rasa_instances)],
        action_ports=[actions_port + 6 + i for i in range(action_servers)],
        public_port=public_port,
        actions_port=actions_port,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.scaled", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rasa-instances", type=int, default=int(os.environ.get("PDA_RASA_INSTANCES", 2)))
    parser.add_argument("--action-servers", type=int, default=int(os.environ.get("PDA_ACTION_SERVERS", 2)))
    parser.add_argument("--port", type=int, default=5005, help="nginx in front of the Rasa instances")
    parser.add_argument("--actions-port", type=int, default=5055, help="nginx in front of the action servers")
    parser.add_argument("--pg-host", default=os.environ.get("PDA_PG_HOST", HOST))
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PDA_PG_PORT", 5432)))
    parser.add_argument("--pg-database", default=os.environ.get("PDA_PG_DATABASE", "test"))
    parser.add_argument(
        "--pg-user", default=os.environ.get("PDA_PG_USER"), help="default: postgres, else root"
    )
    parser.add_argument("--pg-schema", default=os.environ.get("PDA_PG_SCHEMA", "pda_scaled"))
    parser.add_argument("--redis-host", default=os.environ.get("PDA_REDIS_HOST", HOST))
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("PDA_REDIS_PORT", 6379)))
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("PDA_REDIS_LOCK_DB", 11)))
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot import env as bot_env

    bot_env.apply()
    args = _parser().parse_args(argv)
    if args.rasa_instances < 1 or args.action_servers < 1:
        print("At least one Rasa instance and one action server are needed.", file=sys.stderr)
        return 2
    user = args.pg_user
    if not user:
        user, why = find_postgres_user(args.pg_host, args.pg_port, args.pg_database)
        if user is None:
            print(
                f"PostgreSQL at {args.pg_host}:{args.pg_port}/{args.pg_database} refused every user: {why}",
                file=sys.stderr,
            )
            return 1
    try:
        pg = Postgres(
            args.pg_host,
            args.pg_port,
            args.pg_database,
            user,
            os.environ.get("PDA_PG_PASSWORD", ""),
            args.pg_schema,
        )
        redis = Redis(args.redis_host, args.redis_port, args.redis_db)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if (problem := redis_problem(redis)) is not None:
        print(problem, file=sys.stderr)
        return 1
    if nginx_binary() is None:
        print(
            "nginx is not installed. On Debian: apt-get update && apt-get install -y nginx-light",
            file=sys.stderr,
        )
        return 1

    from bot.content.build import build
    from bot.training import train

    build()
    if train() != 0:
        return 1
    prepare_database(pg)
    clear_locks(redis)
    layout = default_layout(args.rasa_instances, args.action_servers, args.port, args.actions_port)
    deployment = Deployment(pg, redis, layout, REPO_ROOT / "var" / "scaled", log_to_files=False)
    started = time.monotonic()
    try:
        deployment.start()
        if not deployment.wait_until_up():
            print(
                f"The scaled deployment did not start ({', '.join(deployment.dead()) or 'timed out'}). "
                "See the messages above.",
                file=sys.stderr,
            )
            return 1
        print(
            f"READY in {time.monotonic() - started:.0f} s: {len(layout.rasa_ports)} Rasa instances "
            f"({', '.join(map(str, layout.rasa_ports))}) and {len(layout.action_ports)} action servers "
            f"({', '.join(map(str, layout.action_ports))}) behind nginx; REST at "
            f"{deployment.public_url}, actions at http://{HOST}:{layout.actions_port}/webhook; "
            f"PostgreSQL schema {pg.schema}, Redis db {redis.lock_db}. Press Ctrl-C to stop.",
            flush=True,
        )
        while not deployment.dead():
            time.sleep(0.5)
        print(f"{', '.join(deployment.dead())} stopped unexpectedly; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopping...", flush=True)
        return 0
    finally:
        deployment.stop()


if __name__ == "__main__":
    sys.exit(main())
