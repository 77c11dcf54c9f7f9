"""What the assistant says about the conversation's language, read from content/messages/<lang>/language.yml.

`say(key, lang, channel, **params)` has the signature of the keyed messages' `say` (bot/content/messages.py, which
reads every file under content/messages/): once that module is here, the callers of this one use it instead and
this file goes. Until then it reads only language.yml.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from bot.content.loader import CONTENT_DIR

MESSAGES_DIR = CONTENT_DIR / "messages"
FILE = "language.yml"
LANGUAGES = ("en", "cy")
TEXT_CHANNELS = ("sms", "whatsapp")


@functools.cache
def messages(lang: str) -> dict[str, dict[str, str]]:
    """key -> {"text": ..., "sms": ..., "whatsapp": ...} of one language."""
    if lang not in LANGUAGES:
        raise KeyError(f"no messages in language {lang!r}; there are {LANGUAGES}")
    loaded = yaml.safe_load((MESSAGES_DIR / lang / FILE).read_text(encoding="utf-8")) or {}
    return {key: dict(value) for key, value in loaded.items()}


def variants(key: str, lang: str) -> list[str]:
    """Every form of a message (web, SMS, WhatsApp), to find it among what was said before."""
    return sorted(set(messages(lang)[key].values()))


def say(key: str, lang: str = "en", channel: str = "web", **params: Any) -> str:
    """The message `key` in `lang`, in its form for `channel` (sms or whatsapp: the short form if there is one)."""
    entry = messages(lang if lang in LANGUAGES else "en")[key]
    text = entry.get(channel) if channel in TEXT_CHANNELS else None
    return (text or entry["text"]).format(**params)
