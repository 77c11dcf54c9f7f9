"""Keep the servers of `make run` running: a server that stops is started again, the others keep serving.

Each restart is logged in one line (which server, how it stopped, when it starts again). The wait before a
restart doubles from `first_wait_s` up to `max_wait_s` while a server keeps stopping, and starts again from
`first_wait_s` once it has run for `steady_s`. Ctrl-C (or SIGTERM) stops everything at once: `bot.server.stop`.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


def how_it_stopped(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class Server:
    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    wait_s: float = 0.0  # the back-off for its next restart
    restart_at: float | None = None


@dataclass
class Supervisor:
    servers: list[Server]
    first_wait_s: float = 1.0
    max_wait_s: float = 30.0
    steady_s: float = 60.0
    log: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], float] = time.monotonic

    def start(self) -> None:
        """Start every server that has no process yet (a server may be given one already running)."""
        for server in self.servers:
            if server.process is None:
                self._start(server)
            server.started_at = self.clock()

    def _start(self, server: Server) -> None:
        server.process = server.start()
        server.started_at = self.clock()
        server.restart_at = None

    @property
    def processes(self) -> list[subprocess.Popen]:
        return [s.process for s in self.servers if s.process is not None]

    def check(self) -> None:
        """Notice servers that stopped and restart those whose wait is over. Call it every half second."""
        now = self.clock()
        for server in self.servers:
            process = server.process
            if process is None or process.poll() is None:
                continue
            if server.restart_at is None:
                ran_s = now - server.started_at
                server.wait_s = self.first_wait_s if ran_s >= self.steady_s or not server.wait_s else min(
                    self.max_wait_s, server.wait_s * 2
                )
                server.restart_at = now + server.wait_s
                server.restarts += 1
                how = how_it_stopped(process.returncode)
                print(
                    f"RESTART {server.name}: the server (pid {process.pid}) stopped ({how}) after {ran_s:.0f} s; "
                    f"starting it again in {server.wait_s:.0f} s (restart {server.restarts}). "
                    "The other servers keep serving.",
                    file=self.log, flush=True,
                )
            if now >= server.restart_at:
                self._start(server)

    def run_forever(self, poll_s: float = 0.5) -> None:
        while True:
            self.check()
            time.sleep(poll_s)
