"""Environment every process of ours runs with: no telemetry, quiet TensorFlow, less memory."""

from __future__ import annotations

import os

QUIET = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    # Memory (measured, docs/scale-out.md "Speed"): glibc keeps 2 malloc arenas instead of one per thread, and
    # TensorFlow's oneDNN kernels are off (no faster for our small models; they keep caches). About 30 MB less
    # per Rasa server. Both are read when a process starts, so they matter in the processes we start.
    "MALLOC_ARENA_MAX": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}


def apply() -> dict[str, str]:
    """Set our defaults in this process's environment (never overriding what the caller set) and return it."""
    for key, value in QUIET.items():
        os.environ.setdefault(key, value)
    return dict(os.environ)
