"""Measured figures in the docs come from the commands that measure them.

A guide keeps its figures in one results section. Inside it, each command's last output sits between two markers:

    <!-- results: make nlu-report -->
    ...written by the command...
    <!-- /results: make nlu-report -->

`make nlu-report` and `make bench` call update() with what they printed, so the figures a reader sees are the last
ones measured, with the date and the commit they were measured on. Only the text between the markers changes.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from bot.content.loader import REPO_ROOT


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def block(name: str, output: str, when: dt.date | None = None, commit: str | None = None) -> str:
    """The text that goes between the markers: when and where it was measured, then the output as printed."""
    when = when or dt.date.today()
    fence = "```"
    return (
        f"Last run: {when.isoformat()}, commit {commit or _commit()}, by `{name}` on this machine.\n\n"
        f"{fence}text\n{output.rstrip()}\n{fence}\n"
    )


def update(doc: Path, name: str, output: str, **kwargs: object) -> None:
    """Put `output` between the `results: name` markers of `doc`; ValueError if the doc lacks them."""
    text = doc.read_text(encoding="utf-8")
    start, end = f"<!-- results: {name} -->", f"<!-- /results: {name} -->"
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.DOTALL)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{doc} needs exactly one '{start}' ... '{end}' pair")
    replacement = f"{start}\n{block(name, output, **kwargs)}{end}"  # type: ignore[arg-type]
    doc.write_text(pattern.sub(lambda _: replacement, text), encoding="utf-8")
