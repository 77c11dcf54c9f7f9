"""Consent reviews: asking to be asked again (number sealed, deleted on stop), the sender as a job with a
controlled clock against the channel tests' fake Twilio and Graph API servers (one message per family and due
date, retries with backoff, every attempt recorded), and a review recorded choice by choice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.content.loader import content
from bot.records import review_sender, reviews, service
from bot.records.models import AuditEntry, Choice, Review, ReviewAnswer, ReviewAttempt, ReviewSubscription
from tests.channels.channel_fakes import (
    PHONE_NUMBER_ID,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_NUMBER,
    FakeGraph,
    FakeTwilio,
    serve_aiohttp,
)

T0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)
MONTHS = content().council.consent_review_months
DUE = T0 + dt.timedelta(days=366)


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTwilio, FakeGraph]]:
    twilio, graph = FakeTwilio(), FakeGraph()
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", twilio.create_message)
    app.router.add_post("/{version}/{phone_number_id}/messages", graph.messages)
    async with serve_aiohttp(app) as url:
        twilio.base_url = graph.base_url = url
        yield twilio, graph


def senders(url: str) -> dict:
    return review_sender.senders_from_credentials({
        review_sender.SMS_BLOCK: {"account_sid": TWILIO_ACCOUNT_SID, "auth_token": TWILIO_AUTH_TOKEN,
                                  "twilio_number": TWILIO_NUMBER, "sender_id_secret": "s", "api_base_url": url},
        review_sender.WHATSAPP_BLOCK: {"verify_token": "v", "app_secret": "a", "access_token": "t",
                                       "phone_number_id": PHONE_NUMBER_ID, "sender_id_secret": "s",
                                       "graph_base_url": url, "review_template": "consent_review_v1"},
    })


def subscribe(scope, family_id: str, channel: str = "sms", number: str = "07700 900321",  # type: ignore[no-untyped-def]
              at: dt.datetime = T0) -> reviews.Subscription:
    with scope() as session:
        return reviews.subscribe(session, family_id=family_id, channel=channel, number=number,
                                 interval_months=MONTHS, conversation_id="c1", via="rest", now=at)


def statuses(scope) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    with scope() as session:
        return list(session.execute(select(Review.status, Review.attempts).order_by(Review.id)).all())


def test_numbers_are_checked_and_stored_sealed(scope, demo) -> None:  # type: ignore[no-untyped-def]
    assert reviews.normalise_number("07700 900321", "sms") == "+447700900321"
    assert reviews.normalise_number("+44 (0)7700 900321", "sms") is None
    assert reviews.normalise_number("0044-7700-900321", "whatsapp") == "447700900321"
    for bad in ("01632 960001", "999", "", "0770090032", None, "07700 900321" * 5):
        assert reviews.normalise_number(bad, "sms") is None  # type: ignore[arg-type]
    with pytest.raises(service.InvalidInput):
        subscribe(scope, demo["DEMO-1002"], number="01632 960001")
    chosen = subscribe(scope, demo["DEMO-1002"])
    assert chosen.next_due_at.date() == dt.date(2027, 12, 7)
    with scope() as session:
        stored = session.execute(select(ReviewSubscription.address_sealed)).scalar_one()
        logged = str(session.execute(select(AuditEntry.details).where(AuditEntry.action == "reviews.subscribed"))
                     .scalar_one())
    assert "7700900321" not in stored and stored.startswith("sealed:")
    assert "7700900321" not in logged


async def test_sender_sends_once_per_family_and_due_date(engine, scope, demo, fakes) -> None:  # type: ignore[no-untyped-def]
    twilio, graph = fakes
    subscribe(scope, demo["DEMO-1002"])
    subscribe(scope, demo["DEMO-1003"], channel="whatsapp", number="07700 900654")
    send = senders(twilio.base_url)

    early = await review_sender.send_due(send, now=T0 + dt.timedelta(days=300), engine=engine)
    assert (early.made, early.sent) == (0, 0) and not twilio.sent and not graph.sent

    first = await review_sender.send_due(send, now=DUE, engine=engine)
    assert (first.made, first.sent, first.failed) == (2, 2, 0)
    assert [m["To"] for m in twilio.sent] == ["+447700900321"]
    assert "Reply REVIEW" in twilio.bodies[0] and "DEMO" not in twilio.bodies[0]
    assert len(twilio.bodies[0]) <= 160  # one text message
    template = graph.sent[0]
    assert template["to"] == "447700900654" and template["type"] == "template"
    assert template["template"]["name"] == "consent_review_v1"
    button = template["template"]["components"][1]
    assert button["parameters"][0]["payload"] == review_sender.REVIEW_PAYLOAD

    again = await review_sender.send_due(send, now=DUE + dt.timedelta(hours=1), engine=engine)
    assert (again.made, again.sent) == (0, 0)
    assert len(twilio.sent) == 1 and len(graph.sent) == 1
    assert statuses(scope) == [("sent", 1), ("sent", 1)]
    with scope() as session:  # the next one is a whole interval on
        nexts = session.execute(select(ReviewSubscription.next_due_at)).scalars().all()
    assert all(n.date() == dt.date(2028, 12, 7) for n in nexts)


async def test_two_senders_at_once_send_one_message(engine, scope, demo, fakes) -> None:  # type: ignore[no-untyped-def]
    twilio, _ = fakes
    subscribe(scope, demo["DEMO-1002"])
    send = senders(twilio.base_url)
    reports = await asyncio.gather(*(review_sender.send_due(send, now=DUE, engine=engine) for _ in range(3)))
    assert sum(r.sent for r in reports) == 1
    assert len(twilio.sent) == 1
    assert statuses(scope) == [("sent", 1)]


async def test_a_failed_send_is_retried_with_backoff_and_every_attempt_kept(engine, scope, demo, fakes) -> None:  # type: ignore[no-untyped-def]
    twilio, _ = fakes
    subscribe(scope, demo["DEMO-1002"])
    send = senders(twilio.base_url)
    twilio.fail_status = 500
    failed = await review_sender.send_due(send, now=DUE, engine=engine)
    assert (failed.sent, failed.failed) == (0, 1)
    assert statuses(scope) == [("due", 1)]
    twilio.fail_status = None
    too_soon = await review_sender.send_due(send, now=DUE + dt.timedelta(minutes=5), engine=engine)
    assert too_soon.sent == 0 and not twilio.sent
    later = await review_sender.send_due(send, now=DUE + reviews.RETRY_AFTER[0], engine=engine)
    assert later.sent == 1 and len(twilio.sent) == 1
    with scope() as session:
        attempts = session.execute(select(ReviewAttempt.outcome).order_by(ReviewAttempt.id)).scalars().all()
    assert attempts == ["failed", "sent"]

    # a number that always fails is given up after MAX_ATTEMPTS, each attempt recorded
    subscribe(scope, demo["DEMO-1001"], number="07700 900999")
    twilio.fail_status = 500
    at = DUE
    for _ in range(reviews.MAX_ATTEMPTS + 2):
        await review_sender.send_due(send, now=at, engine=engine)
        at += dt.timedelta(days=1)
    assert statuses(scope)[-1] == ("failed", reviews.MAX_ATTEMPTS)


async def test_stop_deletes_the_number_and_nothing_is_sent(engine, scope, demo, fakes) -> None:  # type: ignore[no-untyped-def]
    twilio, _ = fakes
    subscribe(scope, demo["DEMO-1002"])
    with scope() as session:
        assert reviews.unsubscribe(session, family_id=demo["DEMO-1002"], conversation_id="c1", via="sms")
    with scope() as session:
        assert not reviews.unsubscribe(session, family_id=demo["DEMO-1002"], conversation_id="c1", via="sms")
        assert session.execute(select(ReviewSubscription)).first() is None
    report = await review_sender.send_due(senders(twilio.base_url), now=DUE, engine=engine)
    assert report.sent == 0 and not twilio.sent


def test_a_review_records_each_choice_kept_or_changed(scope, demo) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1003"]
    subscribe(scope, family)
    current = {"early_help_targeting": "included", "predictive_analytics": "objected"}
    with scope() as session:
        kept, changed = reviews.complete_review(
            session, family_id=family, current=current, interval_months=MONTHS, conversation_id="c2", via="sms",
            answers={"early_help_targeting": "included", "predictive_analytics": "allow_all"}, now=DUE,
        )
    assert (kept, changed) == (1, 1)
    with scope() as session:
        answers = session.execute(select(ReviewAnswer.purpose_id, ReviewAnswer.previous_choice, ReviewAnswer.choice)
                                  .order_by(ReviewAnswer.id)).all()
        choice = session.execute(select(Choice.choice).where(Choice.purpose_id == "predictive_analytics")).scalar_one()
        review = session.execute(select(Review)).scalar_one()
    assert answers == [("early_help_targeting", "included", "included"),
                       ("predictive_analytics", "objected", "allow_all")]
    assert choice == "allow_all"
    assert review.status == "done" and review.done_at == DUE


async def test_staff_see_reviews_due_and_done(db_url, engine, scope, demo, fakes, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from bot.records import cli

    monkeypatch.setenv("DATABASE_URL", db_url)
    subscribe(scope, demo["DEMO-1002"])
    subscribe(scope, demo["DEMO-1001"], number="07700 900111")
    assert (await review_sender.send_due(senders(fakes[0].base_url), now=DUE, engine=engine)).sent == 2
    with scope() as session:
        reviews.complete_review(session, family_id=demo["DEMO-1002"], current={"research_and_planning": "included"},
                                answers={"research_and_planning": "object"}, interval_months=MONTHS,
                                conversation_id="c", via="sms", now=DUE + dt.timedelta(days=1))
    assert cli.main(["reviews", "list"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "DEMO-1001" in out and "DEMO-1002" in out and "done" in out and "sent" in out
    assert "900111" not in out and "900321" not in out  # staff lists never show the number
    assert cli.main(["reviews", "export", "--format", "json", "--status", "done"]) == cli.EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert [(r["family_reference"], r["kept"], r["changed"]) for r in rows] == [("DEMO-1002", 0, 1)]
    assert cli.main(["reviews", "send", "--now", "yesterday"]) == cli.EXIT_BAD_INPUT


def test_a_review_answered_while_it_was_being_sent_stays_done(scope, demo) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1002"]
    subscribe(scope, family)
    with scope() as session:
        reviews.create_due(session, interval_months=MONTHS, now=DUE)
        claimed = reviews.claim_next(session, now=DUE)
    with scope() as session:
        reviews.complete_review(session, family_id=family, current={}, answers={}, interval_months=MONTHS,
                                conversation_id="c", via="web", now=DUE)
    with scope() as session:
        assert reviews.record_attempt(session, claimed, sent=True, now=DUE) == "done"
    assert statuses(scope) == [("done", 1)]
