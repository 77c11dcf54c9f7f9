"""Choices and requests: references, due dates, idempotency, history, staff updates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from bot.records import service
from bot.records.models import AuditEntry, Choice, Request, RequestEvent

UTC = dt.timezone.utc


def register(scope, family_id: str, type: str = "access", conversation: str = "conv-1", **kwargs):  # type: ignore[no-untyped-def]
    with scope() as session:
        return service.register_request(
            session, family_id=family_id, type=type, conversation_id=conversation, channel="web", **kwargs
        )


def count(scope, model=Request) -> int:  # type: ignore[no-untyped-def]
    with scope() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.datetime(2024, 1, 31, 12, 0, tzinfo=UTC), dt.datetime(2024, 2, 29, 12, 0, tzinfo=UTC)),  # leap year
        (dt.datetime(2023, 1, 31, 12, 0, tzinfo=UTC), dt.datetime(2023, 2, 28, 12, 0, tzinfo=UTC)),
        (dt.datetime(2023, 3, 15, 9, 30, tzinfo=UTC), dt.datetime(2023, 4, 15, 8, 30, tzinfo=UTC)),  # into BST
        (dt.datetime(2023, 12, 31, 10, 0, tzinfo=UTC), dt.datetime(2024, 1, 31, 10, 0, tzinfo=UTC)),
        (dt.datetime(2023, 8, 31, 10, 0, tzinfo=UTC), dt.datetime(2023, 9, 30, 10, 0, tzinfo=UTC)),
    ],
)
def test_due_one_calendar_month_after_receipt(scope, demo, received, due) -> None:  # type: ignore[no-untyped-def]
    view = register(scope, demo["DEMO-1001"], now=received)
    assert view.created_at == received
    assert view.due_at == due
    assert view.due_at.tzinfo is not None


def test_due_date_counts_on_the_uk_calendar() -> None:
    # 23:30 UTC on 30 April is already 1 May in the UK (BST), so it is due on 1 June, UK time.
    due = service.due_date(dt.datetime(2024, 4, 30, 23, 30, tzinfo=UTC))
    assert due.astimezone(service.UK).date() == dt.date(2024, 6, 1)


@pytest.mark.parametrize(("type", "prefix"), [("objection", "OPT"), ("access", "SAR"), ("rectification", "FIX")])
def test_reference_shape(scope, demo, type: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
    purpose = "predictive_analytics" if type == "objection" else None
    references = {
        register(scope, demo["DEMO-1001"], type=type, purpose=purpose, conversation=f"c{i}").reference
        for i in range(30)
    }
    assert len(references) == 30
    for reference in references:
        assert re.fullmatch(rf"{prefix}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{{5}}", reference)


def test_a_retry_returns_the_same_request(scope, demo) -> None:  # type: ignore[no-untyped-def]
    requests_before, events_before = count(scope), count(scope, RequestEvent)
    first = register(scope, demo["DEMO-1001"], type="rectification", details={"what": "wrong address"})
    again = register(scope, demo["DEMO-1001"], type="rectification", details={"what": "wrong address"})
    assert again == first
    assert count(scope) == requests_before + 1
    assert count(scope, RequestEvent) == events_before + 1
    # A different report in the same conversation is a new request.
    other = register(scope, demo["DEMO-1001"], type="rectification", details={"what": "wrong school"})
    assert other.reference != first.reference
    assert count(scope) == requests_before + 2


def test_closing_a_request_lets_the_family_ask_again(scope, demo) -> None:  # type: ignore[no-untyped-def]
    first = register(scope, demo["DEMO-1002"])
    with scope() as session:
        service.update_request(session, first.reference, status="done", note="sent by post", actor="staff:ann")
    second = register(scope, demo["DEMO-1002"])
    assert second.reference != first.reference
    assert register(scope, demo["DEMO-1002"]).reference == second.reference


def test_objection_sets_the_choice_and_is_due_in_a_month(scope, demo) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1001"]
    view = register(scope, family, type="objection", purpose="research_and_planning")
    assert view.type == "objection" and view.status == "received" and view.purpose == "research_and_planning"
    assert [e.status for e in view.history] == ["received"]
    with scope() as session:
        choices = service.get_choices(session, family_id=family, conversation_id="conv-1", channel="web")
    assert choices["research_and_planning"].choice == "objected"


def test_objection_needs_a_purpose(scope, demo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.InvalidInput, match="purpose"):
        register(scope, demo["DEMO-1001"], type="objection")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"type": "erasure"},
        {"type": "access", "purpose": ""},
        {"type": "access", "purpose": "x" * 65},
        {"type": "access", "purpose": "research and planning"},
        {"type": "access", "purpose": "ŵŷ"},
        {"type": "access", "details": {"when": dt.date(2019, 4, 3)}},
        {"type": "access", "details": {"big": "x" * 20_000}},
        {"type": "access", "details": ["not", "a", "mapping"]},
        {"type": "access", "details": {"bad": "\ud800"}},
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(scope, demo, kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.InvalidInput):
        register(scope, demo["DEMO-1001"], **kwargs)
    assert count(scope) == 1  # only the demo objection


def test_unknown_family_is_an_error(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for family_id in ["nope", "", "DEMO-1001", "x" * 1000]:
        with pytest.raises(service.UnknownFamily):
            register(scope, family_id)


def test_welsh_and_emoji_details_are_kept_exactly(scope, demo) -> None:  # type: ignore[no-untyped-def]
    details = {"what": "Mae'r cyfeiriad yn anghywir: Tŷ Ŵyn \U0001f3e0", "where": "'; DROP TABLE requests; --"}
    view = register(scope, demo["DEMO-1001"], type="rectification", details=details)
    with scope() as session:
        found = service.get_request(session, family_id=demo["DEMO-1001"], reference=view.reference)
    assert found is not None and found.details == details


def test_set_choice_upserts_and_records_a_consent_request(scope, demo) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1002"]

    def choose(choice: str, conversation: str = "conv-1") -> service.RequestView:
        with scope() as session:
            return service.set_choice(
                session,
                family_id=family,
                purpose_id="research_and_planning",
                choice=choice,
                conversation_id=conversation,
                channel="sms",
            )

    first = choose("yes")
    assert first.type == "consent" and first.status == "done" and first.reference.startswith("CON-")
    assert first.due_at == first.created_at
    assert choose("yes").reference == first.reference  # a retry
    no = choose("no")
    assert no.reference != first.reference
    back = choose("yes")  # yes -> no -> yes in one conversation: three real changes
    assert back.reference not in {first.reference, no.reference}
    assert choose("yes").reference == back.reference
    with scope() as session:
        assert session.execute(select(func.count()).select_from(Choice)).scalar_one() == 2  # + demo objection
        consent = session.execute(select(Request).where(Request.type == "consent")).scalars().all()
        assert len(consent) == 3
        choices = service.get_choices(session, family_id=family, conversation_id="conv-1", channel="sms")
    assert choices["research_and_planning"].choice == "yes"
    assert choices["research_and_planning"].updated_at.tzinfo is not None


def test_set_choice_refuses_empty_or_overlong_ids(scope, demo) -> None:  # type: ignore[no-untyped-def]
    for purpose, choice in [("", "yes"), ("p" * 65, "yes"), ("research_and_planning", ""), ("ok", "y" * 41)]:
        with pytest.raises(service.InvalidInput), scope() as session:
            service.set_choice(
                session,
                family_id=demo["DEMO-1001"],
                purpose_id=purpose,
                choice=choice,
                conversation_id="c",
                channel="web",
            )


def test_get_request_only_shows_the_familys_own(scope, demo) -> None:  # type: ignore[no-untyped-def]
    view = register(scope, demo["DEMO-1001"])
    with scope() as session:
        assert service.get_request(session, family_id=demo["DEMO-1002"], reference=view.reference) is None
        mine = service.get_request(
            session, family_id=demo["DEMO-1001"], reference=view.reference.lower().replace("-", " ")
        )
        assert service.get_request(session, family_id=demo["DEMO-1001"], reference="SAR-00000") is None
        assert service.get_request(session, family_id=demo["DEMO-1001"], reference="\U0001f600" * 100) is None
    assert mine is not None and mine.reference == view.reference and mine.family_id == demo["DEMO-1001"]


def test_staff_updates_keep_history_and_audit(scope, demo) -> None:  # type: ignore[no-untyped-def]
    view = register(scope, demo["DEMO-1001"], type="access")
    with scope() as session:
        service.update_request(session, view.reference, status="in_progress", note="started", actor="staff:ann")
        done = service.update_request(session, view.reference.lower(), status="done", note="posted", actor="staff:bo")
    assert [(e.status, e.note, e.actor) for e in done.history] == [
        ("received", "", "conversation:conv-1"),
        ("in_progress", "started", "staff:ann"),
        ("done", "posted", "staff:bo"),
    ]
    with scope() as session:
        updates = (
            session.execute(select(AuditEntry).where(AuditEntry.action == "request.updated").order_by(AuditEntry.id))
            .scalars()
            .all()
        )
    assert [(a.actor, a.details["from"], a.details["to"]) for a in updates] == [
        ("staff:ann", "received", "in_progress"),
        ("staff:bo", "in_progress", "done"),
    ]
    assert all(a.family_public_id == demo["DEMO-1001"] for a in updates)


def test_update_refuses_bad_input(scope, demo) -> None:  # type: ignore[no-untyped-def]
    view = register(scope, demo["DEMO-1001"])
    with scope() as session:
        with pytest.raises(service.InvalidInput):
            service.update_request(session, view.reference, status="closed", note="", actor="staff:ann")
        with pytest.raises(service.UnknownRequest):
            service.update_request(session, "SAR-ZZZZZ", status="done", note="", actor="staff:ann")
        with pytest.raises(service.UnknownRequest):
            service.update_request(session, "nonsense", status="done", note="", actor="staff:ann")
        with pytest.raises(service.InvalidInput):
            service.update_request(session, view.reference, status="done", note="n" * 5000, actor="staff:ann")


def test_list_requests_and_overdue(scope, demo) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(UTC)
    old = register(scope, demo["DEMO-1001"], type="access", now=now - dt.timedelta(days=40))
    old_done = register(scope, demo["DEMO-1002"], type="access", now=now - dt.timedelta(days=45))
    fresh = register(scope, demo["DEMO-1002"], type="rectification", now=now - dt.timedelta(days=2))
    with scope() as session:
        service.update_request(session, old_done.reference, status="done", note="sent", actor="staff:ann")
        everything = service.list_requests(session)
        overdue = service.list_requests(session, overdue=True)
        later = service.list_requests(session, overdue=True, now=now + dt.timedelta(days=60))
    assert {v.reference for v in everything} >= {old.reference, old_done.reference, fresh.reference}
    assert [v.reference for v in overdue] == [old.reference]
    assert overdue[0].is_overdue()
    assert fresh.reference in {v.reference for v in later} and old_done.reference not in {v.reference for v in later}


def _open_objection(scope, family_id: str, purpose: str = "predictive_analytics"):  # type: ignore[no-untyped-def]
    with scope() as session:
        return service.open_objection(
            session, family_id=family_id, purpose=purpose, conversation_id="conv-9", channel="web"
        )


def test_open_objection_finds_the_one_already_sent(scope, demo) -> None:  # type: ignore[no-untyped-def]
    with scope() as session:
        [seeded] = [r for r in service.list_requests(session, type="objection") if r.family_id == demo["DEMO-1003"]]
    found = _open_objection(scope, demo["DEMO-1003"])
    assert found is not None
    assert (found.reference, found.created_at, found.purpose) == (seeded.reference, seeded.created_at,
                                                                  "predictive_analytics")
    # another use, another family: nothing recorded
    assert _open_objection(scope, demo["DEMO-1003"], "research_and_planning") is None
    assert _open_objection(scope, demo["DEMO-1001"]) is None


def test_open_objection_is_the_oldest_open_one_and_a_closed_one_does_not_count(scope, demo) -> None:  # type: ignore[no-untyped-def]
    family = demo["DEMO-1001"]
    first = register(scope, family, type="objection", purpose="research_and_planning", conversation="c1")
    register(scope, family, type="objection", purpose="research_and_planning", conversation="c2")
    assert _open_objection(scope, family, "research_and_planning").reference == first.reference
    with scope() as session:
        for view in service.list_requests(session, type="objection"):
            if view.family_id == family:
                service.update_request(session, view.reference, status="done", note="stopped", actor="staff:ann")
    assert _open_objection(scope, family, "research_and_planning") is None


def test_open_objection_refuses_bad_input(scope, demo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(service.UnknownFamily):
        _open_objection(scope, "no-such-family")
    with pytest.raises(service.InvalidInput):
        _open_objection(scope, demo["DEMO-1003"], "predictive analytics; drop table")


def test_conversation_references_are_the_requests_that_conversation_made(scope, demo) -> None:  # type: ignore[no-untyped-def]
    mine = register(scope, demo["DEMO-1001"], conversation="conv-a")
    register(scope, demo["DEMO-1002"], conversation="conv-b")
    with scope() as session:
        assert service.conversation_references(session, conversation_id="conv-a") == {mine.reference}
        assert service.conversation_references(session, conversation_id="conv-none") == set()
