"""Tests that need something besides Python packages: a browser, axe-core, the scale-out services.

`make test-deps` installs what it can (Debian's chromium and nginx-light, axe-core from npm). Without them these
tests are skipped with a reason, and `make test` ends with one line naming what was skipped and that command.
CI sets PDA_TESTS_REQUIRE_ALL=1 (.ci/run): then a missing dependency fails the test instead of skipping it, so
the browser, accessibility and scale-out tests can never silently drop out.
"""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL_ENV = "PDA_TESTS_REQUIRE_ALL"
INSTALL_COMMAND = "make test-deps"

# What each kind of test is, as the summary line names it.
KINDS = {"browser": "browser", "accessibility": "accessibility", "scale-out": "scale-out"}
TAG = "[needs {kind}]"


def require_all() -> bool:
    return os.environ.get(REQUIRE_ALL_ENV, "") not in ("", "0")


def missing(kind: str, reason: str) -> None:
    """Skip the running test (or fail it, under PDA_TESTS_REQUIRE_ALL=1) because `kind`'s dependency is missing."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of test: {kind}")
    message = f"{TAG.format(kind=kind)} {reason}"
    if require_all():
        pytest.fail(f"{message} ({REQUIRE_ALL_ENV} is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(f"{message} (`{INSTALL_COMMAND}` adds it)")


def kind_of(skip_reason: str) -> str | None:
    """The kind named in a skip reason written by missing(), or None for any other skip."""
    for kind in KINDS:
        if TAG.format(kind=kind) in skip_reason:
            return kind
    return None


def summary_line(skipped: dict[str, int]) -> str | None:
    """One line naming what was skipped for want of a dependency and the command that adds it."""
    if not skipped:
        return None
    parts = ", ".join(f"{count} {kind}" for kind, count in skipped.items())
    total = sum(skipped.values())
    return (
        f"SKIPPED {total} test{'s' if total != 1 else ''} for want of a dependency ({parts}): "
        f"`{INSTALL_COMMAND}` adds them"
    )
