"""Consent reviews: a family asks to be asked again, by SMS or WhatsApp, every `consent_review_months`
(content/council.yml). The number is kept sealed (bot.privacy.sealing) in the records database, never in the
conversation, and deleted when they stop.

When a review falls due the sender (bot.records.review_sender, run by `python -m bot reviews send` or the
scheduler in the Rasa server) sends one short message. Idempotent by construction:
- one `reviews` row per family and due date (a unique constraint): two senders, or a restart, cannot make two;
- a sender claims a row by moving it from `due` to `sending` in one conditional UPDATE: only one claim wins;
- every attempt is a `review_attempts` row; a failed send is tried again later (RETRY_AFTER), then given up.
A claim whose sender died mid-send stays `sending` (the message may have gone): staff see it in
`python -m bot reviews list`; it is never sent again automatically, so nobody gets the same message twice.

Like service.py, every function takes a Session and does not commit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.privacy.sealing import lookup_digest, seal, unseal
from bot.records.models import Choice, Family, Review, ReviewAnswer, ReviewAttempt, ReviewSubscription
from bot.records.service import UK, InvalidInput, _conversation, _family, _now, audit, set_choice

CHANNELS = ("sms", "whatsapp")
OPEN = ("due", "sending", "sent", "failed")  # a review the family has not answered yet
# After the 1st, 2nd, ... failed attempt, wait this long before the next; after the last, give up ("failed").
RETRY_AFTER = (dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=4), dt.timedelta(hours=12))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1


@dataclass(frozen=True)
class Subscription:
    channel: str
    next_due_at: dt.datetime


@dataclass(frozen=True)
class Claimed:
    """A review a sender has claimed: where to send it."""

    review_id: int
    channel: str
    address: str
    due_on: dt.date


@dataclass(frozen=True)
class ReviewRow:
    family_reference: str
    due_on: dt.date
    status: str
    channel: str | None
    attempts: int
    sent_at: dt.datetime | None
    done_at: dt.datetime | None
    kept: int
    changed: int


def normalise_number(text: object, channel: str) -> str | None:
    """A UK mobile number as +447xxxxxxxxx (SMS) or 447xxxxxxxxx (a WhatsApp id); None if it is not one.
    Accepts 07700 900123, +44 7700 900123, 0044-7700-900123."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    digits = re.sub(r"[\s().-]", "", text.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "44" + digits[1:]
    if not re.fullmatch(r"447[0-9]{9}", digits):
        return None
    return ("+" + digits) if channel == "sms" else digits


def _interval(months: int) -> relativedelta:
    if not isinstance(months, int) or not 1 <= months <= 60:
        raise InvalidInput("the review interval must be 1 to 60 months")
    return relativedelta(months=months)


def _after(start: dt.datetime, months: int) -> dt.datetime:
    """`months` after `start`, counted on the UK calendar."""
    return (start.astimezone(UK) + _interval(months)).astimezone(dt.timezone.utc)


def first_due(now: dt.datetime, months: int) -> dt.date:
    """The date the first review will fall due for a family who asks now."""
    return _after(now, months).astimezone(UK).date()


# --- in the chat ---------------------------------------------------------------------------------------------


def subscribe(
    session: Session, *, family_id: str, channel: str, number: str, interval_months: int,
    conversation_id: str, via: str, now: dt.datetime | None = None,
) -> Subscription:
    """Ask for reviews by `channel` to `number`; replaces an earlier choice. The first is due one interval on."""
    now = _now(now)
    if channel not in CHANNELS:
        raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
    address = normalise_number(number, channel)
    if address is None:
        raise InvalidInput("that is not a UK mobile number")
    family = _family(session, family_id)
    row = session.execute(
        select(ReviewSubscription).where(ReviewSubscription.family_id == family.id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = ReviewSubscription(family_id=family.id, created_at=now)
        session.add(row)
    row.channel = channel
    row.address_sealed = seal(address)
    row.address_digest = _digest(channel, address)
    row.next_due_at = _after(now, interval_months)
    session.flush()
    audit(session, action="reviews.subscribed", actor=f"conversation:{_conversation(conversation_id)}",
          channel=via, family_id=family.public_id, details={"by": channel, "interval_months": interval_months})
    return Subscription(channel=channel, next_due_at=row.next_due_at)


def unsubscribe(session: Session, *, family_id: str, conversation_id: str, via: str) -> bool:
    """Stop reviews: the number is deleted and reviews not yet sent are stopped. False if there were none."""
    family = _family(session, family_id)
    return _stop(session, family, actor=f"conversation:{_conversation(conversation_id)}", via=via)


def _digest(channel: str, address: str) -> str:
    return lookup_digest(f"{channel}|{address}")


def stop_by_number(session: Session, *, channel: str, number: str) -> int:
    """A number said STOP: end the reviews of every family that asked for them to this number by this
    channel, and delete the number. Returns how many families' reviews ended."""
    address = normalise_number(number, channel)
    if address is None:
        return 0
    family_ids = session.execute(
        select(ReviewSubscription.family_id).where(ReviewSubscription.address_digest == _digest(channel, address))
    ).scalars().all()
    for family_pk in family_ids:
        _stop(session, session.get(Family, family_pk), actor=f"system:{channel}-stop", via=channel)
    return len(family_ids)


def _stop(session: Session, family: Family, *, actor: str, via: str) -> bool:
    row = session.execute(
        select(ReviewSubscription).where(ReviewSubscription.family_id == family.id)
    ).scalar_one_or_none()
    if row is None:
        return False
    session.delete(row)
    session.execute(
        update(Review).where(Review.family_id == family.id, Review.status == "due").values(status="stopped")
    )
    session.flush()
    audit(session, action="reviews.stopped", actor=actor, channel=via, family_id=family.public_id)
    return True


def subscription(session: Session, *, family_id: str) -> Subscription | None:
    family = _family(session, family_id)
    row = session.execute(
        select(ReviewSubscription).where(ReviewSubscription.family_id == family.id)
    ).scalar_one_or_none()
    return Subscription(channel=row.channel, next_due_at=row.next_due_at) if row is not None else None


def complete_review(
    session: Session, *, family_id: str, answers: dict[str, str], current: dict[str, str], interval_months: int,
    conversation_id: str, via: str, now: dt.datetime | None = None,
) -> tuple[int, int]:
    """Record a review: for each purpose the choice kept or changed (each with its date). A changed choice is
    saved as any change is (service.set_choice: a CON- request, audited). `current` is each purpose's choice
    before the review (the family's, or the council's default). Closes the family's open review, or records
    one for today if they reviewed without being asked; the next is due one interval on. Returns
    (kept, changed)."""
    now = _now(now)
    family = _family(session, family_id)
    review = session.execute(
        select(Review).where(Review.family_id == family.id, Review.status.in_(OPEN))
        .order_by(Review.due_on.desc()).limit(1).with_for_update()
    ).scalar_one_or_none()
    if review is None:
        today = now.astimezone(UK).date()
        review = session.execute(
            select(Review).where(Review.family_id == family.id, Review.due_on == today)
        ).scalar_one_or_none()
        if review is None:
            review = Review(family_id=family.id, due_on=today, status="due", attempts=0, created_at=now)
            session.add(review)
            session.flush()
    kept = changed = 0
    for purpose_id, choice in answers.items():
        previous = current.get(purpose_id, "")
        if choice != previous:
            set_choice(session, family_id=family.public_id, purpose_id=purpose_id, choice=choice,
                       conversation_id=conversation_id, channel=via)
            changed += 1
        else:
            kept += 1
        review.answers.append(ReviewAnswer(purpose_id=purpose_id, previous_choice=previous or "-", choice=choice,
                                           at=now))
    review.status = "done"
    review.done_at = now
    row = session.execute(
        select(ReviewSubscription).where(ReviewSubscription.family_id == family.id)
    ).scalar_one_or_none()
    if row is not None:
        row.next_due_at = _after(now, interval_months)
    session.flush()
    audit(session, action="reviews.done", actor=f"conversation:{_conversation(conversation_id)}", channel=via,
          family_id=family.public_id, details={"kept": kept, "changed": changed})
    return kept, changed


def current_choices(session: Session, *, family_id: str) -> dict[str, str]:
    family = _family(session, family_id)
    return dict(session.execute(select(Choice.purpose_id, Choice.choice).where(Choice.family_id == family.id)).all())


# --- the sender's steps ----------------------------------------------------------------------------------------


def create_due(session: Session, *, interval_months: int, now: dt.datetime | None = None) -> int:
    """A `reviews` row for every subscription whose time has come, and the next due date moved on.
    Returns how many rows were made (a row another sender made first is not counted)."""
    now = _now(now)
    made = 0
    subscriptions = session.execute(
        select(ReviewSubscription).where(ReviewSubscription.next_due_at <= now)
        .order_by(ReviewSubscription.next_due_at).with_for_update(skip_locked=True)
    ).scalars().all()
    for row in subscriptions:
        due_on = row.next_due_at.astimezone(UK).date()
        try:
            with session.begin_nested():
                session.add(Review(family_id=row.family_id, due_on=due_on, status="due", channel=row.channel,
                                   attempts=0, next_attempt_at=now, created_at=now))
                session.flush()
            made += 1
        except IntegrityError:
            pass  # made already (another sender, or a run before a restart)
        next_due = row.next_due_at
        while next_due <= now:
            next_due = _after(next_due, interval_months)
        row.next_due_at = next_due
    session.flush()
    return made


def claim_next(session: Session, *, now: dt.datetime | None = None) -> Claimed | None:
    """Claim one review ready to send (due, and its retry time has come) by moving it to `sending`.
    The conditional UPDATE makes the claim exclusive; commit it before sending."""
    now = _now(now)
    while True:
        candidate = session.execute(
            select(Review.id, Review.family_id, Review.due_on)
            .where(Review.status == "due", Review.next_attempt_at.is_not(None), Review.next_attempt_at <= now)
            .order_by(Review.next_attempt_at, Review.id).limit(1)
        ).first()
        if candidate is None:
            return None
        won = session.execute(
            update(Review).where(Review.id == candidate.id, Review.status == "due").values(status="sending")
        ).rowcount
        if not won:
            continue  # another sender took it
        row = session.execute(
            select(ReviewSubscription).where(ReviewSubscription.family_id == candidate.family_id)
        ).scalar_one_or_none()
        address = unseal(row.address_sealed, max_age_s=None) if row is not None else None
        if row is None or address is None:
            session.execute(update(Review).where(Review.id == candidate.id).values(status="stopped"))
            continue
        return Claimed(review_id=candidate.id, channel=row.channel, address=address, due_on=candidate.due_on)


def record_attempt(
    session: Session, claimed: Claimed, *, sent: bool, detail: str = "", now: dt.datetime | None = None
) -> str:
    """Write down one attempt and move the review on: sent, due again later, or failed. Returns the status."""
    now = _now(now)
    review = session.get(Review, claimed.review_id, with_for_update=True)
    review.attempts += 1
    review.send_attempts.append(ReviewAttempt(at=now, channel=claimed.channel, outcome="sent" if sent else "failed",
                                              detail=detail[:200]))
    if review.status == "done":  # the family answered while it was being sent: keep their answer
        review.sent_at = now if sent else review.sent_at
        review.next_attempt_at = None
    elif sent:
        review.status, review.sent_at, review.next_attempt_at = "sent", now, None
    elif review.attempts >= MAX_ATTEMPTS:
        review.status, review.next_attempt_at = "failed", None
    else:
        review.status, review.next_attempt_at = "due", now + RETRY_AFTER[review.attempts - 1]
    session.flush()
    family = session.get(Family, review.family_id)
    audit(session, action=f"reviews.{'sent' if sent else 'send_failed'}", actor="system:reviews", channel="system",
          family_id=family.public_id, details={"attempt": review.attempts, "by": claimed.channel,
                                               "status": review.status}, at=now)
    return review.status


# --- staff ---------------------------------------------------------------------------------------------------


def list_reviews(session: Session, *, status: str | None = None) -> list[ReviewRow]:
    """Every review, by due date; `status` keeps one kind (due, sending, sent, failed, done, stopped)."""
    query = select(Review, Family.reference).join(Family, Family.id == Review.family_id)
    if status is not None:
        query = query.where(Review.status == status)
    rows = []
    for review, reference in session.execute(query.order_by(Review.due_on, Review.id)).all():
        changed = sum(1 for a in review.answers if a.choice != a.previous_choice)
        rows.append(ReviewRow(
            family_reference=reference, due_on=review.due_on, status=review.status, channel=review.channel,
            attempts=review.attempts, sent_at=review.sent_at, done_at=review.done_at,
            kept=len(review.answers) - changed, changed=changed,
        ))
    return rows


def upcoming(session: Session) -> list[tuple[str, str, dt.datetime]]:
    """Families asked to be reminded and when: (family reference, channel, next due)."""
    return [
        (reference, channel, due)
        for reference, channel, due in session.execute(
            select(Family.reference, ReviewSubscription.channel, ReviewSubscription.next_due_at)
            .join(Family, Family.id == ReviewSubscription.family_id)
            .order_by(ReviewSubscription.next_due_at)
        ).all()
    ]


