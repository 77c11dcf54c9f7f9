"""Identity checks: same answer for unknown and wrong, lockout per reference and per conversation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select

from bot.records import service
from bot.records.models import AuditEntry, IdentityAttempt

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone.utc)
MINUTE = dt.timedelta(minutes=1)


def verify(scope, reference: str, dob: str, conversation: str = "conv-a", now: dt.datetime = T0):  # type: ignore[no-untyped-def]
    with scope() as session:
        return service.verify_identity(
            session, reference_text=reference, dob_text=dob, conversation_id=conversation, channel="web", now=now
        )


def test_right_details_verify_with_the_opaque_id(scope, demo) -> None:  # type: ignore[no-untyped-def]
    result = verify(scope, "demo 1001", "3rd April 2019")
    assert result == service.VerifyResult(status="verified", family_id=demo["DEMO-1001"])
    assert result.family_id != "DEMO-1001" and len(result.family_id) >= 20


def test_any_child_of_the_family_verifies(scope, demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv_file = tmp_path / "families.csv"
    csv_file.write_text("family_reference,child_date_of_birth\nDEMO-1001,2022-06-30\n")
    with scope() as session:
        service.import_families(session, csv_file)
    assert verify(scope, "DEMO-1001", "30/6/2022").status == "verified"
    assert verify(scope, "DEMO-1001", "3/4/2019", conversation="conv-b").status == "verified"


def _statements(engine, call) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_unknown_reference_and_wrong_date_look_the_same(engine, scope, demo) -> None:  # type: ignore[no-untyped-def]
    results = {}
    statements = {}
    for name, reference, dob, conversation in [
        ("unknown", "DEMO-9999", "3/4/2019", "conv-u"),
        ("wrong_dob", "DEMO-1001", "4/4/2019", "conv-w"),
    ]:
        statements[name] = _statements(
            engine,
            lambda n=name, r=reference, d=dob, c=conversation: results.__setitem__(n, verify(scope, r, d, c)),
        )
    assert results["unknown"] == results["wrong_dob"] == service.VerifyResult(status="failed")
    # The same work: the same statements against the same tables, in the same order.
    assert statements["unknown"] == statements["wrong_dob"]


def test_a_family_without_children_never_verifies(scope) -> None:  # type: ignore[no-untyped-def]
    from bot.records.models import Family

    with scope() as session:
        session.add(Family(reference="EMPTY-1000"))
    assert verify(scope, "EMPTY-1000", "1/1/1900").status == "failed"


def test_lockout_per_reference_across_conversations(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        assert verify(scope, "DEMO-1001", "1/1/2018", conversation=f"attacker-{i}", now=T0 + i * MINUTE).status == (
            "failed"
        )
    # A new conversation with the right details is still locked out: the reference is locked.
    result = verify(scope, "DEMO-1001", "3/4/2019", conversation="parent", now=T0 + 5 * MINUTE)
    assert result.status == "locked"
    assert result.locked_until == T0 + 4 * MINUTE + dt.timedelta(minutes=30)
    assert result.family_id is None
    # Other families are not affected.
    assert verify(scope, "DEMO-1002", "21/11/2016", conversation="other", now=T0 + 5 * MINUTE).status == "verified"


def test_lockout_per_conversation_across_references(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        verify(scope, f"DEMO-{2000 + i}", "3/4/2019", conversation="guesser", now=T0 + i * MINUTE)
    result = verify(scope, "DEMO-1001", "3/4/2019", conversation="guesser", now=T0 + 6 * MINUTE)
    assert result.status == "locked"
    # The same details from another conversation work: only that conversation is locked.
    assert verify(scope, "DEMO-1001", "3/4/2019", conversation="fresh", now=T0 + 6 * MINUTE).status == "verified"


def test_lock_lasts_30_minutes_from_the_fifth_failure(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        verify(scope, "DEMO-1001", "1/1/2018", now=T0 + i * MINUTE)
    fifth = T0 + 4 * MINUTE
    # Trying while locked (even rightly) does not push the lock further out.
    for minutes in (1, 10, 29):
        result = verify(scope, "DEMO-1001", "3/4/2019", now=fifth + minutes * MINUTE)
        assert result.status == "locked"
        assert result.locked_until == fifth + 30 * MINUTE
    assert verify(scope, "DEMO-1001", "3/4/2019", now=fifth + 30 * MINUTE).status == "verified"


def test_five_failures_spread_over_more_than_30_minutes_do_not_lock(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        verify(scope, "DEMO-1001", "1/1/2018", now=T0 + i * 8 * MINUTE)  # 0, 8, 16, 24, 32 minutes
    assert verify(scope, "DEMO-1001", "3/4/2019", now=T0 + 33 * MINUTE).status == "verified"


def test_four_failures_then_success_resets_the_count(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for i in range(4):
        verify(scope, "DEMO-1001", "1/1/2018", now=T0 + i * MINUTE)
    assert verify(scope, "DEMO-1001", "3/4/2019", now=T0 + 4 * MINUTE).status == "verified"
    verify(scope, "DEMO-1001", "1/1/2018", now=T0 + 5 * MINUTE)
    assert verify(scope, "DEMO-1001", "3/4/2019", now=T0 + 6 * MINUTE).status == "verified"


def test_after_expiry_it_takes_five_new_failures_to_lock_again(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        verify(scope, "DEMO-1001", "1/1/2018", now=T0 + i * MINUTE)
    after = T0 + 40 * MINUTE
    for i in range(4):
        assert verify(scope, "DEMO-1001", "1/1/2018", now=after + i * MINUTE).status == "failed"
    assert verify(scope, "DEMO-1001", "1/1/2018", now=after + 4 * MINUTE).status == "failed"
    assert verify(scope, "DEMO-1001", "3/4/2019", now=after + 5 * MINUTE).status == "locked"


def test_unreadable_input_fails_cleanly_and_counts(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for reference, dob in [
        ("", ""),
        ("\U0001f476" * 500, "\x00\x1b"),
        ("'; DROP TABLE families; --", "31/2/2020"),
        ("DEMŴ-1001", "ŵŷ"),
        ("DEMO-1001", "x" * 10_000),
    ]:
        assert verify(scope, reference, dob, conversation="messy").status == "failed"
    assert verify(scope, "DEMO-1001", "3/4/2019", conversation="messy").status == "locked"


def test_every_attempt_is_audited_without_what_was_typed(scope, demo) -> None:  # type: ignore[no-untyped-def]
    verify(scope, "DEMO-1001", "3/4/2019", conversation="c1")
    verify(scope, "DEMO-1001", "4/4/2019", conversation="c2")
    verify(scope, "DEMO-9999", "3/4/2019", conversation="c3")
    with scope() as session:
        entries = (
            session.execute(select(AuditEntry).where(AuditEntry.action.like("identity.%")).order_by(AuditEntry.id))
            .scalars()
            .all()
        )
        assert [e.action for e in entries] == ["identity.verified", "identity.failed", "identity.failed"]
        assert [e.actor for e in entries] == ["conversation:c1", "conversation:c2", "conversation:c3"]
        assert entries[0].family_public_id == demo["DEMO-1001"]
        assert entries[2].family_public_id is None
        keys = set(session.execute(select(IdentityAttempt.key)).scalars())
    assert keys == {"conv:c1", "conv:c2", "conv:c3", "ref:DEMO-1001", "ref:DEMO-9999"}


def test_naive_now_is_refused(scope, demo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.InvalidInput):
        verify(scope, "DEMO-1001", "3/4/2019", now=dt.datetime(2026, 1, 1))
