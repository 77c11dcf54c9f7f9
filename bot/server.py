"""Run everything for one machine: the action server, the Rasa server, and (when present) the web pages.

`python -m bot run` prepares (build, train if needed, migrate, seed), starts the servers on loopback, logs
one READY line when all answer, starts again a server that stops (bot/supervisor.py: with back-off, one log
line each time, the others keep serving), and stops them all cleanly on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.content.build import build
from bot.content.loader import REPO_ROOT
from bot.training import MODEL_PATH, train

HOST = "127.0.0.1"
RUNTIME_DIR = REPO_ROOT / "var"
START_TIMEOUT_S = 180


def prepare() -> int:
    """Everything a run needs before servers start. Returns a process exit code."""
    from bot.channels.webserver import DEFAULT_REFERENCE_DIR
    from bot.content.reference import build_reference

    build()
    build_reference(DEFAULT_REFERENCE_DIR)
    code = train()
    if code:
        return code
    from bot.records import service
    from bot.records.db import migrate, session_scope

    migrate()
    with session_scope() as session:
        service.seed_demo(session)
    return 0


def runtime_endpoints(actions_port: int, overrides: dict | None = None) -> Path:
    """endpoints.yml with the action server URL for this run's port (and any overridden sections)."""
    config = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    config.update(overrides or {})
    action_endpoint = config.get("action_endpoint") or {}
    config["action_endpoint"] = {**action_endpoint, "url": f"http://{HOST}:{actions_port}/webhook"}
    RUNTIME_DIR.mkdir(exist_ok=True)
    path = RUNTIME_DIR / f"endpoints.{actions_port}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def tracker_store_from_endpoints(path: str | Path = "endpoints.yml"):  # type: ignore[no-untyped-def]
    """The persistent tracker store configured in an endpoints file, or None when conversations live in memory."""
    from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(REPO_ROOT / path), "tracker_store")
    store = TrackerStore.create(config)
    if isinstance(getattr(store, "inner", store), InMemoryTrackerStore):
        return None
    return store


def action_server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bot.privacy.launch", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def rasa_server_command(port: int, endpoints: Path, credentials: Path | None = None) -> list[str]:
    return [
        sys.executable, "-m", "bot.privacy.launch", "rasa", "run",
        "--model", str(MODEL_PATH),
        "--interface", HOST, "--port", str(port),
        "--credentials", str(credentials or REPO_ROOT / "credentials.yml"),
        "--endpoints", str(endpoints),
        "--cors", f"http://{HOST}:*", "--cors", "http://localhost:*",
    ]


def free_port() -> int:
    """A loopback port nothing listens on now (for servers started by tests and the bench)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(url: str, processes: list[subprocess.Popen], timeout_s: float = START_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    return False


def stop(processes: list[subprocess.Popen], grace_s: float = 10) -> None:
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace_s
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def web_server_command(port: int, rasa_port: int, phone_demo: Path | None = None) -> list[str]:
    return [
        sys.executable, "-m", "bot.privacy.launch", "bot.channels.webserver",
        "--port", str(port), "--rasa-url", f"http://{HOST}:{rasa_port}", "--resume-sessions",
        *(["--phone-demo", str(phone_demo)] if phone_demo else []),
    ]


def server_starters(
    rasa_port: int,
    actions_port: int,
    web_port: int | None = None,
    credentials: Path | None = None,
    endpoints: dict | None = None,
    log_dir: Path | None = None,
    phone_demo: Path | None = None,
) -> dict[str, Callable[[], subprocess.Popen]]:
    """A function that starts each server (actions, rasa and, with web_port, web), to start it again too.

    `endpoints` overrides sections of endpoints.yml (e.g. tracker_store); with `log_dir` each server's output
    goes to (the end of) <log_dir>/<name>.log instead of this terminal.
    """
    env = os.environ.copy()
    env.setdefault("PYTHONPATH", str(REPO_ROOT))
    env["SANIC_HOST"] = HOST  # rasa_sdk binds 0.0.0.0 unless told otherwise
    commands = {
        "actions": action_server_command(actions_port),
        "rasa": rasa_server_command(rasa_port, runtime_endpoints(actions_port, endpoints), credentials),
    }
    if web_port is not None:
        commands["web"] = web_server_command(web_port, rasa_port, phone_demo)

    def starter(name: str, command: list[str]) -> Callable[[], subprocess.Popen]:
        def start() -> subprocess.Popen:
            output = open(log_dir / f"{name}.log", "ab") if log_dir else None  # noqa: SIM115 - closed below
            try:
                return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output,
                                        stderr=subprocess.STDOUT if output else None)
            finally:
                if output:
                    output.close()  # the child has its own copy

        return start

    return {name: starter(name, command) for name, command in commands.items()}


def start_servers(
    rasa_port: int,
    actions_port: int,
    web_port: int | None = None,
    credentials: Path | None = None,
    endpoints: dict | None = None,
    log_dir: Path | None = None,
    phone_demo: Path | None = None,
) -> list[subprocess.Popen]:
    """Start the action server, the Rasa server and (with web_port) the web pages. Returns the processes."""
    return [start() for start in server_starters(rasa_port, actions_port, web_port, credentials, endpoints,
                                                 log_dir, phone_demo).values()]


def run(rasa_port: int = 5005, actions_port: int = 5055, web_port: int = 8080) -> int:
    from bot.supervisor import Server, Supervisor

    code = prepare()
    if code:
        return code
    started = time.monotonic()
    from bot.channels.phone import DEMO_FILE, prepare_demo

    demo_credentials, phone_line = prepare_demo(rasa_port, web_port)  # the phone simulator, without real accounts
    starters = server_starters(rasa_port, actions_port, web_port, credentials=demo_credentials,
                               phone_demo=DEMO_FILE if demo_credentials else None)
    supervisor = Supervisor([Server(name, start) for name, start in starters.items()])
    previous_term = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        supervisor.start()
        ok = all(
            wait_until_up(url, supervisor.processes)
            for url in (
                f"http://{HOST}:{actions_port}/health",
                f"http://{HOST}:{web_port}/health",
                f"http://{HOST}:{rasa_port}/webhooks/rest/",
            )
        )
        if not ok:
            print("The assistant did not start. See the messages above.", file=sys.stderr)
            return 1
        print(
            f"READY in {time.monotonic() - started:.0f} s: web chat at http://localhost:{web_port}/ , reference at "
            f"http://localhost:{web_port}/reference/ , REST at http://localhost:{rasa_port}/webhooks/rest/webhook , "
            f"{phone_line} Press Ctrl-C to stop.",
            flush=True,
        )
        supervisor.run_forever()  # a server that stops is started again (bot/supervisor.py)
    except KeyboardInterrupt:
        print("Stopping...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        stop(supervisor.processes)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop everything, as Ctrl-C does


def shell() -> int:
    code = prepare()
    if code:
        return code
    actions_port = 5055
    env = os.environ.copy()
    env["SANIC_HOST"] = HOST
    actions = subprocess.Popen(action_server_command(actions_port), cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_until_up(f"http://{HOST}:{actions_port}/health", [actions]):
            print("The action server did not start.", file=sys.stderr)
            return 1
        command = [sys.executable, "-m", "rasa", "shell", "--model", str(MODEL_PATH),
                   "--endpoints", str(runtime_endpoints(actions_port))]
        return subprocess.call(command, cwd=REPO_ROOT, env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        stop([actions])
