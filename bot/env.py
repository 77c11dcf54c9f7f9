"""Environment every process of ours runs with: no telemetry, quiet TensorFlow, one thread pool."""

from __future__ import annotations

import os

QUIET = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}


def apply() -> dict[str, str]:
    """Set our defaults in this process's environment (never overriding what the caller set) and return it."""
    for key, value in QUIET.items():
        os.environ.setdefault(key, value)
    return dict(os.environ)
