"""Staff commands for the consent registry, run as `python -m bot <command>`.

    db migrate                      create or upgrade the tables
    db seed                         add the demo families (DEMO-1001..1003); safe to repeat
    requests list [--overdue]       the request queue, by due date
    requests export [--format csv|json] [--overdue] [--output FILE]
    requests update REF --status in_progress|done|refused --note "..."
    families import FILE            the council's CSV: family_reference,child_date_of_birth
    holdings import FILE            the data-warehouse extract: which systems hold what (docs/data-map.md)
    reviews list [--status S]       consent reviews due and done, and who asked to be reminded
    reviews export [--format csv|json] [--output FILE]
    reviews send [--credentials credentials.yml]   send the reviews that are due (the systemd timer runs it)

`register(subparsers)` adds these to the project's parser; each command sets `func`, which takes the parsed
arguments and returns the exit code: 0 done, 1 the database failed, 2 bad input (nothing was changed).
The database is $DATABASE_URL, else var/records.db.
"""

from __future__ import annotations

import argparse
import csv
import functools
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from bot.records import db, service

EXPORT_FIELDS = ["reference", "type", "purpose", "status", "created_at", "due_at", "family_reference"]
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


def staff_actor() -> str:
    user = os.environ.get("USER") or os.environ.get("USERNAME")
    if not user:
        try:
            user = getpass.getuser()
        except Exception:  # no login name (containers): still record something honest
            user = "unknown"
    return f"staff:{user}"


def _err(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _guarded(handler: Handler) -> Handler:
    """Turn the errors staff can cause or meet into one clear line and an exit code, not a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except service.ImportRejected as error:
            _err(str(error))
            return EXIT_BAD_INPUT
        except service.RecordsError as error:
            _err(str(error))
            return EXIT_BAD_INPUT
        except (OperationalError, ProgrammingError) as error:
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            hint = ""
            if "no such table" in reason or "does not exist" in reason:
                hint = " (run `python -m bot db migrate` first)"
            _err(f"database {db.safe_url(db.database_url())}: {reason}{hint}")
            return EXIT_FAILED
        except SQLAlchemyError as error:
            _err(f"database error: {type(error).__name__}")
            return EXIT_FAILED

    return run


@_guarded
def _db_migrate(args: argparse.Namespace) -> int:
    db.migrate()
    print(f"Database {db.safe_url(db.database_url())} is up to date.")
    return EXIT_OK


@_guarded
def _db_seed(args: argparse.Namespace) -> int:
    db.migrate()
    with db.session_scope() as session:
        created = service.seed_demo(session)
    print(f"Demo families ready ({created} new): {', '.join(service.DEMO_FAMILIES)}.")
    return EXIT_OK


@_guarded
def _requests_list(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        rows = service.export_requests(session, overdue=args.overdue, type=args.type)
    if not rows:
        print("No overdue requests." if args.overdue else "No requests.")
        return EXIT_OK
    now = service.utc_now()
    headings = ["REFERENCE", "TYPE", "PURPOSE", "STATUS", "RECEIVED", "DUE", "FAMILY", ""]
    table = [
        [
            row["reference"],
            row["type"],
            row["purpose"] or "-",
            row["status"],
            row["created_at"][:10],
            row["due_at"][:10],
            row["family_reference"],
            _overdue_mark(row, now),
        ]
        for row in rows
    ]
    widths = [max(len(str(r[i])) for r in [headings, *table]) for i in range(len(headings))]
    for line in [headings, *table]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    print(f"{len(rows)} request(s).")
    return EXIT_OK


def _overdue_mark(row: dict, now: datetime) -> str:
    overdue = row["status"] in service.OPEN_STATUSES and datetime.fromisoformat(row["due_at"]) < now
    return "OVERDUE" if overdue else ""


def _write_rows(rows: list[dict], fields: list[str], fmt: str, output: str | None) -> int:
    """Rows as JSON or CSV, to the file `output` or to stdout; EXIT_BAD_INPUT (said) when the file cannot be made."""
    out = sys.stdout
    handle = None
    if output:
        try:
            handle = open(output, "w", newline="", encoding="utf-8")
        except OSError as error:
            _err(f"cannot write {output}: {error.strerror or error}")
            return EXIT_BAD_INPUT
        out = handle
    try:
        if fmt == "json":
            json.dump(rows, out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if handle is not None:
            handle.close()
    return EXIT_OK


@_guarded
def _requests_export(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        rows = service.export_requests(session, overdue=args.overdue, type=args.type)
    code = _write_rows(rows, EXPORT_FIELDS, args.format, args.output)
    if code == EXIT_OK and args.output:
        print(f"Wrote {len(rows)} request(s) to {args.output}.", file=sys.stderr)
    return code


@_guarded
def _requests_update(args: argparse.Namespace) -> int:
    if not args.note or not args.note.strip():
        _err("--note must say what was done (it is kept in the request's history)")
        return EXIT_BAD_INPUT
    with db.session_scope() as session:
        view = service.update_request(session, args.reference, status=args.status, note=args.note, actor=staff_actor())
    print(f"{view.reference} is now {view.status}.")
    return EXIT_OK


@_guarded
def _families_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    with db.session_scope() as session:
        added = service.import_families(session, path, actor=staff_actor())
    print(f"Imported {path}: {added} new child record(s).")
    return EXIT_OK


@_guarded
def _holdings_import(args: argparse.Namespace) -> int:
    from bot.content.loader import content
    from bot.records.holdings import import_holdings

    path = Path(args.file)
    with db.session_scope() as session:
        written = import_holdings(session, path, council=content().council, actor=staff_actor())
    print(f"Imported {path}: {written} holding(s).")
    return EXIT_OK


REVIEW_FIELDS = ["family_reference", "due_on", "status", "channel", "attempts", "sent_at", "done_at", "kept",
                 "changed"]


def _review_rows(status: str | None) -> list[dict]:
    from bot.records import reviews

    with db.session_scope() as session:
        rows = reviews.list_reviews(session, status=status)
    return [
        {
            "family_reference": r.family_reference, "due_on": r.due_on.isoformat(), "status": r.status,
            "channel": r.channel or "", "attempts": r.attempts,
            "sent_at": r.sent_at.isoformat() if r.sent_at else "",
            "done_at": r.done_at.isoformat() if r.done_at else "",
            "kept": r.kept, "changed": r.changed,
        }
        for r in rows
    ]


@_guarded
def _reviews_list(args: argparse.Namespace) -> int:
    from bot.records import reviews

    rows = _review_rows(args.status)
    if rows:
        headings = ["FAMILY", "DUE", "STATUS", "BY", "TRIES", "SENT", "DONE", "KEPT", "CHANGED"]
        table = [[r["family_reference"], r["due_on"], r["status"], r["channel"] or "-", r["attempts"],
                  r["sent_at"][:10] or "-", r["done_at"][:10] or "-", r["kept"], r["changed"]] for r in rows]
        widths = [max(len(str(r[i])) for r in [headings, *table]) for i in range(len(headings))]
        for line in [headings, *table]:
            print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    print(f"{len(rows)} review(s).")
    with db.session_scope() as session:
        waiting = reviews.upcoming(session)
    print(f"{len(waiting)} famil{'y has' if len(waiting) == 1 else 'ies have'} asked to be asked again"
          + ("" if not waiting else ": " + ", ".join(f"{ref} by {ch} from {due:%Y-%m-%d}" for ref, ch, due in waiting)))
    return EXIT_OK


@_guarded
def _reviews_export(args: argparse.Namespace) -> int:
    return _write_rows(_review_rows(args.status), REVIEW_FIELDS, args.format, args.output)


@_guarded
def _reviews_send(args: argparse.Namespace) -> int:
    import asyncio

    from bot.records import review_sender

    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
        except ValueError:
            now = None
        if now is None or now.tzinfo is None:
            _err("--now must be an ISO time with a zone, e.g. 2027-12-08T09:00:00+00:00")
            return EXIT_BAD_INPUT
    try:
        credentials = review_sender.read_credentials(args.credentials)
        senders = review_sender.senders_from_credentials(credentials)
    except Exception as error:  # a missing file, a bad block, an unset ${VARIABLE}: say which
        _err(f"cannot read the channels in {args.credentials}: {error}")
        return EXIT_BAD_INPUT
    report = asyncio.run(review_sender.send_due(senders, now=now))
    print(f"Reviews: {report.made} fell due, {report.sent} sent, {report.failed} failed (tried again later).")
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `db`, `requests` and `families` to a parser's subcommands."""
    database = subparsers.add_parser("db", help="the consent registry database")
    database_commands = database.add_subparsers(dest="db_command", metavar="COMMAND")
    database_commands.required = True
    database_commands.add_parser("migrate", help="create or upgrade the tables").set_defaults(func=_db_migrate)
    database_commands.add_parser("seed", help="add the demo families (safe to repeat)").set_defaults(func=_db_seed)

    requests = subparsers.add_parser("requests", help="parents' requests: list, export, update")
    request_commands = requests.add_subparsers(dest="requests_command", metavar="COMMAND")
    request_commands.required = True
    for name, handler, help_text in (
        ("list", _requests_list, "show requests by due date"),
        ("export", _requests_export, "write requests as CSV or JSON"),
    ):
        command = request_commands.add_parser(name, help=help_text)
        command.add_argument("--overdue", action="store_true", help="only open requests past their due date")
        command.add_argument("--type", choices=sorted(service.REQUEST_PREFIXES), help="only this type")
        if name == "export":
            command.add_argument("--format", choices=["csv", "json"], default="csv")
            command.add_argument("--output", metavar="FILE", help="write here instead of standard output")
        command.set_defaults(func=handler)
    update = request_commands.add_parser("update", help="move a request on, with a note")
    update.add_argument("reference", metavar="REF", help="e.g. OPT-7Q2K9")
    update.add_argument("--status", required=True, choices=["in_progress", "done", "refused"])
    update.add_argument("--note", required=True, help="what was done; kept in the request's history")
    update.set_defaults(func=_requests_update)

    families = subparsers.add_parser("families", help="families the council has told us about")
    family_commands = families.add_subparsers(dest="families_command", metavar="COMMAND")
    family_commands.required = True
    family_import = family_commands.add_parser("import", help="import the council's CSV export")
    family_import.add_argument("file", metavar="FILE", help="CSV: family_reference,child_date_of_birth")
    family_import.set_defaults(func=_families_import)

    holdings = subparsers.add_parser("holdings", help="which systems hold records about each family")
    holding_commands = holdings.add_subparsers(dest="holdings_command", metavar="COMMAND")
    holding_commands.required = True
    holding_import = holding_commands.add_parser("import", help="import the data-warehouse extract (all or nothing)")
    holding_import.add_argument("file", metavar="FILE", help="CSV with the columns in docs/data-map.md")
    holding_import.set_defaults(func=_holdings_import)

    review = subparsers.add_parser("reviews", help="consent reviews: list, export, send")
    review_commands = review.add_subparsers(dest="reviews_command", metavar="COMMAND")
    review_commands.required = True
    statuses = ["due", "sending", "sent", "failed", "done", "stopped"]
    for name, handler, help_text in (
        ("list", _reviews_list, "show reviews due and done"),
        ("export", _reviews_export, "write reviews as CSV or JSON"),
    ):
        command = review_commands.add_parser(name, help=help_text)
        command.add_argument("--status", choices=statuses, help="only reviews with this status")
        if name == "export":
            command.add_argument("--format", choices=["csv", "json"], default="csv")
            command.add_argument("--output", metavar="FILE", help="write here instead of standard output")
        command.set_defaults(func=handler)
    send = review_commands.add_parser("send", help="send the reviews that are due (safe to run at any time)")
    send.add_argument("--credentials", default="credentials.yml", help="the channels' settings (as for rasa run)")
    send.add_argument("--now", help="act as if it were this time (ISO, with a zone): for tests and catching up")
    send.set_defaults(func=_reviews_send)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Consent registry staff commands.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
