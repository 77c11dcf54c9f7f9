"""SMS (Twilio) and WhatsApp (Meta) through the real Rasa server and model, signed as the platforms sign.

Replies go to fake Twilio / Graph API servers on loopback (see conftest.py), which record them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.conftest import PHONE_NUMBER_ID, TWILIO_TOKEN, WHATSAPP_SECRET

pytestmark = pytest.mark.e2e
PUBLIC_URL = "https://parents.example.gov.uk/webhooks/sms/webhook"
_ids = itertools.count(1)


def _post(url: str, data: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(records: list, count: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(records) < count:
        time.sleep(0.1)
    return records


def sms(chat, peers, sender: str, text: str, forge: bool = False) -> str:
    # unique across imports of this module (pytest's and another test's `from ... import sms`), so the channel's
    # dedupe never drops a message as a repeat
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": "+447700900000", "Body": text,
              "AccountSid": "AC" + "0" * 31 + "9", "NumMedia": "0"}
    signature = RequestValidator("not-the-token" if forge else TWILIO_TOKEN).compute_signature(PUBLIC_URL, params)
    before = len(peers.sms)
    status = _post(f"{chat.base}/webhooks/sms/webhook", urllib.parse.urlencode(params).encode(),
                   {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    if forge:
        assert status == 403
        time.sleep(1)
        assert len(peers.sms) == before
        return ""
    assert status == 200
    _wait_for(peers.sms, before + 1)
    time.sleep(0.3)  # a turn's messages go out together; let any stragglers land
    return "\n".join(m["Body"] for m in peers.sms[before:] if m.get("To") == sender)


def whatsapp(chat, peers, wa_id: str, text: str, secret: str = WHATSAPP_SECRET) -> list[dict]:
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"wa_id": wa_id, "profile": {"name": "Parent"}}],
        "messages": [{"from": wa_id, "id": f"wamid.{next(_ids)}", "timestamp": str(int(time.time())),
                      "type": "text", "text": {"body": text}}]}}]}]}
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    before = len(peers.whatsapp)
    status = _post(f"{chat.base}/webhooks/whatsapp/webhook", body,
                   {"X-Hub-Signature-256": signature, "Content-Type": "application/json"})
    if secret != WHATSAPP_SECRET:
        assert status == 403
        return []
    assert status == 200
    _wait_for(peers.whatsapp, before + 1)
    time.sleep(0.3)
    return [m for m in peers.whatsapp[before:] if m.get("to") == wa_id]


def _wa_text(messages: list[dict]) -> str:
    parts = []
    for m in messages:
        if m.get("type") == "text":
            parts.append(m["text"]["body"])
        elif m.get("type") == "interactive":
            parts.append(m["interactive"]["body"]["text"])
    return "\n".join(parts)


def test_sms_identity_check_and_status_report(servers, peers):
    chat, _ = servers
    parent = "+447700900111"
    assert "family reference" in sms(chat, peers, parent, "check my status")
    assert "date of birth" in sms(chat, peers, parent, "DEMO 1001")
    reply = sms(chat, peers, parent, "3/4/2019")
    assert "matches" in reply and "Your choices" in reply
    assert "MORE" not in reply  # the short form fits


def test_sms_crisis_gets_the_numbers_at_once(servers, peers):
    chat, _ = servers
    reply = sms(chat, peers, "+447700900222", "hes gonna hurt the kids")
    first = reply.split("\n")[0]  # the numbers come alone, in the first text, within one segment
    assert first.startswith("In danger now? Call 999.") and "0808 800 5000" in first and len(first) <= 160


def test_sms_topic_answer_carries_a_short_source_link(servers, peers):
    chat, _ = servers
    reply = sms(chat, peers, "+447700900333", "how long do you keep our records")
    assert "More: https://" in reply


def test_forged_sms_is_refused_and_reaches_no_conversation(servers, peers):
    chat, _ = servers
    sms(chat, peers, "+447700900444", "opt me out", forge=True)


def test_whatsapp_identity_check_buttons_and_crisis(servers, peers):
    chat, _ = servers
    wa = "447700900555"
    assert "family reference" in _wa_text(whatsapp(chat, peers, wa, "I want to see my data"))
    whatsapp(chat, peers, wa, "DEMO-1002")
    replies = whatsapp(chat, peers, wa, "21 November 2016")
    text = _wa_text(replies)
    assert "matches" in text
    buttons = [m for m in replies if m.get("type") == "interactive"]
    assert buttons, "the confirm question should come as WhatsApp reply buttons"
    titles = [b["reply"]["title"] for b in buttons[-1]["interactive"]["action"]["buttons"]]
    assert titles == ["Yes", "No"]
    assert "999" in _wa_text(whatsapp(chat, peers, wa, "my partner is hitting me"))


def test_forged_whatsapp_is_refused(servers, peers):
    chat, _ = servers
    assert whatsapp(chat, peers, "447700900666", "hi", secret="forged") == []
