"""The data-warehouse extract (holdings): all or nothing, every bad line named, re-import replaces; the demo
families' holdings differ; the data map reads them back for the family only."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.content.loader import content
from bot.records import holdings, service
from bot.records.models import AuditEntry, Holding

HEADER = "family_reference,system,record_kinds,held_since,retention,linked_into,purposes,algorithms,organisations\n"
GOOD = (
    'DEMO-1001,School records system,attendance;school moves,2020-09-03,school_records,'
    'Family support linked records,direct_services;predictive_analytics,family_support_finder:2026-11-02,schools\n'
    "DEMO-1001,Housing system,tenancy,2018-06-01,housing_records,,direct_services,,housing;benefits\n"
)


def write(tmp_path: Path, body: str, name: str = "holdings.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def import_file(scope, path: Path) -> int:  # type: ignore[no-untyped-def]
    with scope() as session:
        return holdings.import_holdings(session, path, council=content().council, actor="staff:test")


def systems(scope, family_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    with scope() as session:
        return [h.system for h in holdings.family_holdings(session, family_id=family_id, conversation_id="t",
                                                            channel="web")]


def snapshot(scope) -> list[tuple]:  # type: ignore[no-untyped-def]
    with scope() as session:
        return sorted(session.execute(select(Holding.family_id, Holding.system, Holding.held_since)).all())


def test_demo_families_have_holdings_that_differ(scope, demo) -> None:  # type: ignore[no-untyped-def]
    maps = {ref: systems(scope, family_id) for ref, family_id in demo.items()}
    assert all(maps.values())
    assert len({tuple(m) for m in maps.values()}) == 3
    with scope() as session:
        dated = holdings.family_holdings(session, family_id=demo["DEMO-1002"], conversation_id="t", channel="web")
    assert {h.system: h.held_since.isoformat() for h in dated}["Housing system"] == "2018-06-01"
    assert any(a.id == "family_support_finder" for h in dated for a in h.algorithms)


def test_import_replaces_a_familys_holdings_and_leaves_others(scope, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before_1002 = systems(scope, demo["DEMO-1002"])
    assert import_file(scope, write(tmp_path, HEADER + GOOD)) == 2
    assert systems(scope, demo["DEMO-1001"]) == ["Housing system", "School records system"]
    assert systems(scope, demo["DEMO-1002"]) == before_1002
    with scope() as session:
        dated = holdings.family_holdings(session, family_id=demo["DEMO-1001"], conversation_id="t", channel="web")
    school = next(h for h in dated if h.system == "School records system")
    assert school.record_kinds == ("attendance", "school moves")
    assert school.linked_into == ("Family support linked records",)
    assert school.algorithms[0].last_run.isoformat() == "2026-11-02"
    # again, with one system only: the other goes
    assert import_file(scope, write(tmp_path, HEADER + GOOD.splitlines()[1] + "\n", "again.csv")) == 1
    assert systems(scope, demo["DEMO-1001"]) == ["Housing system"]
    with scope() as session:
        imports = session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "holdings.imported")
        ).scalar_one()
    assert imports == 2


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("DEMO-1001,X,a,2020-01-01,no_such_period,,direct_services,,schools", "retention must be one of"),
        ("DEMO-1001,X,a,2020-01-01,school_records,,nonsense_use,,schools", "nonsense_use not in content"),
        ("DEMO-1001,X,a,2020-01-01,school_records,,direct_services,,the_moon", "the_moon not in content"),
        ("DEMO-1001,X,a,2020-01-01,school_records,,direct_services,skynet:2026-01-01,schools", "skynet is not in"),
        ("DEMO-1001,X,a,2020-01-01,school_records,,direct_services,family_support_finder,schools", "id:YYYY-MM-DD"),
        ("DEMO-1001,X,a,2999-01-01,school_records,,direct_services,,schools", "held_since is in the future"),
        ("DEMO-1001,X,a,01/02/2020,school_records,,direct_services,,schools", "not an ISO date"),
        ("DEMO-1001,X,,2020-01-01,school_records,,direct_services,,schools", "record_kinds is empty"),
        ("DEMO-1001,<script>,a,2020-01-01,school_records,,direct_services,,schools", "system is longer"),
        ("DEMO-9999,X,a,2020-01-01,school_records,,direct_services,,schools", "no family with this"),
        ("DEMO-1001,X,a,2020-01-01,school_records,,direct_services,,schools,extra", "expected 9 columns"),
        ("not a reference,X,a,2020-01-01,school_records,,direct_services,,schools", "family_reference is empty"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_and_changes_nothing(scope, demo, tmp_path, line, why) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(scope)
    path = write(tmp_path, HEADER + GOOD + line + "\n")
    with pytest.raises(service.ImportRejected) as error:
        import_file(scope, path)
    assert error.value.problems[0][0] == 4  # the line number in the file
    assert why in error.value.problems[0][1]
    assert snapshot(scope) == before


def test_the_same_system_twice_and_a_wrong_header_are_refused(scope, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(scope)
    with pytest.raises(service.ImportRejected) as error:
        import_file(scope, write(tmp_path, HEADER + GOOD + GOOD.splitlines()[1] + "\n"))
    assert "line 3 too" in str(error.value)
    with pytest.raises(service.ImportRejected, match="missing: organisations"):
        import_file(scope, write(tmp_path, HEADER.replace(",organisations", "") + "x\n", "h.csv"))
    with pytest.raises(service.ImportRejected, match="empty"):
        import_file(scope, write(tmp_path, "", "e.csv"))
    assert snapshot(scope) == before


def test_cli_import_refuses_a_bad_file_with_line_numbers(db_url, engine, scope, demo, tmp_path, monkeypatch,
                                                         capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.records import cli

    monkeypatch.setenv("DATABASE_URL", db_url)
    before = snapshot(scope)
    bad = write(tmp_path, HEADER + GOOD + "DEMO-1001,X,a,2020-13-01,school_records,,direct_services,,schools\n")
    assert cli.main(["holdings", "import", str(bad)]) == cli.EXIT_BAD_INPUT
    assert "line 4: held_since is not a real date" in capsys.readouterr().err
    assert snapshot(scope) == before
    assert cli.main(["holdings", "import", str(write(tmp_path, HEADER + GOOD, "ok.csv"))]) == cli.EXIT_OK
    assert "2 holding(s)" in capsys.readouterr().out
