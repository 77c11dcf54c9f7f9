"""bot.supervisor: a server that stops is started again, with back-off and one log line each time."""

from __future__ import annotations

import io
import signal
import subprocess
import sys

from bot.supervisor import Server, Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_killed_server_is_restarted_with_growing_waits_and_the_others_keep_running():
    clock, log = Clock(), io.StringIO()
    actions, rasa = Server("actions", _sleeper), Server("rasa", _sleeper)
    supervisor = Supervisor([actions, rasa], first_wait_s=1, max_wait_s=4, steady_s=60, log=log, clock=clock)
    supervisor.start()
    try:
        rasa_process = rasa.process
        waits = []
        for _ in range(4):
            killed = actions.process
            killed.send_signal(signal.SIGKILL)
            killed.wait()
            supervisor.check()  # noticed: waits before starting it again
            assert actions.process is killed
            waits.append(actions.wait_s)
            clock.now += actions.wait_s
            supervisor.check()
            assert actions.process is not killed and actions.process.poll() is None
            clock.now += 5  # stops again soon after: the wait grows
        assert waits == [1, 2, 4, 4]
        assert rasa.process is rasa_process and rasa_process.poll() is None
        lines = log.getvalue().splitlines()
        assert len(lines) == 4 and all(line.startswith("RESTART actions:") for line in lines)
        assert "killed by SIGKILL" in lines[0]

        clock.now += 120  # ran steadily: the next wait is short again
        actions.process.send_signal(signal.SIGKILL)
        actions.process.wait()
        supervisor.check()
        assert actions.wait_s == 1
    finally:
        for process in supervisor.processes:
            process.kill()
            process.wait()


def test_the_systemd_units_start_a_stopped_server_again_without_giving_up():
    from bot.content.loader import REPO_ROOT

    for unit in ("pda-rasa@.service", "pda-actions@.service"):
        lines = {line.strip() for line in (REPO_ROOT / "deploy" / "systemd" / unit).read_text().splitlines()}
        assert {"Restart=always", "RestartSec=5", "StartLimitIntervalSec=0"} <= lines, unit
