"""Seal a value so it can ride in a conversation slot without being readable in the tracker store.

Used for the family reference between the two steps of the identity check, and for what a parent says about a
mistake in their records: the tracker store redacts what it can read, and the council needs the names, dates and
numbers of the correction as the parent wrote and approved them. The key comes from the
environment (`PDA_SECRET_KEY`, a Fernet key; set the same one on every action server when scaled out) or,
on one machine, from `var/secret.key`, made on first use with owner-only permissions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY_FILE = REPO_ROOT / "var" / "secret.key"
PREFIX = "sealed:"
MAX_AGE_S = 2 * 60 * 60  # a sealed value is only good within one conversation's identity check


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    key = os.environ.get("PDA_SECRET_KEY", "").strip().encode()
    if not key:
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        if not KEY_FILE.exists():
            fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        key = KEY_FILE.read_bytes().strip()
    return Fernet(key)


def seal(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def unseal(token: object, max_age_s: int | None = MAX_AGE_S) -> str | None:
    """The sealed value, or None when the token is missing, forged, from another key or older than `max_age_s`
    (None: any age)."""
    if not isinstance(token, str) or not token.startswith(PREFIX):
        return None
    try:
        return _fernet().decrypt(token[len(PREFIX):].encode("ascii"), ttl=max_age_s).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        return None


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def lookup_digest(value: str) -> str:
    """A keyed digest (HMAC-SHA256 with a key derived from the sealing key) to find a sealed value by what it
    holds, e.g. a review subscription by the number that texted STOP. Not reversible without the key."""
    key = hashlib.sha256(b"pda-lookup:" + _key_bytes()).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _key_bytes() -> bytes:
    _fernet()  # makes the key file on first use
    return os.environ.get("PDA_SECRET_KEY", "").strip().encode() or KEY_FILE.read_bytes().strip()
