"""Our assistant for the benchmark: a fresh records database, the model (trained here, timed), the servers.

The servers are started with bot.server's own commands (launched through bot.privacy.launch, as `make run`
does), on free loopback ports, serving a snapshot of the model so that a retrain elsewhere in the tree cannot
swap it mid-run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from bench.procs import HOST
from bench.scenarios import FAMILY_COUNT, families_csv
from bot.content.loader import REPO_ROOT
from bot.training import training_command


def train_timed(out_dir: Path, config: Path, log: Path) -> tuple[Path, float]:
    """Train a model from the working tree into out_dir; returns the model and the wall time in seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _env()
    started = time.monotonic()
    with open(log, "ab") as out:
        result = subprocess.run(
            training_command(out_dir, config), cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    elapsed = time.monotonic() - started
    model = out_dir / "assistant.tar.gz"
    if result.returncode != 0 or not model.exists():
        raise RuntimeError(f"training failed (exit {result.returncode}); see {log}")
    return model, elapsed


def snapshot_model(target: Path) -> Path:
    """A copy of models/assistant.tar.gz (trained first if its inputs changed)."""
    from bot.training import MODEL_PATH, train

    if train() != 0:
        raise RuntimeError("training failed")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MODEL_PATH, target)
    return target


def prepare_records(url: str, work_dir: Path, families: int = FAMILY_COUNT) -> None:
    """Migrate the records database at url, add the demo families and the bench families."""
    from bot.records import service
    from bot.records.db import migrate, session_scope

    migrate(url)
    from bot.records.db import get_engine

    with session_scope(get_engine(url)) as session:
        service.seed_demo(session)
        service.import_families(
            session, families_csv(work_dir / "bench-families.csv", families), actor="bench"
        )


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    from bot import env as bot_env

    env = dict(os.environ)
    env.update({k: v for k, v in bot_env.QUIET.items() if k not in env})
    env.setdefault("PYTHONPATH", str(REPO_ROOT))
    env["SANIC_HOST"] = HOST  # rasa_sdk binds every interface unless told
    env.update(extra or {})
    return env


def _with_model(command: list[str], model: Path) -> list[str]:
    """The command serving `model`."""
    command = list(command)
    command[command.index("--model") + 1] = str(model)
    return command


def start_ours(
    rasa_port: int,
    actions_port: int,
    model: Path,
    database_url: str,
    extra_env: dict[str, str] | None = None,
    log: Path | None = None,
) -> list[subprocess.Popen]:
    """The action server and the Rasa server, as bot.server starts them; returns [actions, rasa]."""
    from bot.server import action_server_command, rasa_server_command, runtime_endpoints

    env = _env({"DATABASE_URL": database_url, **(extra_env or {})})
    commands = [
        action_server_command(actions_port),
        _with_model(rasa_server_command(rasa_port, runtime_endpoints(actions_port)), model),
    ]
    out = open(log, "ab") if log else None  # noqa: SIM115 - the children keep their own copies
    try:
        return [
            subprocess.Popen(c, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
            for c in commands
        ]
    finally:
        if out:
            out.close()
