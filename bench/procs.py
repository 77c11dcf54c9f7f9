"""Processes for the benchmark: free loopback ports, memory and CPU time of process trees, log files."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.server import HOST, free_port  # noqa: F401 - the bench's modules take both from here


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after its closing parenthesis
    fields = stat[stat.rfind(")") + 2 :].split()
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def descendants(pid: int) -> list[int]:
    """The process and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 when it has gone or holds no memory, like a zombie)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cpu_seconds(pid: int, tree: bool = True) -> float:
    """User + system CPU seconds a process has used; with tree, also its children (running or reaped)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    fields_wanted = (11, 12, 13, 14) if tree else (11, 12)
    for p in descendants(pid) if tree else [pid]:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        try:  # utime, stime, cutime, cstime are fields 14-17 (1-based) of the whole line
            total += sum(int(fields[i]) for i in fields_wanted) / ticks
        except (IndexError, ValueError):
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy (not idle or waiting), from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    except (OSError, ValueError, IndexError):
        return 0.0
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def others_busy(our_pids: list[int], window_s: float = 3.0) -> float:
    """The share (0-1) of the machine's CPU that processes other than ours used over the next window_s."""
    own = [os.getpid()]

    def ours() -> float:
        return sum(cpu_seconds(p) for p in our_pids) + sum(cpu_seconds(p, tree=False) for p in own)

    machine, mine = machine_busy_seconds(), ours()
    time.sleep(window_s)
    others = (machine_busy_seconds() - machine) - (ours() - mine)
    return max(0.0, others / (window_s * (os.cpu_count() or 1)))


def wait_until_quiet(our_pids: list[int], max_wait_s: float, threshold: float = 0.1) -> tuple[float, float]:
    """Wait (up to max_wait_s) until other processes use less than `threshold` of the machine's CPU.
    Returns (seconds waited, the last share measured)."""
    started = time.monotonic()
    busy = others_busy(our_pids, 2.0) if max_wait_s > 0 else 0.0
    while busy >= threshold and time.monotonic() - started < max_wait_s:
        busy = others_busy(our_pids, 2.0)
    return time.monotonic() - started, busy


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (10^6 bytes)."""
    return sum(rss_kib(p) for p in descendants(pid)) * 1024 / 1e6


class RssSampler:
    """Samples the resident memory of some process trees in a background thread; keeps the peak of the sum."""

    def __init__(self, pids: list[int], every_s: float = 0.5) -> None:
        self.pids = pids
        self.every_s = every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, sum(tree_rss_mb(p) for p in self.pids))
            self._stop.wait(self.every_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@contextmanager
def output_to(log_path: Path) -> Iterator[None]:
    """Point this process's stdout and stderr at a file while the block runs, so that children started inside
    it write there (they inherit the descriptors); ours come back afterwards."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def wait_for(predicate, timeout_s: float, every_s: float = 0.25) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return False
