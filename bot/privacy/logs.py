"""Every log record, at every level and from every library, is redacted when it is created.

A log record factory (not a handler filter) so it holds whatever handlers Rasa, Sanic or coloredlogs add later.
Names found after an introduction ("my son is called Tom") are remembered for an hour, process-wide, and removed
from later records too: a log line has no conversation to tell it that "Tom" is a name. Over-redacting a log is
the safe mistake.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from bot.nlp.redact import find_pii, names_pattern, redact

NAME_MEMORY_S = 60 * 60
MAX_NAMES = 2000

_installed = False
_inside = threading.local()  # a record logged while redacting another (e.g. by spaCy) must not recurse
WITHHELD = "(log message withheld: it was written while another was being redacted)"


class RecentNames:
    def __init__(self, ttl_s: float = NAME_MEMORY_S, max_names: int = MAX_NAMES) -> None:
        self.ttl_s = ttl_s
        self.max_names = max_names
        self._names: dict[str, float] = {}
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.RLock()

    def learn(self, text: str) -> None:
        found = {text[s:e].lower() for s, e, label in find_pii(text) if label == "NAME" and e - s > 1}
        if not found:
            return
        with self._lock:
            now = time.monotonic()
            for name in found:
                self._names[name] = now + self.ttl_s
            self._names = {n: t for n, t in self._names.items() if t > now}
            while len(self._names) > self.max_names:
                self._names.pop(next(iter(self._names)))
            self._compile()

    def _compile(self) -> None:
        self._pattern = names_pattern(self._names)

    def scrub(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub("[NAME]", text) if pattern else text


recent_names = RecentNames()


def redact_log_message(message: str) -> str:
    recent_names.learn(message)
    return recent_names.scrub(redact(message))


def install() -> None:
    """Make every log record's message redacted. Safe to call more than once."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:  # type: ignore[no-untyped-def]
        record = previous(*args, **kwargs)
        if getattr(_inside, "active", False):
            record.msg, record.args = WITHHELD, None
            return record
        _inside.active = True
        try:
            try:
                message = record.getMessage()
            except Exception:  # a malformed log call must not break the program
                message = str(record.msg)
            record.msg = redact_log_message(message)
            record.args = None
        finally:
            _inside.active = False
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
