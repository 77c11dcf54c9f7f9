"""`python -m bot <command>`: build, train, run, shell, and the staff commands for requests and families."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import env


def _build(args: argparse.Namespace) -> int:
    from bot.content.build import build
    from bot.content.loader import ContentError

    try:
        stale = build(check=args.check, out=args.out)
    except ContentError as exc:
        print(f"Content error:\n{exc}", file=sys.stderr)
        return 2
    if args.check and stale:
        names = ", ".join(str(p) for p in stale)
        print(f"Generated files are out of date: {names}. Run `python -m bot build`.", file=sys.stderr)
        return 1
    print("Generated files are up to date." if args.check else f"Built {len(stale)} changed file(s).")
    return 0


def _reference(args: argparse.Namespace) -> int:
    from bot.channels.webserver import DEFAULT_REFERENCE_DIR
    from bot.content.reference import build_reference

    paths = build_reference(args.out or DEFAULT_REFERENCE_DIR)
    print(f"Reference site: {len(paths)} files in {args.out or DEFAULT_REFERENCE_DIR}")
    return 0


def _content_status(args: argparse.Namespace) -> int:
    from bot.content.loader import CONTENT_DIR
    from bot.content.welsh_status import report

    print(report(args.content or CONTENT_DIR))
    return 0


def _train(args: argparse.Namespace) -> int:
    from bot.training import train

    return train(force=args.force)


def _run(args: argparse.Namespace) -> int:
    from bot.server import run

    return run(rasa_port=args.rasa_port, actions_port=args.actions_port, web_port=args.web_port)


def _shell(args: argparse.Namespace) -> int:
    from bot.server import shell

    return shell()


def _purge(args: argparse.Namespace) -> int:
    import asyncio

    from bot.content.loader import content
    from bot.privacy.purge import purge_conversations
    from bot.records.db import session_scope
    from bot.records.retention import purge_records
    from bot.server import tracker_store_from_endpoints

    council = content().council
    with session_scope() as session:
        counts = purge_records(
            session, request_days=council.retention_days("requests"), audit_days=council.retention_days("audit")
        )
    print(f"Records: deleted {counts.requests} closed request(s), {counts.audit_entries} audit entr(y/ies), "
          f"{counts.identity_attempts} old identity attempt(s), {counts.reviews} finished consent review(s).")
    store = tracker_store_from_endpoints(args.endpoints)
    if store is None:
        print("Conversations: kept in memory by the running server, which purges them itself.")
        return 0
    deleted = asyncio.run(purge_conversations(store, council.conversation_retention_days))
    print(f"Conversations: deleted {len(deleted)} older than {council.conversation_retention_days} days.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Parent Data Assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate NLU examples and responses from content/")
    p.add_argument("--check", action="store_true", help="fail if the committed generated files are out of date")
    p.add_argument("--out", type=Path, default=None,
                   help="write the generated files under this folder instead (e.g. for PDA_COUNCIL=another register)")
    p.set_defaults(func=_build)

    p = sub.add_parser("reference", help="build the reference site for peer support workers")
    p.add_argument("--out", type=Path, default=None, help="folder to write it to (default build/reference)")
    p.set_defaults(func=_reference)

    p = sub.add_parser("content", help="report on the content files")
    content_sub = p.add_subparsers(dest="content_command", required=True)
    p = content_sub.add_parser("status", help="list Welsh pages that are missing, unreviewed or older than the English")
    p.add_argument("--content", type=Path, default=None, help="the content folder (default content/)")
    p.set_defaults(func=_content_status)

    p = sub.add_parser("train", help="train the model if its inputs changed")
    p.add_argument("--force", action="store_true", help="train even when nothing changed")
    p.set_defaults(func=_train)

    p = sub.add_parser("run", help="build, train if needed, migrate, seed, and run every server")
    p.add_argument("--rasa-port", type=int, default=5005)
    p.add_argument("--actions-port", type=int, default=5055)
    p.add_argument("--web-port", type=int, default=8080)
    p.set_defaults(func=_run)

    p = sub.add_parser("shell", help="talk to the assistant in this terminal")
    p.set_defaults(func=_shell)

    p = sub.add_parser("purge", help="delete conversations and records past their retention period")
    p.add_argument("--endpoints", default="endpoints.yml", help="where the tracker store is configured")
    p.set_defaults(func=_purge)

    from bot.records.cli import register

    register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    env.apply()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
