"""The registry's tables. Migrations (bot/records/migrations) create them; keep the two in step
(tests/records/test_migrations.py compares them)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite (no time zones) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetime: records store timezone-aware UTC only")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Family(Base):
    __tablename__ = "families"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(64), nullable=False, unique=True, default=new_public_id)
    reference = Column(String(32), nullable=False, unique=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)

    children = relationship("Child", back_populates="family", cascade="all, delete-orphan")
    choices = relationship("Choice", back_populates="family", cascade="all, delete-orphan")
    requests = relationship("Request", back_populates="family", cascade="all, delete-orphan")


class Child(Base):
    __tablename__ = "children"

    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("families.id", ondelete="CASCADE"), nullable=False, index=True)
    date_of_birth = Column(Date, nullable=False)

    family = relationship("Family", back_populates="children")


class Choice(Base):
    __tablename__ = "choices"
    __table_args__ = (UniqueConstraint("family_id", "purpose_id"),)

    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("families.id", ondelete="CASCADE"), nullable=False)
    purpose_id = Column(String(64), nullable=False)
    choice = Column(String(40), nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False, default=utc_now)

    family = relationship("Family", back_populates="choices")


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_status_due_at", "status", "due_at"),)

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    type = Column(String(20), nullable=False)
    purpose = Column(String(64), nullable=True)
    status = Column(String(20), nullable=False)
    details = Column(JSON, nullable=False, default=dict)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    due_at = Column(UTCDateTime(), nullable=False)
    family_id = Column(Integer, ForeignKey("families.id", ondelete="CASCADE"), nullable=False, index=True)
    # Released (set to NULL) when the request is closed, so the same parent can ask again later.
    idempotency_key = Column(String(64), nullable=True, unique=True)

    family = relationship("Family", back_populates="requests")
    events = relationship(
        "RequestEvent",
        back_populates="request",
        cascade="all, delete-orphan",
        order_by=lambda: [RequestEvent.at, RequestEvent.id],
    )


class RequestEvent(Base):
    __tablename__ = "request_events"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UTCDateTime(), nullable=False, default=utc_now)
    status = Column(String(20), nullable=False)
    note = Column(Text, nullable=False, default="")
    actor = Column(String(200), nullable=False)

    request = relationship("Request", back_populates="events")


class AuditEntry(Base):
    """Append-only (the database refuses UPDATE). Never holds a date of birth or what a parent typed."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime(), nullable=False, default=utc_now, index=True)
    channel = Column(String(40), nullable=False)
    actor = Column(String(200), nullable=False)
    action = Column(String(60), nullable=False)
    family_public_id = Column(String(64), nullable=True, index=True)
    details = Column(JSON, nullable=False, default=dict)


class IdentityAttempt(Base):
    __tablename__ = "identity_attempts"
    __table_args__ = (Index("ix_identity_attempts_key_at", "key", "at"),)

    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False)
    at = Column(UTCDateTime(), nullable=False, default=utc_now)
    success = Column(Boolean, nullable=False)


class Holding(Base):
    """One council or partner system that holds records about a family, from the council's data-warehouse
    extract (`python -m bot holdings import`). Ids in the lists are checked against content/council.yml."""

    __tablename__ = "holdings"
    __table_args__ = (UniqueConstraint("family_id", "system"),)

    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("families.id", ondelete="CASCADE"), nullable=False)
    system = Column(String(120), nullable=False)
    record_kinds = Column(JSON, nullable=False, default=list)
    held_since = Column(Date, nullable=False)
    retention_id = Column(String(64), nullable=False)
    linked_into = Column(JSON, nullable=False, default=list)
    purposes = Column(JSON, nullable=False, default=list)
    # [{"id": algorithm id from the register, "last_run": "YYYY-MM-DD"}]
    algorithms = Column(JSON, nullable=False, default=list)
    organisations = Column(JSON, nullable=False, default=list)
    imported_at = Column(UTCDateTime(), nullable=False, default=utc_now)


class ReviewSubscription(Base):
    """A family who asked to be asked again. Deleted (number and all) when they stop."""

    __tablename__ = "review_subscriptions"

    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("families.id", ondelete="CASCADE"), nullable=False, unique=True)
    channel = Column(String(20), nullable=False)  # "sms" | "whatsapp"
    address_sealed = Column(Text, nullable=False)  # the number, sealed with bot.privacy.sealing
    # sealing.lookup_digest of "<channel>|<number>": finds the row when that number texts STOP
    address_digest = Column(String(64), nullable=False, index=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    next_due_at = Column(UTCDateTime(), nullable=False, index=True)


class Review(Base):
    """One review a family is due (one row per family and due date: the sender's idempotency key)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("family_id", "due_on"),
        Index("ix_reviews_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True)
    family_id = Column(Integer, ForeignKey("families.id", ondelete="CASCADE"), nullable=False)
    due_on = Column(Date, nullable=False)
    # due (to send) | sending (claimed by a sender) | sent | failed (gave up) | done | stopped
    status = Column(String(20), nullable=False)
    channel = Column(String(20), nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime(), nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, default=utc_now)
    sent_at = Column(UTCDateTime(), nullable=True)
    done_at = Column(UTCDateTime(), nullable=True)

    send_attempts = relationship(
        "ReviewAttempt", cascade="all, delete-orphan", order_by=lambda: [ReviewAttempt.at, ReviewAttempt.id]
    )
    answers = relationship(
        "ReviewAnswer", cascade="all, delete-orphan", order_by=lambda: [ReviewAnswer.at, ReviewAnswer.id]
    )


class ReviewAttempt(Base):
    """Every try at sending a review message, whatever happened."""

    __tablename__ = "review_attempts"

    id = Column(Integer, primary_key=True)
    review_id = Column(Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UTCDateTime(), nullable=False, default=utc_now)
    channel = Column(String(20), nullable=False)
    outcome = Column(String(20), nullable=False)  # "sent" | "failed"
    detail = Column(String(200), nullable=False, default="")


class ReviewAnswer(Base):
    """One choice looked at in a review: kept or changed, with its date."""

    __tablename__ = "review_answers"

    id = Column(Integer, primary_key=True)
    review_id = Column(Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose_id = Column(String(64), nullable=False)
    previous_choice = Column(String(40), nullable=False)
    choice = Column(String(40), nullable=False)
    at = Column(UTCDateTime(), nullable=False, default=utc_now)
