"""How long the Rasa server waits for the action server: `action_endpoint.timeout` in the endpoints file.

Rasa 3.6 waits up to 5 minutes for each custom action (its constant DEFAULT_REQUEST_TIMEOUT) and has no
setting for it (RasaHQ/rasa#9789, #10764). A paused or overloaded action server then holds the parent's turn,
and the conversation's lock, for minutes. `python -m bot.privacy.launch rasa run --endpoints FILE` reads
`timeout` (seconds) from FILE's `action_endpoint` and gives Rasa that value instead. Rasa keeps the key
unread in the endpoint's settings, so the file stays valid Rasa configuration.

When the action times out Rasa drops that action's events and carries on; bot.channels.fault_reply then sends
the parent the kind reply. Keep the timeout above the slowest healthy action (a few hundred ms under load,
docs/scale-out.md) and below bot.channels.fault_reply.REPLY_WITHIN_S.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)
DEFAULT_S = 5.0


def configured(endpoints: str | Path | None) -> float:
    """The `action_endpoint.timeout` of an endpoints file, or DEFAULT_S."""
    if not endpoints or not Path(endpoints).is_file():
        return DEFAULT_S
    config = yaml.safe_load(Path(endpoints).read_text(encoding="utf-8")) or {}
    value = (config.get("action_endpoint") or {}).get("timeout", DEFAULT_S)
    try:
        seconds = float(value)
    except (TypeError, ValueError) as error:
        raise SystemExit(f"{endpoints}: action_endpoint.timeout must be a number of seconds, not {value!r}") from error
    if seconds <= 0:
        raise SystemExit(f"{endpoints}: action_endpoint.timeout must be above 0")
    return seconds


def endpoints_argument(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--endpoints" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--endpoints="):
            return arg.split("=", 1)[1]
    return None


def apply(argv: list[str]) -> float:
    """Give Rasa (`rasa run ...` arguments) the action timeout of its endpoints file. Returns it."""
    import rasa.core.actions.action as rasa_actions

    seconds = configured(endpoints_argument(argv) or "endpoints.yml")
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = seconds  # read by RemoteAction.run on every call
    return seconds
