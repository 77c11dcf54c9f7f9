"""Retention for the registry: closed requests, the audit log and identity attempts are deleted when the
council's retention schedule says so. Open requests are never deleted, whatever their age.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.records.models import AuditEntry, IdentityAttempt, Request, RequestEvent, utc_now
from bot.records.service import CLOSED_STATUSES, audit

# Failed identity checks only matter for the 30-minute lockout; a day is plenty.
IDENTITY_ATTEMPT_DAYS = 1


@dataclass(frozen=True)
class PurgeCounts:
    requests: int
    audit_entries: int
    identity_attempts: int


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
    audit_result = session.execute(delete(AuditEntry).where(AuditEntry.at < now - dt.timedelta(days=audit_days)))
    attempts_result = session.execute(
        delete(IdentityAttempt).where(IdentityAttempt.at < now - dt.timedelta(days=IDENTITY_ATTEMPT_DAYS))
    )
    counts = PurgeCounts(len(old_ids), audit_result.rowcount or 0, attempts_result.rowcount or 0)
    audit(
        session, action="retention_purge", actor="system:retention", channel="system",
        details={"requests": counts.requests, "audit_entries": counts.audit_entries,
                 "identity_attempts": counts.identity_attempts},
    )
    return counts
