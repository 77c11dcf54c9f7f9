"""Train the Rasa model only when its inputs changed (a hash of config, domain and data)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot.content.loader import REPO_ROOT

MODEL_DIR = REPO_ROOT / "models"
MODEL_NAME = "assistant"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODEL_DIR / f"{MODEL_NAME}.inputs"


def training_inputs() -> list[Path]:
    files = [REPO_ROOT / "config.yml", REPO_ROOT / "domain.yml"]
    files += sorted(p for p in (REPO_ROOT / "data").rglob("*") if p.suffix in {".yml", ".txt"})  # data/crisis: .txt
    return files


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    return MODEL_PATH.exists() and FINGERPRINT_PATH.exists() and FINGERPRINT_PATH.read_text() == fingerprint()


def training_command(out_dir: Path = MODEL_DIR, config: Path | str = "config.yml") -> list[str]:
    """`rasa train` as we run it: through bot.privacy.launch (so with the fixes of bot/speed.py), everything."""
    return [
        sys.executable, "-m", "bot.privacy.launch", "rasa", "train",
        "--config", str(config), "--domain", "domain.yml", "--data", "data",
        "--out", str(out_dir), "--fixed-model-name", MODEL_NAME, "--force",
    ]


def train(force: bool = False) -> int:
    if not force and is_current():
        print(f"Model is up to date: {MODEL_PATH.relative_to(REPO_ROOT)}")
        return 0
    MODEL_DIR.mkdir(exist_ok=True)
    wanted = fingerprint()
    started = time.monotonic()
    print("Training the model (about a minute).", flush=True)
    result = subprocess.run(training_command(), cwd=REPO_ROOT)
    if result.returncode != 0 or not MODEL_PATH.exists():
        print("Training failed.", file=sys.stderr)
        return result.returncode or 1
    FINGERPRINT_PATH.write_text(wanted)
    print(f"Trained in {time.monotonic() - started:.0f} s: {MODEL_PATH.relative_to(REPO_ROOT)}")
    return 0
