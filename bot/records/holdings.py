"""What is actually held about a family: the systems that hold records about them, loaded by staff from the
council's data-warehouse extract (`python -m bot holdings import FILE.csv`), and the family's data map built
from them after the identity check. The extract's columns are explained for a council's data team in
docs/data-map.md.

Like service.py, every function takes a Session and does not commit; results are frozen dataclasses.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.content.models import Council
from bot.records.identity import normalise_reference
from bot.records.models import Family, Holding, utc_now
from bot.records.service import (
    _ISO_DATE,
    UK,
    ImportRejected,
    _conversation,
    _family,
    audit,
    read_import_text,
)

COLUMNS = (
    "family_reference",
    "system",
    "record_kinds",
    "held_since",
    "retention",
    "linked_into",
    "purposes",
    "algorithms",
    "organisations",
)
LIST_SEPARATOR = ";"
MAX_SYSTEM = 120
MAX_LABEL = 80
MAX_ITEMS = 20
_LABEL = re.compile(r"[^\x00-\x1f\x7f<>]+")  # printable, and nothing that could be read as markup


@dataclass(frozen=True)
class AlgorithmUse:
    id: str
    last_run: dt.date


@dataclass(frozen=True)
class HoldingView:
    system: str
    record_kinds: tuple[str, ...]
    held_since: dt.date
    retention_id: str
    linked_into: tuple[str, ...]
    purposes: tuple[str, ...]
    algorithms: tuple[AlgorithmUse, ...]
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class HoldingRow:
    """One checked line of the extract."""

    reference: str
    system: str
    record_kinds: tuple[str, ...]
    held_since: dt.date
    retention_id: str
    linked_into: tuple[str, ...]
    purposes: tuple[str, ...]
    algorithms: tuple[AlgorithmUse, ...]
    organisations: tuple[str, ...]


# --- the demo families' holdings ---------------------------------------------------------------------------

DEMO_HOLDINGS: tuple[HoldingRow, ...] = (
    HoldingRow("DEMO-1001", "Health visiting system", ("health visitor contacts", "growth checks"),
               dt.date(2019, 4, 12), "health_visitor_records", (), ("direct_services",), (), ("health",)),
    HoldingRow("DEMO-1001", "School records system", ("attendance", "school place"),
               dt.date(2023, 9, 4), "school_records", (), ("direct_services",), (), ("schools",)),
    HoldingRow("DEMO-1002", "School records system", ("attendance", "school moves", "free school meals"),
               dt.date(2020, 9, 3), "school_records", ("Family support linked records",),
               ("direct_services", "early_help_targeting", "predictive_analytics"),
               (AlgorithmUse("family_support_finder", dt.date(2026, 11, 2)),), ("schools", "childrens_services")),
    HoldingRow("DEMO-1002", "Housing system", ("tenancy", "rent arrears"),
               dt.date(2018, 6, 1), "housing_records", ("Family support linked records",),
               ("direct_services", "early_help_targeting", "predictive_analytics", "research_and_planning"),
               (AlgorithmUse("family_support_finder", dt.date(2026, 11, 2)),), ("housing", "benefits")),
    HoldingRow("DEMO-1002", "Early help case system", ("early help plan", "worker notes"),
               dt.date(2024, 2, 12), "early_help", (), ("direct_services", "commercial_processors"), (),
               ("childrens_services",)),
    HoldingRow("DEMO-1003", "Health visiting system", ("health visitor contacts",),
               dt.date(2021, 1, 20), "health_visitor_records", ("Family support linked records",),
               ("direct_services", "predictive_analytics"),
               (AlgorithmUse("family_support_finder", dt.date(2026, 11, 2)),), ("health",)),
    HoldingRow("DEMO-1003", "Housing system", ("homelessness help",),
               dt.date(2022, 3, 14), "housing_records", (), ("direct_services", "research_and_planning"), (),
               ("housing",)),
)


def seed_demo_holdings(session: Session) -> int:
    """Give the demo families their holdings (replacing any they had). Returns how many were written."""
    _replace(session, DEMO_HOLDINGS)
    return len(DEMO_HOLDINGS)


# --- the import ---------------------------------------------------------------------------------------------


def import_holdings(session: Session, path: str | Path, *, council: Council, actor: str = "system") -> int:
    """Load the council's extract. Every line is checked first; any bad line rejects the whole file
    (ImportRejected lists each line and why) and nothing changes. Each family in the file has its holdings
    replaced by the file's, in the caller's one transaction. Returns the number of holdings written."""
    rows, problems = _read_holdings(Path(path), council)
    if rows:
        known = {
            reference
            for reference in session.execute(
                select(Family.reference).where(Family.reference.in_(sorted({r.reference for _, r in rows})))
            ).scalars()
        }
        problems = sorted(problems + [
            (line, "no family with this family_reference (import the families first)")
            for line, row in rows
            if row.reference not in known
        ], key=lambda problem: problem[0])
    if problems:
        raise ImportRejected(problems)
    families = _replace(session, [row for _, row in rows])
    audit(
        session, action="holdings.imported", actor=actor, channel="staff",
        details={"holdings": len(rows), "families": families},
    )
    return len(rows)


def _replace(session: Session, rows: list[HoldingRow] | tuple[HoldingRow, ...]) -> int:
    by_family: dict[str, list[HoldingRow]] = {}
    for row in rows:
        by_family.setdefault(row.reference, []).append(row)
    ids = dict(session.execute(select(Family.reference, Family.id).where(Family.reference.in_(list(by_family)))).all())
    now = utc_now()
    for reference, family_rows in by_family.items():
        family_pk = ids[reference]
        session.execute(delete(Holding).where(Holding.family_id == family_pk))
        for row in family_rows:
            session.add(
                Holding(
                    family_id=family_pk, system=row.system, record_kinds=list(row.record_kinds),
                    held_since=row.held_since, retention_id=row.retention_id, linked_into=list(row.linked_into),
                    purposes=list(row.purposes),
                    algorithms=[{"id": a.id, "last_run": a.last_run.isoformat()} for a in row.algorithms],
                    organisations=list(row.organisations), imported_at=now,
                )
            )
    session.flush()
    return len(by_family)


def _items(cell: str, what: str) -> tuple[tuple[str, ...], str | None]:
    items = tuple(item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip())
    if len(items) > MAX_ITEMS:
        return (), f"{what} lists more than {MAX_ITEMS} items"
    for item in items:
        if len(item) > MAX_LABEL or not _LABEL.fullmatch(item):
            return (), f"{what}: '{item[:40]}' is too long or holds characters that are not allowed"
    if len(set(items)) != len(items):
        return (), f"{what} names the same item twice"
    return items, None


def _ids(cell: str, what: str, known: set[str]) -> tuple[tuple[str, ...], str | None]:
    items, problem = _items(cell, what)
    if problem:
        return (), problem
    unknown = [item for item in items if item not in known]
    if unknown:
        return (), f"{what}: {', '.join(unknown)} not in content/council.yml (known: {', '.join(sorted(known))})"
    return items, None


def _date(cell: str, what: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    if not _ISO_DATE.fullmatch(cell):
        return None, f"{what} is not an ISO date (YYYY-MM-DD)"
    try:
        value = dt.date.fromisoformat(cell)
    except ValueError:
        return None, f"{what} is not a real date"
    if value > today:
        return None, f"{what} is in the future"
    if value.year < 1900:
        return None, f"{what} is before 1900"
    return value, None


def _check_row(cells: Mapping[str, str], council: Council, today: dt.date) -> tuple[HoldingRow | None, list[str]]:
    problems: list[str] = []
    reference = normalise_reference(cells["family_reference"]) if cells["family_reference"] else None
    if reference is None:
        problems.append("family_reference is empty or not a reference like DEMO-1001")
    system = cells["system"]
    if not system:
        problems.append("system is empty")
    elif len(system) > MAX_SYSTEM or not _LABEL.fullmatch(system):
        problems.append(f"system is longer than {MAX_SYSTEM} characters or holds characters that are not allowed")
    kinds, problem = _items(cells["record_kinds"], "record_kinds")
    if problem or not kinds:
        problems.append(problem or "record_kinds is empty: say what kinds of record the system holds")
    since, problem = _date(cells["held_since"], "held_since", today)
    if problem:
        problems.append(problem)
    retention_ids = {r.id for r in council.retention if r.id}
    if cells["retention"] not in retention_ids:
        problems.append(f"retention must be one of the ids in content/council.yml: {', '.join(sorted(retention_ids))}")
    linked, problem = _items(cells["linked_into"], "linked_into")
    if problem:
        problems.append(problem)
    purposes, problem = _ids(cells["purposes"], "purposes", {p.id for p in council.purposes})
    if problem or not purposes:
        problems.append(problem or "purposes is empty: name at least one use from content/council.yml")
    organisations, problem = _ids(cells["organisations"], "organisations", {o.id for o in council.organisations})
    if problem:
        problems.append(problem)
    algorithms: list[AlgorithmUse] = []
    register = {a.id for a in council.algorithms}
    entries, problem = _items(cells["algorithms"], "algorithms")
    if problem:
        problems.append(problem)
    for entry in entries:
        algorithm_id, _, ran = entry.partition(":")
        algorithm_id, ran = algorithm_id.strip(), ran.strip()
        if algorithm_id not in register:
            problems.append(f"algorithms: {algorithm_id} is not in the algorithm register in content/council.yml")
            continue
        last_run, problem = _date(ran, f"algorithms: the last run of {algorithm_id}", today)
        if problem:
            problems.append(problem + " (write it as id:YYYY-MM-DD)")
        else:
            algorithms.append(AlgorithmUse(algorithm_id, last_run))  # type: ignore[arg-type]
    if problems:
        return None, problems
    return HoldingRow(reference, system, kinds, since, cells["retention"], linked, purposes,  # type: ignore[arg-type]
                      tuple(algorithms), organisations), []


def _read_holdings(path: Path, council: Council) -> tuple[list[tuple[int, HoldingRow]], list[tuple[int, str]]]:
    text, unreadable = read_import_text(path)
    if unreadable:
        return [], unreadable
    today = dt.datetime.now(UK).date()
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, HoldingRow]] = []
    seen: dict[tuple[str, str], int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in row]
                missing = [c for c in COLUMNS if c not in header]
                if missing or len(set(header)) != len(header):
                    why = f"missing: {', '.join(missing)}" if missing else "a column is named twice"
                    return [], [(line, f"the first line must be the header {','.join(COLUMNS)} ({why})")]
                continue
            if len(row) != len(header):
                problems.append((line, f"expected {len(header)} columns, found {len(row)}"))
                continue
            cells = {name: row[header.index(name)].strip() for name in COLUMNS}
            checked, why = _check_row(cells, council, today)
            problems += [(line, reason) for reason in why]
            if checked is not None:
                key = (checked.reference, checked.system.lower())
                if key in seen:
                    problems.append((line, f"the same family and system are on line {seen[key]} too"))
                else:
                    seen[key] = line
                    rows.append((line, checked))
    except csv.Error as error:
        problems.append((reader.line_num, f"not valid CSV: {error}"))
    if header is None:
        return [], [(0, f"the file is empty: expected the header {','.join(COLUMNS)}")]
    if not rows and not problems:
        problems.append((reader.line_num, "the file has a header but no holdings"))
    return rows, problems


# --- the data map -------------------------------------------------------------------------------------------


def family_holdings(
    session: Session, *, family_id: str, conversation_id: str, channel: str
) -> tuple[HoldingView, ...]:
    """The systems that hold records about a verified family, oldest first. Audited as a view."""
    family = _family(session, family_id)
    rows = session.execute(
        select(Holding).where(Holding.family_id == family.id).order_by(Holding.held_since, Holding.system)
    ).scalars().all()
    audit(
        session, action="datamap.viewed", actor=f"conversation:{_conversation(conversation_id)}", channel=channel,
        family_id=family.public_id, details={"systems": len(rows)},
    )
    return tuple(
        HoldingView(
            system=row.system, record_kinds=tuple(row.record_kinds or ()), held_since=row.held_since,
            retention_id=row.retention_id, linked_into=tuple(row.linked_into or ()),
            purposes=tuple(row.purposes or ()),
            algorithms=tuple(
                AlgorithmUse(a["id"], dt.date.fromisoformat(a["last_run"])) for a in (row.algorithms or ())
            ),
            organisations=tuple(row.organisations or ()),
        )
        for row in rows
    )
