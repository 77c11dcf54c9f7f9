"""Retention for the registry: closed requests, finished consent reviews (with their send attempts and
answers), the audit log and identity attempts are deleted when the council's retention schedule says so. Open
requests, and reviews still to send, are never deleted, whatever their age.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.records.models import (
    AuditEntry,
    IdentityAttempt,
    Request,
    RequestEvent,
    Review,
    ReviewAnswer,
    ReviewAttempt,
    utc_now,
)
from bot.records.service import CLOSED_STATUSES, audit

# Failed identity checks only matter for the 30-minute lockout; a day is plenty.
IDENTITY_ATTEMPT_DAYS = 1


@dataclass(frozen=True)
class PurgeCounts:
    requests: int
    audit_entries: int
    identity_attempts: int
    reviews: int = 0


def purge_records(
    session: Session, *, request_days: int, audit_days: int, now: dt.datetime | None = None
) -> PurgeCounts:
    """Delete closed requests untouched for `request_days`, audit entries older than `audit_days`,
    and identity attempts older than a day. Writes one audit entry saying what was deleted."""
    now = now or utc_now()
    request_cutoff = now - dt.timedelta(days=request_days)
    last_touch = (
        select(RequestEvent.request_id, func.max(RequestEvent.at).label("last"))
        .group_by(RequestEvent.request_id)
        .subquery()
    )
    old_ids = session.execute(
        select(Request.id)
        .outerjoin(last_touch, last_touch.c.request_id == Request.id)
        .where(Request.status.in_(CLOSED_STATUSES))
        .where(func.coalesce(last_touch.c.last, Request.created_at) < request_cutoff)
    ).scalars().all()
    if old_ids:
        session.execute(delete(RequestEvent).where(RequestEvent.request_id.in_(old_ids)))
        session.execute(delete(Request).where(Request.id.in_(old_ids)))
    # Reviews are kept as long as choices and requests; one still to send (due, sending) is never deleted.
    last_review_touch = func.coalesce(Review.done_at, Review.sent_at, Review.created_at)
    old_reviews = session.execute(
        select(Review.id).where(Review.status.not_in(("due", "sending")), last_review_touch < request_cutoff)
    ).scalars().all()
    if old_reviews:
        session.execute(delete(ReviewAnswer).where(ReviewAnswer.review_id.in_(old_reviews)))
        session.execute(delete(ReviewAttempt).where(ReviewAttempt.review_id.in_(old_reviews)))
        session.execute(delete(Review).where(Review.id.in_(old_reviews)))
    audit_result = session.execute(delete(AuditEntry).where(AuditEntry.at < now - dt.timedelta(days=audit_days)))
    attempts_result = session.execute(
        delete(IdentityAttempt).where(IdentityAttempt.at < now - dt.timedelta(days=IDENTITY_ATTEMPT_DAYS))
    )
    counts = PurgeCounts(len(old_ids), audit_result.rowcount or 0, attempts_result.rowcount or 0, len(old_reviews))
    audit(
        session, action="retention_purge", actor="system:retention", channel="system",
        details={"requests": counts.requests, "audit_entries": counts.audit_entries,
                 "identity_attempts": counts.identity_attempts, "reviews": counts.reviews},
    )
    return counts
