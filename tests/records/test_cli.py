"""Staff commands, run the way `python -m bot ...` runs them."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.records import cli, service


@pytest.fixture
def run(db_url, engine, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("USER", "ann")

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _objection_reference(run) -> str:  # type: ignore[no-untyped-def]
    code, out, _ = run("requests", "export", "--format", "json")
    assert code == 0
    return json.loads(out)[0]["reference"]


def test_migrate_and_seed_are_repeatable(run) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "migrate")[0] == 0
    code, out, _ = run("db", "seed")
    assert code == 0 and "3 new" in out
    code, out, _ = run("db", "seed")
    assert code == 0 and "0 new" in out


def test_list_export_update(run) -> None:  # type: ignore[no-untyped-def]
    run("db", "seed")
    code, out, _ = run("requests", "list")
    assert code == 0 and "predictive_analytics" in out and "DEMO-1003" in out and "1 request(s)" in out
    code, out, _ = run("requests", "list", "--overdue")
    assert code == 0 and "No overdue requests." in out

    reference = _objection_reference(run)
    code, out, _ = run("requests", "export", "--format", "json")
    [row] = json.loads(out)
    assert set(row) == {"reference", "type", "purpose", "status", "created_at", "due_at", "family_reference"}
    assert row["family_reference"] == "DEMO-1003" and row["status"] == "received"
    assert row["created_at"].endswith("+00:00") and row["due_at"] > row["created_at"]

    code, out, _ = run("requests", "export")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["reference"] for r in rows] == [reference]

    code, out, _ = run("requests", "update", reference.lower(), "--status", "done", "--note", "objection upheld")
    assert code == 0 and f"{reference} is now done" in out
    with service_session(run) as session:
        [view] = service.list_requests(session)
    assert view.status == "done"
    assert view.history[-1].actor == "staff:ann" and view.history[-1].note == "objection upheld"


def test_export_overdue_and_to_a_file(run, scope, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    with scope() as session:
        old = service.register_request(
            session,
            family_id=demo["DEMO-1001"],
            type="access",
            conversation_id="c",
            channel="web",
            now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=35),
        )
    target = tmp_path / "overdue.json"
    code, _, err = run("requests", "export", "--overdue", "--format", "json", "--output", str(target))
    assert code == 0 and "Wrote 1 request(s)" in err
    assert [r["reference"] for r in json.loads(target.read_text())] == [old.reference]
    code, out, _ = run("requests", "list", "--overdue")
    assert "OVERDUE" in out and old.reference in out


def service_session(run):  # type: ignore[no-untyped-def]
    from bot.records import db

    return db.session_scope()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["requests", "update", "SAR-ZZZZZ", "--status", "done", "--note", "x"], 2, "no request with reference"),
        (["requests", "update", "hello", "--status", "done", "--note", "x"], 2, "not a request reference"),
        (["requests", "update", "SAR-ZZZZZ", "--status", "done", "--note", "  "], 2, "--note"),
        (["requests", "update", "SAR-ZZZZZ", "--status", "finished", "--note", "x"], 2, "invalid choice"),
        (["requests", "update", "SAR-ZZZZZ", "--status", "done"], 2, "--note"),
        (["requests", "export", "--format", "xml"], 2, "invalid choice"),
        (["families", "import", "/nonexistent/file.csv"], 2, "cannot read"),
        (["nonsense"], 2, "invalid choice"),
        (["requests"], 2, "required"),
    ],
)
def test_bad_input_gives_a_clear_error_and_nonzero_exit(run, capsys, argv, code, message) -> None:  # type: ignore[no-untyped-def]
    try:
        result, out, err = run(*argv)
    except SystemExit as exit_:  # argparse's own usage errors
        result = exit_.code
        err = capsys.readouterr().err
    assert result == code
    assert message in err
    assert "Traceback" not in err


def test_import_command(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.csv"
    good.write_text("family_reference,child_date_of_birth\nEBC-0001,2018-05-01\nEBC-0001,2020-01-01\n")
    code, out, _ = run("families", "import", str(good))
    assert code == 0 and "2 new child record(s)" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("family_reference,child_date_of_birth\nEBC-0002,2018-05-01\nEBC-0003,01/01/2019\n")
    code, _, err = run("families", "import", str(bad))
    assert code == 2 and "line 3" in err and "nothing was imported" in err


def test_unmigrated_database_says_so(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.records import db

    url = f"sqlite:///{tmp_path / 'blank.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        assert cli.main(["requests", "list"]) == 1
        assert "db migrate" in capsys.readouterr().err
    finally:
        db.dispose_engine(url)


def test_unreachable_database_says_so(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.records import db

    url = "postgresql://nobody:hunter2@127.0.0.1:1/none"
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        assert cli.main(["requests", "list"]) == 1
        err = capsys.readouterr().err
    finally:
        db.dispose_engine(url)
    assert "error: database" in err and "hunter2" not in err


def test_register_adds_commands_to_another_parser() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    register_into = parser.add_subparsers(dest="command")
    register_into.add_parser("run")
    cli.register(register_into)
    args = parser.parse_args(["requests", "export", "--format", "json", "--overdue"])
    assert callable(args.func) and args.format == "json" and args.overdue
