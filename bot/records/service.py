"""What the rest of the project may do with the registry.

Every function takes a Session and does not commit: the caller's `session_scope()` owns the transaction.
Writes a channel may retry are idempotent. Results are frozen dataclasses, never ORM objects, and the only
family identifier that leaves this package is the opaque `public_id` (called `family_id` here).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.records.identity import normalise_reference, parse_dob
from bot.records.models import (
    AuditEntry,
    Child,
    Choice,
    Family,
    IdentityAttempt,
    Request,
    RequestEvent,
    utc_now,
)

UK = ZoneInfo("Europe/London")

REQUEST_PREFIXES = {"objection": "OPT", "access": "SAR", "rectification": "FIX", "consent": "CON"}
PARENT_REQUEST_TYPES = ("objection", "access", "rectification")
STATUSES = ("received", "in_progress", "done", "refused")
OPEN_STATUSES = ("received", "in_progress")
CLOSED_STATUSES = ("done", "refused")
OBJECTED = "objected"

# No 0/O, 1/I/L: a parent reading a reference out over the phone cannot confuse them.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 5
_REQUEST_REFERENCE = re.compile(rf"(OPT|SAR|FIX|CON)-?([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})")

LOCK_AFTER_FAILURES = 5
LOCK_WINDOW = dt.timedelta(minutes=30)
LOCK_DURATION = dt.timedelta(minutes=30)

MAX_DETAILS_BYTES = 16_000
MAX_AUDIT_DETAILS_BYTES = 4_000
MAX_NOTE = 4_000
MAX_CONVERSATION_ID = 128
MAX_IMPORT_BYTES = 50 * 1024 * 1024

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_CHANNEL = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,39}")
_ACTION = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,59}")
_FORBIDDEN_AUDIT_KEYS = re.compile(r"dob|birth|date_of|raw|text", re.IGNORECASE)
_IMPORT_REFERENCE = re.compile(r"[A-Za-z]{2,10}[ -]?[0-9]{3,12}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DUMMY_DOB = dt.date(1900, 1, 1)


# --- errors -------------------------------------------------------------------------------------------


class RecordsError(Exception):
    """A problem with what was asked; the message is safe to show staff (no personal data)."""


class InvalidInput(RecordsError, ValueError):
    pass


class UnknownFamily(RecordsError, LookupError):
    pass


class UnknownRequest(RecordsError, LookupError):
    pass


class ImportRejected(RecordsError):
    """The whole file was refused; `problems` holds (line number, why) for every bad line."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = "\n".join(f"  line {line}: {why}" if line else f"  {why}" for line, why in problems)
        super().__init__(f"import rejected, nothing was imported ({len(problems)} problem(s)):\n{lines}")


# --- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    status: str  # "verified" | "failed" | "locked"
    family_id: str | None = None
    locked_until: dt.datetime | None = None


@dataclass(frozen=True)
class ChoiceView:
    purpose_id: str
    choice: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class RequestEventView:
    at: dt.datetime
    status: str
    note: str
    actor: str


@dataclass(frozen=True)
class RequestView:
    reference: str
    type: str
    purpose: str | None
    status: str
    created_at: dt.datetime
    due_at: dt.datetime
    family_id: str
    details: dict[str, Any] = field(default_factory=dict)
    history: tuple[RequestEventView, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or utc_now())


# --- input checks -------------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utc_now()
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime")
    return now.astimezone(dt.timezone.utc)


def _sha256(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True, sort_keys=True).encode()).hexdigest()


def _conversation(conversation_id: object) -> str:
    """The conversation id as stored: as given when short and printable, else a digest of it."""
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise InvalidInput("conversation_id must be a non-empty string")
    value = conversation_id.strip()
    if len(value) <= MAX_CONVERSATION_ID and value.isprintable():
        return value
    return "sha256:" + hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _channel(channel: object) -> str:
    """The channel's name as recorded: lower case, safe characters, at most 40; 'unknown' if none.
    Channel names come from code (Rasa's input channel), so an odd one is tidied rather than refused."""
    value = channel.strip().lower() if isinstance(channel, str) else ""
    value = re.sub(r"[^a-z0-9_.:-]+", "_", value).strip("_.:-")[:40]
    return value if _CHANNEL.fullmatch(value) else "unknown"


def _token(value: object, what: str, max_length: int = 64) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string")
    value = value.strip()
    if not value:
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters")
    if not _TOKEN.fullmatch(value):
        raise InvalidInput(f"{what} may hold only letters, digits, '_', '.' and '-'")
    return value


def _text(value: object, what: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string")
    value = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in value).strip()
    if len(value) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters")
    return value


def _json_object(value: object, what: str, max_bytes: int) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must be a mapping")
    try:
        encoded = json.dumps(dict(value), ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{what} must hold only JSON values (text, numbers, lists, mappings)") from error
    if len(encoded.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InvalidInput(f"{what} is larger than {max_bytes} bytes")
    try:
        encoded.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInput(f"{what} holds text that is not valid Unicode") from error
    return json.loads(encoded)


def _family(session: Session, family_id: object) -> Family:
    if not isinstance(family_id, str) or not family_id or len(family_id) > 64:
        raise UnknownFamily("no such family")
    family = session.execute(select(Family).where(Family.public_id == family_id)).scalar_one_or_none()
    if family is None:
        raise UnknownFamily("no such family")
    return family


def normalise_request_reference(text: object) -> str | None:
    """'opt 7q2k9', 'OPT-7Q2K9' -> 'OPT-7Q2K9'; None when it cannot be a request reference."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    compact = re.sub(r"[\s\-_.]", "", text.upper())
    match = _REQUEST_REFERENCE.fullmatch(compact)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def due_date(received: dt.datetime) -> dt.datetime:
    """One calendar month after receipt, counted on the UK calendar (31 Jan -> 28/29 Feb)."""
    local = received.astimezone(UK)
    return (local + relativedelta(months=1)).astimezone(dt.timezone.utc)


# --- audit --------------------------------------------------------------------------------------------


def audit(
    session: Session,
    *,
    action: str,
    actor: str,
    channel: str,
    family_id: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one line to the audit log. Details must not hold a date of birth or what a parent typed:
    keys that look like either are refused, and dates cannot be stored (they are not JSON)."""
    if not isinstance(action, str) or not _ACTION.fullmatch(action):
        raise InvalidInput("audit action must be a short lower-case name such as 'request.registered'")
    actor = _text(actor, "actor", 200)
    if not actor:
        raise InvalidInput("actor must not be empty")
    clean = _json_object(details, "audit details", MAX_AUDIT_DETAILS_BYTES)
    bad = [key for key in _walk_keys(clean) if _FORBIDDEN_AUDIT_KEYS.search(key)]
    if bad:
        raise InvalidInput(f"audit details must not hold dates of birth or typed text (keys: {sorted(bad)})")
    if family_id is not None and (not isinstance(family_id, str) or len(family_id) > 64):
        raise InvalidInput("family_id must be a family's public id")
    session.add(
        AuditEntry(
            at=_now(at),
            channel=_channel(channel),
            actor=actor,
            action=action,
            family_public_id=family_id,
            details=clean,
        )
    )


def _walk_keys(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _walk_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk_keys(inner)


# --- identity -----------------------------------------------------------------------------------------


def _dob_digest(value: dt.date | None) -> bytes:
    return hashlib.sha256(b"dob:" + (value.isoformat() if value else "none").encode()).digest()


def _locked_until(session: Session, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    rows = session.execute(
        select(IdentityAttempt.key, IdentityAttempt.at, IdentityAttempt.success)
        .where(
            IdentityAttempt.key.in_(keys),
            IdentityAttempt.at > now - (LOCK_WINDOW + LOCK_DURATION),
            IdentityAttempt.at <= now,
        )
        .order_by(IdentityAttempt.at, IdentityAttempt.id)
    ).all()
    failures: dict[str, list[dt.datetime]] = {key: [] for key in keys}
    for key, at, success in rows:
        if success:
            failures[key] = []  # a success starts the count again
        else:
            failures[key].append(at)
    until: dt.datetime | None = None
    for times in failures.values():
        for i in range(LOCK_AFTER_FAILURES - 1, len(times)):
            if times[i] - times[i - LOCK_AFTER_FAILURES + 1] <= LOCK_WINDOW:
                candidate = times[i] + LOCK_DURATION
                if candidate > now and (until is None or candidate > until):
                    until = candidate
    return until


def conversation_locked_until(
    session: Session, conversation_id: str, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When identity checks in this conversation open again after too many failures; None if they are open."""
    return _locked_until(session, [_conversation_key(_conversation(conversation_id))], _now(now))


def _conversation_key(conversation: str) -> str:
    """The key identity attempts are counted under for a conversation (as stored by _conversation)."""
    return f"conv:{conversation}"


def verify_identity(
    session: Session,
    *,
    reference_text: str,
    dob_text: str,
    conversation_id: str,
    channel: str,
    now: dt.datetime | None = None,
) -> VerifyResult:
    """Family reference + a child's date of birth -> verified / failed / locked.

    An unknown reference and a wrong date give the same answer after the same work. After 5 failures within
    30 minutes for a reference, or for a conversation, both are locked for 30 minutes from the 5th failure,
    and even the right details get "locked". Attempts while locked do not extend the lock.
    """
    now = _now(now)
    conversation = _conversation(conversation_id)
    channel = _channel(channel)
    actor = f"conversation:{conversation}"
    reference = normalise_reference(reference_text)
    dob = parse_dob(dob_text, today=now.astimezone(UK).date())
    keys = [_conversation_key(conversation)] + ([f"ref:{reference}"] if reference else [])

    # One query, whether or not the reference exists.
    rows = session.execute(
        select(Family.public_id, Child.date_of_birth)
        .select_from(Family)
        .outerjoin(Child, Child.family_id == Family.id)
        .where(Family.reference == (reference or ""))
    ).all()
    public_id = rows[0].public_id if rows else None

    locked_until = _locked_until(session, keys, now)
    if locked_until is not None:
        audit(
            session,
            action="identity.locked",
            actor=actor,
            channel=channel,
            family_id=public_id,
            details={"locked_until": locked_until.isoformat()},
            at=now,
        )
        return VerifyResult(status="locked", locked_until=locked_until)

    real = [row.date_of_birth for row in rows if row.date_of_birth is not None]
    given = _dob_digest(dob)
    matched = False
    for candidate in real or [_DUMMY_DOB]:
        matched |= hmac.compare_digest(given, _dob_digest(candidate))
    success = bool(real) and dob is not None and matched

    for key in keys:
        session.add(IdentityAttempt(key=key, at=now, success=success))
    if success:
        audit(session, action="identity.verified", actor=actor, channel=channel, family_id=public_id, at=now)
        return VerifyResult(status="verified", family_id=public_id)

    if reference is None:
        reason = "reference_not_understood"
    elif public_id is None:
        reason = "unknown_reference"
    elif dob is None:
        reason = "date_not_understood"
    else:
        reason = "no_match"
    audit(
        session,
        action="identity.failed",
        actor=actor,
        channel=channel,
        family_id=public_id,
        details={"reason": reason},
        at=now,
    )
    return VerifyResult(status="failed")


# --- choices and requests -----------------------------------------------------------------------------


def _view(request: Request) -> RequestView:
    return RequestView(
        reference=request.reference,
        type=request.type,
        purpose=request.purpose,
        status=request.status,
        created_at=request.created_at,
        due_at=request.due_at,
        family_id=request.family.public_id,
        details=dict(request.details or {}),
        history=tuple(
            RequestEventView(at=event.at, status=event.status, note=event.note, actor=event.actor)
            for event in request.events
        ),
    )


def _new_reference(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _by_key(session: Session, key: str) -> Request | None:
    return session.execute(select(Request).where(Request.idempotency_key == key)).scalar_one_or_none()


def _insert_request(
    session: Session,
    *,
    family: Family,
    type: str,
    purpose: str | None,
    status: str,
    details: dict[str, Any],
    key: str,
    now: dt.datetime,
    due: dt.datetime,
) -> tuple[Request, bool]:
    """Insert a request, or return the row that already holds `key` (also one committed concurrently)."""
    existing = _by_key(session, key)
    if existing is not None:
        return existing, False
    session.flush()
    for _ in range(20):
        request = Request(
            reference=_new_reference(REQUEST_PREFIXES[type]),
            type=type,
            purpose=purpose,
            status=status,
            details=details,
            created_at=now,
            due_at=due,
            family=family,
            idempotency_key=key,
        )
        try:
            with session.begin_nested():
                session.add(request)
                session.flush()
        except IntegrityError:
            existing = _by_key(session, key)
            if existing is not None:
                return existing, False
            continue  # the random reference was taken: draw another
        return request, True
    raise RecordsError("could not allocate a unique request reference; try again")


def _upsert_choice(session: Session, family: Family, purpose: str, choice: str, now: dt.datetime) -> None:
    query = select(Choice).where(Choice.family_id == family.id, Choice.purpose_id == purpose)
    row = session.execute(query.with_for_update()).scalar_one_or_none()
    if row is None:
        session.flush()
        try:
            with session.begin_nested():
                session.add(Choice(family_id=family.id, purpose_id=purpose, choice=choice, updated_at=now))
                session.flush()
            return
        except IntegrityError:  # inserted concurrently: update that row instead
            row = session.execute(query.with_for_update()).scalar_one()
    if row.choice != choice:
        row.choice = choice
        row.updated_at = now


def get_choices(session: Session, *, family_id: str, conversation_id: str, channel: str) -> dict[str, ChoiceView]:
    family = _family(session, family_id)
    rows = session.execute(select(Choice).where(Choice.family_id == family.id).order_by(Choice.purpose_id))
    choices = {
        row.purpose_id: ChoiceView(purpose_id=row.purpose_id, choice=row.choice, updated_at=row.updated_at)
        for row in rows.scalars()
    }
    audit(
        session,
        action="choices.viewed",
        actor=f"conversation:{_conversation(conversation_id)}",
        channel=channel,
        family_id=family.public_id,
        details={"count": len(choices)},
    )
    return choices


def _consent_key(conversation: str, family_id: str, purpose: str, choice: str, previous_state: str) -> str:
    return _sha256("consent", conversation, family_id, purpose, choice, previous_state)


def set_choice(
    session: Session, *, family_id: str, purpose_id: str, choice: str, conversation_id: str, channel: str
) -> RequestView:
    """Record a family's choice for a purpose and a `consent` request (CON-, done at once).

    Idempotent per (conversation, purpose, choice): a retry returns the request the first call made. Choosing
    A, then B, then A again in one conversation records three requests.
    """
    now = utc_now()
    conversation = _conversation(conversation_id)
    channel = _channel(channel)
    family = _family(session, family_id)
    purpose = _token(purpose_id, "purpose_id")
    choice = _token(choice, "choice", 40)

    current = session.execute(
        select(Choice).where(Choice.family_id == family.id, Choice.purpose_id == purpose)
    ).scalar_one_or_none()
    if current is not None and current.choice == choice:
        latest = session.execute(
            select(Request)
            .where(Request.family_id == family.id, Request.type == "consent", Request.purpose == purpose)
            .order_by(Request.created_at.desc(), Request.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if latest is not None and latest.idempotency_key == _consent_key(
            conversation, family.public_id, purpose, choice, str((latest.details or {}).get("previous_state"))
        ):
            return _view(latest)

    previous_state = f"{current.choice}@{current.updated_at.isoformat()}" if current is not None else "none"
    request, created = _insert_request(
        session,
        family=family,
        type="consent",
        purpose=purpose,
        status="done",
        details={
            "choice": choice,
            "previous_choice": current.choice if current is not None else None,
            "previous_state": previous_state,
        },
        key=_consent_key(conversation, family.public_id, purpose, choice, previous_state),
        now=now,
        due=now,
    )
    if not created:
        return _view(request)
    _upsert_choice(session, family, purpose, choice, now)
    actor = f"conversation:{conversation}"
    request.events.append(RequestEvent(at=now, status="done", note=f"choice: {choice}", actor=actor))
    audit(
        session,
        action="choice.set",
        actor=actor,
        channel=channel,
        family_id=family.public_id,
        details={"reference": request.reference, "purpose": purpose, "choice": choice},
        at=now,
    )
    session.flush()
    return _view(request)


def register_request(
    session: Session,
    *,
    family_id: str,
    type: str,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    conversation_id: str,
    channel: str,
    now: dt.datetime | None = None,
) -> RequestView:
    """Register an objection (OPT-), access request (SAR-) or rectification (FIX-), due in a calendar month.

    The same request from the same conversation (same type, purpose, family and details) returns the existing
    row while it is open, also when the retries race each other. An objection also sets the purpose's choice
    to "objected".
    """
    now = _now(now)
    conversation = _conversation(conversation_id)
    channel = _channel(channel)
    if type not in PARENT_REQUEST_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(PARENT_REQUEST_TYPES)}")
    family = _family(session, family_id)
    purpose = _token(purpose, "purpose") if purpose is not None else None
    if type == "objection" and purpose is None:
        raise InvalidInput("an objection needs the purpose it objects to")
    clean = _json_object(details, "details", MAX_DETAILS_BYTES)
    key = _sha256("request", conversation, type, purpose, family.public_id, clean)
    actor = f"conversation:{conversation}"

    request, created = _insert_request(
        session,
        family=family,
        type=type,
        purpose=purpose,
        status="received",
        details=clean,
        key=key,
        now=now,
        due=due_date(now),
    )
    if type == "objection" and purpose is not None:
        _upsert_choice(session, family, purpose, OBJECTED, now)
    if not created:
        audit(
            session,
            action="request.repeated",
            actor=actor,
            channel=channel,
            family_id=family.public_id,
            details={"reference": request.reference},
            at=now,
        )
        return _view(request)
    request.events.append(RequestEvent(at=now, status="received", note="", actor=actor))
    audit(
        session,
        action="request.registered",
        actor=actor,
        channel=channel,
        family_id=family.public_id,
        details={"reference": request.reference, "type": type, "purpose": purpose},
        at=now,
    )
    session.flush()
    return _view(request)


def get_request(
    session: Session,
    *,
    family_id: str,
    reference: str,
    conversation_id: str | None = None,
    channel: str = "system",
) -> RequestView | None:
    """One of this family's requests with its history; None for another family's or an unknown reference."""
    family = _family(session, family_id)
    normalised = normalise_request_reference(reference)
    request = None
    if normalised is not None:
        request = session.execute(
            select(Request)
            .where(Request.reference == normalised, Request.family_id == family.id)
            .options(selectinload(Request.events))
        ).scalar_one_or_none()
    audit(
        session,
        action="request.viewed",
        actor=f"conversation:{_conversation(conversation_id)}" if conversation_id else "system",
        channel=channel,
        family_id=family.public_id,
        details={"reference": normalised, "found": request is not None},
    )
    return _view(request) if request is not None else None


def open_objection(
    session: Session, *, family_id: str, purpose: str, conversation_id: str, channel: str
) -> RequestView | None:
    """This family's open objection to `purpose` (received or being worked on), the oldest if there are several;
    None when there is none, so a parent asking to opt out again is told about the one already sent."""
    family = _family(session, family_id)
    purpose = _token(purpose, "purpose")
    request = session.execute(
        select(Request)
        .where(
            Request.family_id == family.id,
            Request.type == "objection",
            Request.purpose == purpose,
            Request.status.in_(OPEN_STATUSES),
        )
        .order_by(Request.created_at, Request.id)
        .limit(1)
    ).scalar_one_or_none()
    if request is not None:
        audit(
            session,
            action="request.viewed",
            actor=f"conversation:{_conversation(conversation_id)}",
            channel=channel,
            family_id=family.public_id,
            details={"reference": request.reference, "found": True},
        )
    return _view(request) if request is not None else None


def conversation_references(session: Session, *, conversation_id: str) -> set[str]:
    """The references of the requests one conversation made (for checking what a conversation did)."""
    actor = f"conversation:{_conversation(conversation_id)}"
    rows = session.execute(
        select(Request.reference).join(RequestEvent).where(RequestEvent.actor == actor).distinct()
    )
    return set(rows.scalars())


def _requests_query(*, overdue: bool, now: dt.datetime, type: str | None):  # type: ignore[no-untyped-def]
    query = select(Request).options(selectinload(Request.events), selectinload(Request.family))
    if overdue:
        query = query.where(Request.status.in_(OPEN_STATUSES), Request.due_at < now)
    if type is not None:
        if type not in REQUEST_PREFIXES:
            raise InvalidInput(f"type must be one of {', '.join(REQUEST_PREFIXES)}")
        query = query.where(Request.type == type)
    return query.order_by(Request.due_at, Request.id)


def list_requests(
    session: Session, *, overdue: bool = False, now: dt.datetime | None = None, type: str | None = None
) -> list[RequestView]:
    """All requests by due date; `overdue` keeps open ones past their due date."""
    query = _requests_query(overdue=overdue, now=_now(now), type=type)
    return [_view(row) for row in session.execute(query).scalars()]


def export_requests(
    session: Session, *, overdue: bool = False, now: dt.datetime | None = None, type: str | None = None
) -> list[dict[str, Any]]:
    """Rows for staff exports: reference, type, purpose, status, created_at, due_at, family_reference."""
    query = _requests_query(overdue=overdue, now=_now(now), type=type)
    return [
        {
            "reference": row.reference,
            "type": row.type,
            "purpose": row.purpose,
            "status": row.status,
            "created_at": row.created_at.isoformat(),
            "due_at": row.due_at.isoformat(),
            "family_reference": row.family.reference,
        }
        for row in session.execute(query).scalars()
    ]


def update_request(session: Session, reference: str, *, status: str, note: str, actor: str) -> RequestView:
    """Staff move a request on (received / in_progress / done / refused) with a note; history and audit kept.
    Closing a request releases its idempotency key, so the family can make the same request again later."""
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    note = _text(note, "note", MAX_NOTE)
    actor = _text(actor, "actor", 200)
    if not actor:
        raise InvalidInput("actor must not be empty")
    normalised = normalise_request_reference(reference)
    if normalised is None:
        raise UnknownRequest("that is not a request reference (expected e.g. OPT-7Q2K9)")
    request = session.execute(
        select(Request).where(Request.reference == normalised).with_for_update()
    ).scalar_one_or_none()
    if request is None:
        raise UnknownRequest(f"no request with reference {normalised}")
    now = utc_now()
    previous = request.status
    request.status = status
    if status in CLOSED_STATUSES:
        request.idempotency_key = None
    request.events.append(RequestEvent(at=now, status=status, note=note, actor=actor))
    audit(
        session,
        action="request.updated",
        actor=actor,
        channel="staff",
        family_id=request.family.public_id,
        details={"reference": normalised, "from": previous, "to": status},
        at=now,
    )
    session.flush()
    return _view(request)


# --- families: demo data and the council's import ------------------------------------------------------

DEMO_FAMILIES: dict[str, list[dt.date]] = {
    "DEMO-1001": [dt.date(2019, 4, 3)],
    "DEMO-1002": [dt.date(2016, 11, 21)],
    "DEMO-1003": [dt.date(2021, 1, 9)],
}
DEMO_OBJECTION = ("DEMO-1003", "predictive_analytics")


def _ensure_families(session: Session, wanted: Mapping[str, list[dt.date]]) -> tuple[int, int]:
    """Make sure each family exists with at least the given children (a date twice = twins).
    Returns (families created, children added); running it again adds nothing."""
    families_created = children_added = 0
    references = sorted(wanted)
    for start in range(0, len(references), 500):
        chunk = references[start : start + 500]
        existing = {
            family.reference: family
            for family in session.execute(select(Family).where(Family.reference.in_(chunk))).scalars()
        }
        have: dict[int, Counter[dt.date]] = {family.id: Counter() for family in existing.values()}
        if have:
            for family_pk, dob in session.execute(
                select(Child.family_id, Child.date_of_birth).where(Child.family_id.in_(list(have)))
            ):
                have[family_pk][dob] += 1
        for reference in chunk:
            family = existing.get(reference)
            if family is None:
                family = Family(reference=reference)
                session.add(family)
                families_created += 1
                held: Counter[dt.date] = Counter()
            else:
                held = have[family.id]
            missing = Counter(wanted[reference]) - held
            for dob, count in sorted(missing.items()):
                for _ in range(count):
                    family.children.append(Child(date_of_birth=dob))
                    children_added += 1
        session.flush()
    return families_created, children_added


def seed_demo(session: Session) -> int:
    """The demo families (DEMO-1001..1003) with their holdings (bot.records.holdings.DEMO_HOLDINGS), DEMO-1003
    with an objection to predictive analytics. Idempotent; returns how many families it created."""
    created, _ = _ensure_families(session, DEMO_FAMILIES)
    reference, purpose = DEMO_OBJECTION
    family = session.execute(select(Family).where(Family.reference == reference)).scalar_one()
    has_objection = session.execute(
        select(Request.id).where(
            Request.family_id == family.id, Request.type == "objection", Request.purpose == purpose
        )
    ).first()
    if has_objection is None:
        register_request(
            session,
            family_id=family.public_id,
            type="objection",
            purpose=purpose,
            details={"source": "demo seed"},
            conversation_id="demo-seed",
            channel="system",
        )
    else:
        _upsert_choice(session, family, purpose, OBJECTED, utc_now())
    from bot.records.holdings import seed_demo_holdings  # holdings builds on this module

    seed_demo_holdings(session)
    audit(session, action="families.seeded", actor="system", channel="system", details={"created": created})
    return created


def import_families(session: Session, path: str | Path, *, actor: str = "system") -> int:
    """Import the council's CSV (family_reference,child_date_of_birth; one row per child).

    Every line is checked first; any bad line rejects the whole file (ImportRejected lists each line and why)
    and nothing is imported. Re-importing the same file adds nothing. Returns the number of children added.
    """
    wanted, problems = _read_import(Path(path))
    if problems:
        raise ImportRejected(problems)
    families, children = _ensure_families(session, wanted)
    audit(
        session,
        action="families.imported",
        actor=actor,
        channel="staff",
        details={"families_in_file": len(wanted), "families_created": families, "children_added": children},
    )
    return children


def read_import_text(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """A staff import file's text, or the problem that stops it being read (too large, not UTF-8, binary)."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            return "", [(0, f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")]
        raw = path.read_bytes()
    except IsADirectoryError:
        return "", [(0, f"{path} is a directory, not a CSV file")]
    except OSError as error:
        return "", [(0, f"cannot read {path}: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return "", [(line, "the file is not UTF-8 text (save it from the spreadsheet as 'CSV UTF-8')")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return "", [(line, "the file holds a NUL character; it is not a CSV text file")]
    return text, []


def _read_import(path: Path) -> tuple[dict[str, list[dt.date]], list[tuple[int, str]]]:
    text, unreadable = read_import_text(path)
    if unreadable:
        return {}, unreadable

    today = dt.datetime.now(UK).date()
    problems: list[tuple[int, str]] = []
    wanted: dict[str, list[dt.date]] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                missing = [c for c in ("family_reference", "child_date_of_birth") if c not in header]
                if missing or len(set(header)) != len(header):
                    return {}, [(line, "the first line must be the header family_reference,child_date_of_birth")]
                ref_at = header.index("family_reference")
                dob_at = header.index("child_date_of_birth")
                continue
            if len(row) != len(header):
                problems.append((line, f"expected {len(header)} columns, found {len(row)}"))
                continue
            reference_cell, dob_cell = row[ref_at].strip(), row[dob_at].strip()
            if not reference_cell:
                problems.append((line, "family_reference is empty"))
            elif not _IMPORT_REFERENCE.fullmatch(reference_cell):
                problems.append((line, "family_reference is not a reference like DEMO-1001"))
                reference_cell = ""
            dob = None
            if not dob_cell:
                problems.append((line, "child_date_of_birth is empty"))
            elif not _ISO_DATE.fullmatch(dob_cell):
                problems.append((line, "child_date_of_birth is not an ISO date (YYYY-MM-DD)"))
            else:
                try:
                    dob = dt.date.fromisoformat(dob_cell)
                except ValueError:
                    problems.append((line, "child_date_of_birth is not a real date"))
                else:
                    if dob > today:
                        problems.append((line, "child_date_of_birth is in the future"))
                        dob = None
                    elif dob.year < 1900:
                        problems.append((line, "child_date_of_birth is before 1900"))
                        dob = None
            reference = normalise_reference(reference_cell) if reference_cell else None
            if reference is not None and dob is not None:
                wanted.setdefault(reference, []).append(dob)
    except csv.Error as error:
        problems.append((reader.line_num, f"not valid CSV: {error}"))
    if header is None:
        return {}, [(0, "the file is empty: expected the header family_reference,child_date_of_birth")]
    if not wanted and not problems:
        problems.append((reader.line_num, "the file has a header but no families"))
    return wanted, problems
