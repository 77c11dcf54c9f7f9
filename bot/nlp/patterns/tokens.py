"""spaCy Matcher token patterns over NORM, shared by the crisis rules (bot/nlp/safety.py, bot/nlp/danger_now.py)."""

from __future__ import annotations


def any_of(words: frozenset[str] | set[str], op: str | None = None) -> dict:
    """A token whose NORM is one of words; op is the Matcher quantifier ("?", "*", "+") if any."""
    token: dict = {"NORM": {"IN": sorted(words)}}
    if op:
        token["OP"] = op
    return token


def one(word: str, op: str | None = None) -> dict:
    """A token whose NORM is word."""
    token: dict = {"NORM": word}
    if op:
        token["OP"] = op
    return token
