"""The consent review sender: a job, not a loop in a request. `python -m bot reviews send` runs it once; in
production the systemd timer deploy/systemd/pda-reviews.timer runs that every hour (docs/data-map.md).

It sends through the same clients the channels use, configured from the same credentials.yml blocks:
SMS by Twilio's REST API (bot.channels.sms.TwilioSender), WhatsApp by the Cloud API (bot.channels.whatsapp.
GraphClient) as an approved template message, since a review is months after the family last wrote (outside
WhatsApp's 24-hour window only a template may be sent). Idempotency and retries: bot/records/reviews.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.content import task_text as texts
from bot.content.loader import content
from bot.records import reviews
from bot.records.db import session_scope

logger = logging.getLogger(__name__)

SMS_BLOCK = "bot.channels.sms.SmsInput"
WHATSAPP_BLOCK = "bot.channels.whatsapp.WhatsAppInput"
DEFAULT_TEMPLATE = "consent_review"
DEFAULT_TEMPLATE_LANGUAGE = "en_GB"
# The template's quick-reply button sends this back: the payload of the intent that opens the review.
REVIEW_PAYLOAD = "/review_choices"

Send = Callable[[str], Awaitable[bool]]  # address -> sent?


@dataclass(frozen=True)
class SendReport:
    made: int
    sent: int
    failed: int


def whatsapp_template(to: str, *, name: str, language: str, council: str) -> dict[str, Any]:
    """A Cloud API template message (the template to register is in docs/data-map.md)."""
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": council}]},
                {"type": "button", "sub_type": "quick_reply", "index": "0",
                 "parameters": [{"type": "payload", "payload": REVIEW_PAYLOAD}]},
            ],
        },
    }


def read_credentials(path: str | Path) -> dict[str, Any]:
    """credentials.yml as Rasa reads it (with ${ENV} values filled in)."""
    from rasa.shared.utils.io import read_config_file

    return dict(read_config_file(str(path)) or {})


def senders_from_credentials(credentials: Mapping[str, Any]) -> dict[str, Send]:
    """One send function per channel configured in credentials.yml."""
    senders: dict[str, Send] = {}
    council = content().council
    if credentials.get(SMS_BLOCK):
        from bot.channels.sms import SmsSettings, TwilioSender

        twilio = TwilioSender(SmsSettings.from_credentials(credentials[SMS_BLOCK]))
        text = texts.review_due_sms()

        async def send_sms(address: str) -> bool:
            return await twilio.send(address, text)

        senders["sms"] = send_sms
    if credentials.get(WHATSAPP_BLOCK):
        from bot.channels.whatsapp import GraphClient, WhatsAppSettings

        block = credentials[WHATSAPP_BLOCK]
        graph = GraphClient(WhatsAppSettings.from_credentials(block))
        name = str(block.get("review_template") or DEFAULT_TEMPLATE)
        language = str(block.get("review_template_language") or DEFAULT_TEMPLATE_LANGUAGE)

        async def send_whatsapp(address: str) -> bool:
            return await graph.post(whatsapp_template(address, name=name, language=language,
                                                      council=council.short_name))

        senders["whatsapp"] = send_whatsapp
    return senders


async def send_due(
    senders: Mapping[str, Send], *, now: dt.datetime | None = None, engine: Engine | None = None,
) -> SendReport:
    """Make the reviews that have fallen due, then send each one ready (due, or its retry time come)."""
    months = content().council.consent_review_months
    with session_scope(engine) as session:
        made = reviews.create_due(session, interval_months=months, now=now)
    sent = failed = 0
    while True:
        with session_scope(engine) as session:  # the claim is committed before anything is sent
            claimed = reviews.claim_next(session, now=now)
        if claimed is None:
            break
        send = senders.get(claimed.channel)
        ok, detail = False, f"{claimed.channel} is not configured in credentials.yml"
        if send is not None:
            try:
                ok = await send(claimed.address)
                detail = "" if ok else "refused or not reachable (see the log)"
            except Exception as error:  # never let one family's failure stop the others
                logger.exception("Sending a consent review failed")
                detail = type(error).__name__
        with session_scope(engine) as session:
            reviews.record_attempt(session, claimed, sent=ok, detail=detail, now=now)
        sent += ok
        failed += not ok
    return SendReport(made=made, sent=sent, failed=failed)
