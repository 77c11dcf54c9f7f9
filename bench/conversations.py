"""`python -m bench.conversations [SUITE...]` (make conversations): whole conversations over REST, checked turn by turn.

A suite is YAML: `conversations: [{id, situation, turns: [{user, expect: {any, all, none, reference}}]}]`.
Each conversation runs with its own sender id against the real servers (started here as the e2e tests start them:
bot.server.start_servers on free loopback ports, a fresh migrated and seeded records database). Each turn's
replies are joined and checked, case-insensitively:
- any: at least one of the words appears;  all: each appears;  none: none appears;
- reference: true: the reply shows a request reference (OPT-7Q2K9) not shown earlier in the conversation, and the
  records database holds it as made in this conversation.
Prints each conversation's result with its first failing turn (its number and the check, not the text), then the
share of conversations and of turns that passed. It is a measure, not a test: the exit code is 0 unless the
servers could not start or a suite could not be read.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from bot.content.loader import REPO_ROOT

DEFAULT_SUITES = ("tests/conversations/heldout-1.yml", "tests/conversations/heldout-2.yml")
CHECKS = ("any", "all", "none", "reference")
DOC_RESULTS_NAME = "make conversations"


class SuiteError(ValueError):
    """A suite file that is not in the format above; the message names the file and the place."""


@dataclass(frozen=True)
class Turn:
    user: str
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    reference: bool = False


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[Turn, ...]
    situation: str = ""


@dataclass
class Result:
    id: str
    turns: int
    turns_passed: int = 0
    first_failure: tuple[int, str] | None = None  # (turn number from 1, the check that failed)
    failures: list[tuple[int, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _words(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(w, str | int | float) for w in value):
        raise SuiteError(f"{where}: expected a list of words")
    return tuple(str(w) for w in value)


def load_suite(path: Path) -> list[Conversation]:
    """The conversations of one suite file, checked for shape."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SuiteError(f"{path}: cannot read it ({error.__class__.__name__})") from error
    if not isinstance(data, dict) or not isinstance(data.get("conversations"), list):
        raise SuiteError(f"{path}: expected a mapping with a 'conversations' list")
    conversations, seen = [], set()
    for n, raw in enumerate(data["conversations"], 1):
        where = f"{path} conversation {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("turns"), list) or not raw["turns"]:
            raise SuiteError(f"{where}: expected id, situation and a non-empty 'turns' list")
        conv_id = str(raw.get("id") or f"conversation-{n}")
        if conv_id in seen:
            raise SuiteError(f"{where}: id {conv_id!r} is used twice")
        seen.add(conv_id)
        turns = []
        for t, turn in enumerate(raw["turns"], 1):
            at = f"{where} turn {t}"
            if not isinstance(turn, dict) or not isinstance(turn.get("user"), str):
                raise SuiteError(f"{at}: expected 'user' (the message) and 'expect'")
            expect = turn.get("expect") or {}
            if not isinstance(expect, dict) or set(expect) - set(CHECKS):
                raise SuiteError(f"{at}: 'expect' may hold only {', '.join(CHECKS)}")
            turns.append(Turn(
                user=turn["user"],
                any=_words(expect.get("any"), at + " any"),
                all=_words(expect.get("all"), at + " all"),
                none=_words(expect.get("none"), at + " none"),
                reference=bool(expect.get("reference")),
            ))
        conversations.append(Conversation(conv_id, tuple(turns), str(raw.get("situation") or "")))
    return conversations


def shown_references(text: str) -> list[str]:
    """The request references a reply shows (OPT-7Q2K9, also written opt 7q2k9), normalised."""
    from bot.records.service import REFERENCE_ALPHABET, REFERENCE_LENGTH, normalise_request_reference

    found = re.findall(rf"\b(?:OPT|SAR|FIX|CON)[\s-]?[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}\b", text, re.I)
    return [r for r in (normalise_request_reference(f) for f in found) if r]


def failed_check(turn: Turn, reply: str, new_references: Iterable[str], recorded: Callable[[], set[str]]) -> str | None:
    """The first check of `turn` that `reply` fails ('any', 'all', 'none', 'reference'), or None.
    `new_references` are those the reply shows that the conversation had not shown before; `recorded` gives the
    references the records database holds as made in this conversation (asked only when needed)."""
    said = reply.casefold()
    if turn.any and not any(w.casefold() in said for w in turn.any):
        return "any"
    if turn.all and not all(w.casefold() in said for w in turn.all):
        return "all"
    if turn.none and any(w.casefold() in said for w in turn.none):
        return "none"
    if turn.reference:
        new = set(new_references)
        if not new or not new & recorded():
            return "reference"
    return None


def recorded_references(conversation_id: str) -> set[str]:
    """The references of the requests made in one conversation, from the records database (DATABASE_URL)."""
    from bot.records import service
    from bot.records.db import session_scope

    with session_scope() as session:
        return service.conversation_references(session, conversation_id=conversation_id)


def run_conversation(chat: Any, conversation: Conversation, sender: str) -> Result:
    """Play one conversation through `chat` (a tests.rest_client.RestChat) with its own sender id."""
    result = Result(conversation.id, len(conversation.turns))
    seen: set[str] = set()
    for n, turn in enumerate(conversation.turns, 1):
        try:
            reply = chat.text(sender, turn.user)
        except OSError as error:  # a timeout or a refused connection fails the turn, not the run
            result.failures.append((n, f"no reply ({error.__class__.__name__})"))
            continue
        shown = shown_references(reply)
        failure = failed_check(turn, reply, [r for r in shown if r not in seen], lambda: recorded_references(sender))
        seen.update(shown)
        if failure is None:
            result.turns_passed += 1
        else:
            result.failures.append((n, failure))
    result.first_failure = result.failures[0] if result.failures else None
    return result


def run_suite(chat: Any, conversations: list[Conversation], run_id: str | None = None) -> list[Result]:
    run_id = run_id or uuid.uuid4().hex[:8]
    return [run_conversation(chat, c, f"conv-{run_id}-{c.id}") for c in conversations]


def _share(passed: int, total: int) -> str:
    return f"{passed}/{total} ({passed / total:.1%})" if total else "0/0"


def report(results: list[Result], out=sys.stdout) -> str:  # type: ignore[no-untyped-def]
    """Prints each conversation's result, then the shares passed; returns those two summary lines."""
    for r in results:
        if r.passed:
            print(f"PASS  {r.id}  ({r.turns} turns)", file=out)
        else:
            turn, check = r.first_failure or (0, "")
            print(f"FAIL  {r.id}  turn {turn}: {check}  ({r.turns_passed}/{r.turns} turns passed)", file=out)
    conversations = sum(r.passed for r in results)
    turns, total_turns = sum(r.turns_passed for r in results), sum(r.turns for r in results)
    summary = (f"Conversations passed: {_share(conversations, len(results))}\n"
               f"Turns passed: {_share(turns, total_turns)}")
    print(summary, file=out)
    return summary


def _start(folder: Path):  # type: ignore[no-untyped-def]
    """A fresh seeded records database and the servers on free loopback ports, as tests/e2e/conftest.py does.
    Returns (chat, processes) or (None, processes) when they did not start."""
    from bot.records import service
    from bot.records.db import migrate, session_scope
    from bot.server import HOST, free_port, start_servers, wait_until_up
    from tests.rest_client import RestChat

    url = f"sqlite:///{folder / 'records.db'}"
    os.environ["DATABASE_URL"] = url  # the servers inherit it; recorded_references reads it
    migrate(url)
    with session_scope() as session:
        service.seed_demo(session)
    rasa_port, actions_port = free_port(), free_port()
    processes = start_servers(rasa_port, actions_port, log_dir=folder)
    up = wait_until_up(f"http://{HOST}:{actions_port}/health", processes) and wait_until_up(
        f"http://{HOST}:{rasa_port}/webhooks/rest/", processes
    )
    chat = RestChat(f"http://{HOST}:{rasa_port}/webhooks/rest/webhook", timeout=60)
    return (chat if up else None), processes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.conversations", description=__doc__.split("\n\n")[0])
    parser.add_argument("suites", nargs="*", default=list(DEFAULT_SUITES), help="suite files (default: %(default)s)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and records database")
    parser.add_argument("--doc", type=Path, help="also write each suite's shares into this guide (docs/nlu.md)")
    args = parser.parse_args(argv)
    try:
        suites = [(s, load_suite(Path(s) if Path(s).exists() else REPO_ROOT / s)) for s in args.suites]
    except SuiteError as error:
        print(error, file=sys.stderr)
        return 2

    from bot.server import stop
    from bot.training import MODEL_PATH, train

    if train() != 0:
        print("Training failed; no conversations were run.", file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="pda-conversations-"))
    with mock.patch.dict(os.environ):  # DATABASE_URL is this run's only while it runs
        chat, processes = _start(folder)
        try:
            if chat is None:
                print(f"The servers did not start; see the logs in {folder}.", file=sys.stderr)
                return 1
            print(f"Model: {MODEL_PATH.relative_to(REPO_ROOT)}", flush=True)
            summaries = []
            for name, conversations in suites:
                print(f"\n{name}: {len(conversations)} conversations", flush=True)
                summaries.append(f"{Path(name).name}\n{report(run_suite(chat, conversations))}")
            if args.doc is not None:
                from bot.doc_results import update

                update(args.doc, DOC_RESULTS_NAME, "\n\n".join(summaries))
            return 0
        finally:
            stop(processes)
            if args.keep_logs or chat is None:
                print(f"Logs and records database: {folder}", file=sys.stderr)
            else:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
