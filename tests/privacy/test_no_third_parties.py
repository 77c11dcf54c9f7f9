"""No third parties: Rasa telemetry is off in every way the project starts Rasa."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.content.loader import REPO_ROOT
from bot.server import action_server_command, rasa_server_command, web_server_command

# What Rasa's command line decides at start (it writes a default config in $HOME the first time).
PROBE = "import rasa.telemetry as t; print(t.initialize_telemetry() and t.is_telemetry_enabled())"


def _telemetry_enabled(code: str, tmp_path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "RASA_TELEMETRY_ENABLED"}
    env["HOME"] = str(tmp_path)  # no user-level Rasa config to lean on
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO_ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_rasa_would_send_telemetry_by_default(tmp_path):
    # The control: without our settings Rasa's own default is on, so the next test means something.
    assert _telemetry_enabled(PROBE, tmp_path) == "True"


def test_our_environment_turns_telemetry_off(tmp_path):
    assert _telemetry_enabled("from bot import env; env.apply(); " + PROBE, tmp_path) == "False"


def test_every_server_we_start_goes_through_the_privacy_launcher(tmp_path):
    for command in (action_server_command(1), rasa_server_command(2, tmp_path / "e.yml"), web_server_command(3, 2)):
        assert command[1:3] == ["-m", "bot.privacy.launch"], command


def test_the_makefile_turns_telemetry_off():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "export RASA_TELEMETRY_ENABLED := false" in makefile
