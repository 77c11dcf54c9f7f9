"""The family's data map and consent reviews, end to end: REST chat -> identity check -> data map (from the demo
holdings) -> reviews by SMS; the clock moved past the interval; the sender run as staff run it; the fake Twilio
gets one message for that number and none on a second run; the parent's SMS reply opens the review and a changed
choice is in the records database. Nothing of the map or the number is kept in the conversation store."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.parse
import uuid

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.content.loader import REPO_ROOT
from tests.e2e.conftest import TWILIO_TOKEN
from tests.e2e.test_text_channels import PUBLIC_URL, _post, sms

pytestmark = pytest.mark.e2e
NUMBER_TYPED = "07700 900777"
NUMBER = "+447700900777"


def text_stop(chat, sender: str) -> int:
    """A signed "STOP" from `sender`; it gets no reply (Twilio confirms it), so nothing to wait for."""
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": "+447700900000", "Body": "STOP",
              "AccountSid": "AC" + "0" * 31 + "9", "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL, params)
    return _post(f"{chat.base}/webhooks/sms/webhook", urllib.parse.urlencode(params).encode(),
                 {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})


def run_sender(chat, now: dt.datetime) -> str:
    """`python -m bot reviews send`, as the systemd timer runs it, with the clock set to `now`."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "reviews", "send", "--credentials", str(chat.folder / "creds.yml"),
         "--now", now.isoformat()],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_data_map_then_reviews_by_sms_then_the_review(servers, peers):
    from bot.records import service
    from bot.records.db import session_scope
    from bot.records.models import Choice, Family, Review, ReviewAnswer

    chat, _ = servers
    sender = "e2e-datamap"
    first = chat.text(sender, "what do you hold about us")
    assert "family reference" in first
    assert "Housing system" not in first  # nothing about the family before the check
    chat.text(sender, "DEMO-1002")
    messages = chat.send(sender, "21/11/2016")
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "matches" in text
    # systems and dates from the demo holdings
    assert "**Housing system**" in text and "Since: 1 June 2018." in text
    assert "**School records system**" in text and "Since: 3 September 2020." in text
    assert "- Family Support Finder (a computer tool, last run 2 November 2026)" in text
    pictures = [m["custom"]["data"]["data_map"] for m in messages if isinstance(m.get("custom"), dict)]
    assert len(pictures) == 1
    assert pictures[0]["svg"].startswith("<svg") and 'role="img"' in pictures[0]["svg"]
    assert "Housing system" in pictures[0]["svg"] and "Housing system" in pictures[0]["alt"]
    assert any(b["payload"] == "/review_reminders" for m in messages for b in m.get("buttons") or [])

    assert "text message or by WhatsApp" in chat.text(sender, "/review_reminders")
    assert "Which mobile number" in chat.text(sender, "text message")
    assert "Sorry" in chat.text(sender, "01632 960001")  # a landline: asked again
    confirm = chat.text(sender, NUMBER_TYPED)
    assert "ending 777" in confirm and "900777" not in confirm
    joined = chat.text(sender, "yes")
    asked_at = dt.datetime.now(dt.timezone.utc)
    assert "I will ask you again in" in joined

    # before the interval: nothing; after it: one message to that number, and none on a second run
    before = len(peers.sms)
    assert "0 sent" in run_sender(chat, asked_at + dt.timedelta(days=300))
    assert "1 sent" in run_sender(chat, asked_at + dt.timedelta(days=370))
    assert "0 sent" in run_sender(chat, asked_at + dt.timedelta(days=371))
    sent = [m for m in peers.sms[before:] if m.get("To") == NUMBER]
    assert len(sent) == 1 and len(peers.sms) == before + 1
    assert "Reply REVIEW" in sent[0]["Body"]

    # the reply opens the review: the identity check first, then the map, then each choice
    assert "family reference" in sms(chat, peers, NUMBER, "REVIEW")
    sms(chat, peers, NUMBER, "DEMO-1002")
    opened = sms(chat, peers, NUMBER, "21/11/2016")
    if "Reply MORE" in opened:
        opened += "\n" + sms(chat, peers, NUMBER, "MORE")
    assert "council systems" in opened and "1 of 4" in opened
    assert "2 of 4" in sms(chat, peers, NUMBER, "keep")
    assert "3 of 4" in sms(chat, peers, NUMBER, "I object to risk scores")
    assert "4 of 4" in sms(chat, peers, NUMBER, "keep")
    done = sms(chat, peers, NUMBER, "keep")
    assert "You kept 3 choices and changed 1" in done

    with session_scope() as session:
        family = session.execute(select(Family).where(Family.reference == "DEMO-1002")).scalar_one()
        choice = session.execute(
            select(Choice.choice).where(Choice.family_id == family.id, Choice.purpose_id == "predictive_analytics")
        ).scalar_one()
        review = session.execute(select(Review).where(Review.family_id == family.id)).scalar_one()
        answers = session.execute(select(ReviewAnswer.purpose_id, ReviewAnswer.choice)
                                  .where(ReviewAnswer.review_id == review.id)).all()
        requests = service.list_requests(session, type="consent")
    assert choice == "object"
    assert review.status == "done" and review.sent_at is not None and review.done_at is not None
    assert ("predictive_analytics", "object") in answers and len(answers) == 4
    assert any(r.family_id == family.public_id and r.purpose == "predictive_analytics" for r in requests)

    time.sleep(0.5)
    stored = (chat.folder / "trackers.db").read_bytes()
    assert b"Housing system" not in stored and b"Since: 1 June 2018" not in stored  # the map is never kept
    assert b"900777" not in stored  # nor the number


def test_by_sms_reviews_can_go_to_the_number_the_parent_is_texting_from(servers, peers):
    from bot.privacy.sealing import unseal
    from bot.records.db import session_scope
    from bot.records.models import Family, ReviewSubscription

    chat, _ = servers
    parent = "+447700900888"
    assert "family reference" in sms(chat, peers, parent, "ask me again every year")
    sms(chat, peers, parent, "DEMO-1001")
    assert "text message or by WhatsApp" in sms(chat, peers, parent, "3/4/2019")
    assert "Or say this number" in sms(chat, peers, parent, "text message")
    assert "ending 888" in sms(chat, peers, parent, "this number")
    assert "I will ask you again in" in sms(chat, peers, parent, "yes")
    with session_scope() as session:
        sealed = session.execute(
            select(ReviewSubscription.address_sealed).join(Family, Family.id == ReviewSubscription.family_id)
            .where(Family.reference == "DEMO-1001")
        ).scalar_one()
    assert unseal(sealed, max_age_s=None) == parent
    assert text_stop(chat, parent) == 200  # and a STOP deletes it (before the webhook answers)
    with session_scope() as session:
        assert session.execute(select(ReviewSubscription).join(Family, Family.id == ReviewSubscription.family_id)
                               .where(Family.reference == "DEMO-1001")).first() is None
