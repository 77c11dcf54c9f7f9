"""The audit log: every lookup and change is there, it never holds a date of birth, and it cannot be edited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from bot.records import service
from bot.records.models import AuditEntry, Family, IdentityAttempt

DOB_FORMS = ["3/4/2019", "03/04/2019", "3rd April 2019", "April 3rd, 2019", "2019-04-03", "03-04-19", "3 apr 2019"]


def test_audit_never_holds_a_date_of_birth(scope, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1001"]
    with scope() as session:
        for i, typed in enumerate(DOB_FORMS):
            service.verify_identity(
                session, reference_text="demo 1001", dob_text=typed, conversation_id=f"c{i}", channel="web"
            )
        service.verify_identity(
            session, reference_text="DEMO-1001", dob_text="21/11/2016", conversation_id="w", channel="sms"
        )
        service.verify_identity(
            session,
            reference_text="DEMO-1002 born 3/4/2019",
            dob_text="2016-11-21",
            conversation_id="x",
            channel="sms",
        )
        service.get_choices(session, family_id=family, conversation_id="c0", channel="web")
        service.set_choice(
            session,
            family_id=family,
            purpose_id="research_and_planning",
            choice="no",
            conversation_id="c0",
            channel="web",
        )
        view = service.register_request(
            session,
            family_id=family,
            type="rectification",
            conversation_id="c0",
            channel="web",
            details={"what": "my son's birthday is 3/4/2019 not 2019-04-03", "should": "3rd April 2019"},
        )
        service.get_request(session, family_id=family, reference=view.reference, conversation_id="c0")
        service.update_request(session, view.reference, status="done", note="fixed 2019-04-03", actor="staff:ann")
    csv_file = tmp_path / "families.csv"
    csv_file.write_text("family_reference,child_date_of_birth\nNEW-1001,2019-04-03\nNEW-1002,2016-11-21\n")
    with scope() as session:
        service.import_families(session, csv_file)

    with scope() as session:
        rows = session.execute(select(AuditEntry)).scalars().all()
        attempts = session.execute(select(IdentityAttempt)).scalars().all()
        public_ids = session.execute(select(Family.public_id)).scalars().all()
    assert len(rows) >= 15
    # Times to the second: their microseconds may read "2019" by chance, and they are the server's clock.
    dump = "\n".join(
        json.dumps([r.at.isoformat(timespec="seconds"), r.channel, r.actor, r.action, r.family_public_id, r.details])
        for r in rows
    ) + "\n".join(f"{a.key} {a.at.isoformat(timespec='seconds')} {a.success}" for a in attempts)
    # random tokens: they may contain "2019" by chance, and hold no date of birth
    for token in [*public_ids, view.reference]:
        dump = dump.replace(token, "<random id>")
    forbidden = [*DOB_FORMS, "21/11/2016", "2016-11-21", "2019", "2016", "april", "born", "birthday"]
    leaked = [form for form in forbidden if form.lower() in dump.lower()]
    assert leaked == [], f"audit holds {leaked}"
    actions = {r.action for r in rows}
    assert {
        "identity.verified",
        "identity.failed",
        "choices.viewed",
        "choice.set",
        "request.registered",
        "request.viewed",
        "request.updated",
        "families.imported",
    } <= actions


@pytest.mark.parametrize(
    "details",
    [
        {"dob": "2019-04-03"},
        {"child": {"date_of_birth": "x"}},
        {"items": [{"birthday": "x"}]},
        {"raw": "demo 1001"},
        {"typed_text": "hi"},
        {"when": dt.date(2019, 4, 3)},
    ],
)
def test_audit_refuses_details_that_could_hold_a_date_of_birth(scope, details) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.InvalidInput), scope() as session:
        service.audit(session, action="test.action", actor="system", channel="system", details=details)


def test_the_database_refuses_to_change_audit_rows(engine, scope) -> None:  # type: ignore[no-untyped-def]
    with scope() as session:
        service.audit(session, action="test.action", actor="system", channel="system", details={"n": 1})
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(DBAPIError, match="append-only"), scope() as session:
        session.execute(update(AuditEntry).values(details={"n": 2}))
    with pytest.raises(DBAPIError, match="append-only"), scope() as session:
        entry = session.execute(select(AuditEntry)).scalar_one()
        entry.action = "test.rewritten"
    with scope() as session:
        entry = session.execute(select(AuditEntry)).scalar_one()
    assert (entry.actor, entry.action, entry.details) == ("system", "test.action", {"n": 1})
    # Deleting stays possible for the retention purge.
    with engine.begin() as connection:
        assert connection.execute(text("DELETE FROM audit_log")).rowcount == 1


def test_truncate_is_refused_on_postgresql(engine, scope) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with scope() as session:
        service.audit(session, action="test.action", actor="system", channel="system")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))


def test_odd_channel_names_are_tidied_not_fatal(scope) -> None:  # type: ignore[no-untyped-def]
    with scope() as session:
        for channel in ["Web Chat", "", None, "x" * 500, "\U0001f4f1", "socketio"]:
            service.audit(session, action="test.action", actor="system", channel=channel)  # type: ignore[arg-type]
        channels = [r.channel for r in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert channels == ["web_chat", "unknown", "unknown", "x" * 40, "unknown", "socketio"]
