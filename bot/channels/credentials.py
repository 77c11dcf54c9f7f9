"""Reading a channel's block of credentials.yml with clear errors.

Rasa substitutes `${ENV_VAR}` in credentials.yml, so values may arrive as strings even where a number
is meant; these helpers convert and name the key that is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from rasa.shared.exceptions import RasaException

from bot.content.messages import say


class ChannelConfigError(RasaException):
    """A channel's credentials block is missing a key or has a wrong value."""


def required(credentials: Mapping[str, Any], key: str, channel: str) -> str:
    value = credentials.get(key)
    if value is None or not str(value).strip():
        raise ChannelConfigError(f"credentials.yml: the {channel} channel needs '{key}' (see docs/channels.md)")
    return str(value).strip()


def optional(credentials: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    value = credentials.get(key)
    if value is None or not str(value).strip():
        return default
    return str(value).strip()


def number(
    credentials: Mapping[str, Any],
    key: str,
    default: float,
    channel: str,
    minimum: float = 0,
    integer: bool = True,
) -> Any:
    value = credentials.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        parsed = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise ChannelConfigError(
            f"credentials.yml: '{key}' of the {channel} channel must be a number, not {value!r}"
        ) from None
    if parsed < minimum:
        raise ChannelConfigError(f"credentials.yml: '{key}' of the {channel} channel must be at least {minimum}")
    return parsed


def council_contact_line(council_file: str | Path) -> tuple[str, str] | None:
    """(council name, "how to reach a person") from content/council.yml, or None if it cannot be read."""
    try:
        data = yaml.safe_load(Path(council_file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    name = data.get("name")
    contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
    phone, who = contact.get("phone"), contact.get("name")
    if not name or not phone:
        return None
    reach = say("channels.reach_named", who=who, phone=phone) if who else say("channels.reach_phone", phone=phone)
    return str(name), reach
