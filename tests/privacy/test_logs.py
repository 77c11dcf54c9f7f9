"""Log redaction: every record, whatever its level or logger, leaves without personal details."""

from __future__ import annotations

import logging

from bot.privacy import logs


def test_records_are_redacted_at_every_level(caplog):
    logs.install()
    logger = logging.getLogger("some.library")
    with caplog.at_level(logging.DEBUG):
        logger.debug("user said %s", "call me on 07700 900123")
        logger.info("email %s", "sarah.jones@example.com")
        logger.error("postcode SW1A 1AA")
    text = caplog.text
    assert "07700 900123" not in text and "sarah.jones@example.com" not in text and "SW1A 1AA" not in text
    assert "[PHONE]" in text and "[EMAIL]" in text and "[POSTCODE]" in text


def test_a_name_introduced_once_is_removed_from_later_records(caplog):
    logs.install()
    logger = logging.getLogger("rasa.core.processor")
    with caplog.at_level(logging.DEBUG):
        logger.debug("Received user message 'my son is called Cadfael'")
        logger.debug("Parsed 'Cadfael has a new school'")
    assert "Cadfael" not in caplog.text


def test_a_broken_log_call_does_not_raise(caplog):
    logs.install()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("x").debug("%s %s", "only one")  # wrong number of args
    assert "%s %s" in caplog.text  # kept without its arguments: they could not be checked
