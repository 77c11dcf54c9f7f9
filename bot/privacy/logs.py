"""Every log record, at every level and from every library, is redacted when it is created.

A log record factory (not a handler filter) so it holds whatever handlers Rasa, Sanic or coloredlogs add later.
"""

from __future__ import annotations

import logging

from bot.nlp.redact import redact

_installed = False


def install() -> None:
    """Make every log record's message redacted. Safe to call more than once."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:  # type: ignore[no-untyped-def]
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break the program
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
