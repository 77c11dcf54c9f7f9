"""The stock baseline: the bot `rasa init --no-prompt` makes, with our Rasa version, trained once and cached.

The project and its trained model are kept in ~/.cache/pda-bench/stock-rasa-<version>/ with the training time
measured when it was made (bench-meta.json), so reruns start at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bench.procs import HOST

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pda-bench"


@dataclass(frozen=True)
class StockProject:
    path: Path
    training_s: float
    trained_at: str
    cached: bool  # True when the model came from the cache (training_s is the figure measured then)

    @property
    def model(self) -> Path:
        models = sorted((self.path / "models").glob("*.tar.gz"))
        if not models:
            raise FileNotFoundError(f"no trained model in {self.path / 'models'}")
        return models[-1]


def stock_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    env.update(QUIET_ENV)
    env.update(extra or {})
    return env


def _load(path: Path) -> StockProject | None:
    meta = path / "bench-meta.json"
    try:
        data = json.loads(meta.read_text())
        project = StockProject(path, float(data["training_s"]), str(data["trained_at"]), cached=True)
        project.model  # noqa: B018 - raises when the model is missing
        return project
    except (OSError, ValueError, KeyError, FileNotFoundError):
        return None


def ensure_stock(force: bool = False, log: Path | None = None) -> StockProject:
    """The cached stock project, made (rasa init --no-prompt, which trains) when missing or when forced."""
    target = cache_root() / f"stock-rasa-{version('rasa')}"
    if not force and (project := _load(target)) is not None:
        return project
    cache_root().mkdir(parents=True, exist_ok=True)
    building = cache_root() / f".building-{uuid.uuid4().hex[:8]}"
    building.mkdir()
    command = [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(building)]
    started = time.monotonic()
    with open(log or os.devnull, "ab") as out:
        result = subprocess.run(
            command, cwd=cache_root(), env=stock_env(), stdout=out, stderr=subprocess.STDOUT
        )
    training_s = time.monotonic() - started
    if result.returncode != 0 or not list((building / "models").glob("*.tar.gz")):
        shutil.rmtree(building, ignore_errors=True)
        raise RuntimeError(f"`rasa init --no-prompt` failed (exit {result.returncode}); see {log}")
    trained_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (building / "bench-meta.json").write_text(
        json.dumps({"training_s": round(training_s, 1), "trained_at": trained_at, "rasa": version("rasa")})
    )
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return StockProject(target, round(training_s, 1), trained_at, cached=False)


def stock_command(project: StockProject, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rasa",
        "run",
        "--model",
        str(project.model),
        "--interface",
        HOST,
        "--port",
        str(port),
        "--credentials",
        str(project.path / "credentials.yml"),
        "--endpoints",
        str(project.path / "endpoints.yml"),
    ]


def start_stock(
    project: StockProject, port: int, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it open
    try:
        return subprocess.Popen(
            stock_command(project, port),
            cwd=project.path,
            env=stock_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        if log:
            out.close()


def stock_script(index: int):  # type: ignore[no-untyped-def]
    """The stock bot's own conversations: greeting and mood, as in its training stories."""
    from bench.load import Script, Turn

    greet = Turn("hello there", ("how are you",))
    variants = (
        Script("mood_great", (greet, Turn("I am feeling great", ("carry on",)), Turn("bye", ("bye",)))),
        Script(
            "mood_sad",
            (
                greet,
                Turn("I am sad", ("cheer you up", "did that help")),
                Turn("yes", ("carry on",)),
                Turn("goodbye", ("bye",)),
            ),
        ),
        Script(
            "mood_unhappy",
            (Turn("hi", ("how are you",)), Turn("very unhappy", ("did that help",)), Turn("no", ("bye",))),
        ),
        Script(
            "bot_challenge",
            (
                Turn("are you a bot?", ("i am a bot",)),
                Turn("good morning", ("how are you",)),
                Turn("perfect", ("carry on",)),
            ),
        ),
    )
    return variants[index % len(variants)]
