"""Custom actions against a real (SQLite) registry, with trackers shaped as Rasa sends them."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions as a
from bot.privacy.sealing import is_sealed, seal, unseal
from bot.records import service
from bot.records.db import session_scope


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def _texts(dispatcher) -> list[str]:
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


def test_status_on_sms_is_the_short_summary(records_db, tracker_factory, dispatcher):
    verified = _verify(tracker_factory, dispatcher, reference="DEMO-1003", dob="9/1/2021")
    tracker = tracker_factory({"pending_task": "status", "verified": True, "family_id": verified["family_id"]},
                              channel="sms")
    from rasa_sdk.executor import CollectingDispatcher

    out = CollectingDispatcher()
    a.ActionStartTask().run(out, tracker, {})
    assert len(out.messages) == 1 and "you asked to opt out" in out.messages[0]["text"]
    from bot.channels.formatting import segment_count

    assert segment_count(out.messages[0]["text"]) <= 3


def _verify(tracker_factory, dispatcher, reference="DEMO-1001", dob="3/4/2019", sender="conv-1"):
    form = a.ValidateIdentityForm()
    sealed = seal(reference)
    tracker = tracker_factory({"identity_reference": sealed}, sender=sender, active_loop="identity_form")
    return form.validate_identity_dob(dob, dispatcher, tracker, {})


def test_identity_check_verifies_and_keeps_no_details(records_db, tracker_factory, dispatcher):
    result = _verify(tracker_factory, dispatcher)
    assert result["verified"] is True
    assert result["family_id"] and "DEMO" not in result["family_id"]
    assert result["identity_reference"] == a.CHECKED and result["identity_dob"] == a.CHECKED
    assert "matches" in _texts(dispatcher)[-1]


@pytest.mark.parametrize("reference", ["demo 1001", "Demo-1001", " DEMO1001 "])
def test_reference_is_normalised(reference, tracker_factory, dispatcher):
    result = a.ValidateIdentityForm().validate_identity_reference(reference, dispatcher, tracker_factory(), {})
    assert is_sealed(result["identity_reference"]) and "DEMO" not in result["identity_reference"]
    assert unseal(result["identity_reference"]) == "DEMO-1001"


def test_a_forged_sealed_reference_is_just_a_failed_check(records_db, tracker_factory, dispatcher):
    tracker = tracker_factory({"identity_reference": "sealed:not-a-real-token"}, active_loop="identity_form")
    result = a.ValidateIdentityForm().validate_identity_dob("3/4/2019", dispatcher, tracker, {})
    assert result == {"identity_reference": None, "identity_dob": None}


@pytest.mark.parametrize("bad", ["", "   ", "hello there", "🙂🙂", "x" * 10_000, "DROP TABLE families;--"])
def test_bad_reference_is_asked_again_kindly(bad, tracker_factory, dispatcher):
    result = a.ValidateIdentityForm().validate_identity_reference(bad, dispatcher, tracker_factory(), {})
    assert result == {"identity_reference": None}
    assert "ABC-1234" in _texts(dispatcher)[-1]


def test_unreadable_date_is_asked_again(records_db, tracker_factory, dispatcher):
    result = _verify(tracker_factory, dispatcher, dob="next tuesday ŵ")
    assert result == {"identity_dob": None}
    assert "3/4/2019" in _texts(dispatcher)[-1]


def test_unknown_reference_and_wrong_date_read_the_same(records_db, tracker_factory):
    from rasa_sdk.executor import CollectingDispatcher

    unknown, wrong = CollectingDispatcher(), CollectingDispatcher()
    r1 = _verify(tracker_factory, unknown, reference="DEMO-9999", sender="c-unknown")
    r2 = _verify(tracker_factory, wrong, reference="DEMO-1001", dob="4/4/2019", sender="c-wrong")
    assert r1 == r2 == {"identity_reference": None, "identity_dob": None}
    assert unknown.messages == wrong.messages


def test_lockout_after_five_failures_then_even_right_details_fail(records_db, tracker_factory, dispatcher):
    for _ in range(5):
        _verify(tracker_factory, dispatcher, dob="1/1/2018", sender="c-lock")
    result = _verify(tracker_factory, dispatcher, sender="c-lock")
    assert result.get("identity_locked") is True and not result.get("verified")


def test_start_task_notes_the_task_from_the_intent_and_asks_for_identity(tracker_factory, dispatcher):
    events = a.ActionStartTask().run(dispatcher, tracker_factory(intent="opt_out"), {})
    assert SlotSet("pending_task", "objection") in events
    assert SlotSet("identity_reference", None) in events
    intro = dispatcher.messages[0]["text"]  # issue 23: which task, what it asks, what happens after
    assert intro.startswith("I can send the council your request to stop one use")
    assert "within one month" in intro and "family reference" in intro and "date of birth" in intro


def test_a_misread_answer_inside_the_form_does_not_switch_the_task(tracker_factory, dispatcher):
    tracker = tracker_factory({"pending_task": "access"}, intent="opt_out")
    tracker.latest_action_name = "identity_form"  # resumed after the identity check, not asked by the parent
    events = a.ActionStartTask().run(dispatcher, tracker, {})
    assert SlotSet("pending_task", "access") in events


def test_start_task_when_locked_says_how_to_get_help(records_db, tracker_factory, dispatcher):
    for _ in range(5):
        _verify(tracker_factory, CollectingDispatcher(), dob="1/1/2018", sender="c-paused")
    tracker = tracker_factory({"identity_locked": True}, intent="request_data", sender="c-paused")
    events = a.ActionStartTask().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_task", "access")]
    assert len(dispatcher.messages) == 1 and "30 minutes" in dispatcher.messages[0]["text"]
    assert "0300" in dispatcher.messages[0]["text"]  # how to get help instead


def test_right_after_the_fifth_failure_the_pause_is_explained(tracker_factory, dispatcher):
    tracker = tracker_factory({"identity_locked": True, "pending_task": None}, intent="inform")
    tracker.latest_action_name = "identity_form"  # the form has just ended on the fifth failure
    assert a.ActionStartTask().run(dispatcher, tracker, {}) == []
    assert len(dispatcher.messages) == 1 and "30 minutes" in dispatcher.messages[0]["text"]


def test_after_the_pause_the_identity_check_starts_again(records_db, tracker_factory, dispatcher):
    import datetime as dt

    for _ in range(5):
        _verify(tracker_factory, CollectingDispatcher(), dob="1/1/2018", sender="c-was-paused")
    with session_scope() as session:
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=31)
        assert service.conversation_locked_until(session, "c-was-paused") is not None
        assert service.conversation_locked_until(session, "c-was-paused", now=later) is None
    tracker = tracker_factory({"identity_locked": True}, intent="request_data", sender="c-never-locked")
    events = a.ActionStartTask().run(dispatcher, tracker, {})
    assert SlotSet("identity_locked", False) in events and SlotSet("pending_task", "access") in events
    assert events[-1] == FollowupAction("identity_form")
    assert dispatcher.messages[0]["text"].startswith("I can send the council your request to see the records")


def test_identity_form_asks_nothing_while_locked(tracker_factory, dispatcher):
    import asyncio

    form = a.ValidateIdentityForm()
    slots = ["identity_reference", "identity_dob"]
    locked = asyncio.run(form.required_slots(slots, dispatcher, tracker_factory({"identity_locked": True}), {}))
    assert locked == [] and asyncio.run(form.required_slots(slots, dispatcher, tracker_factory(), {})) == slots


def test_status_report_lists_every_purpose_and_the_recorded_objection(records_db, tracker_factory, dispatcher):
    verified = _verify(tracker_factory, dispatcher, reference="DEMO-1003", dob="9 January 2021")
    tracker = tracker_factory({"pending_task": "status", "verified": True, "family_id": verified["family_id"]})
    from rasa_sdk.executor import CollectingDispatcher

    out = CollectingDispatcher()
    a.ActionStartTask().run(out, tracker, {})
    text = "\n".join(_texts(out))
    from bot.content.loader import content

    for purpose in content().council.purposes:
        assert purpose.name in text
    risk = next(t for t in _texts(out) if "predictive" in t.lower() or "Risk scores" in t)
    assert "asked to opt out" in risk  # not "opted out": the council has a month to act on it
    assert any("risk of harm" in t for t in _texts(out))  # the exception, said plainly
    assert [b["payload"] for b in out.messages[-1]["buttons"]][:2] == ["/change_consent", "/opt_out"]


@pytest.mark.parametrize("task,form", list(a.TASK_FORMS.items()))
def test_verified_task_starts_its_form_with_clean_slots(task, form, records_db, tracker_factory, dispatcher):
    family_id = _verify(tracker_factory, CollectingDispatcher())["family_id"]  # a review shows the map first
    tracker = tracker_factory({"pending_task": task, "verified": True, "family_id": family_id, "purpose": "old"})
    events = a.ActionStartTask().run(dispatcher, tracker, {})
    assert SlotSet("pending_task", task) in events  # the rule for this pending_task starts the form
    assert SlotSet("purpose", None) in events


def _submit(tracker_factory, family_id, **slots):
    from rasa_sdk.executor import CollectingDispatcher

    out = CollectingDispatcher()
    tracker = tracker_factory({"verified": True, "family_id": family_id, **slots}, sender=slots.pop("sender", "c1"))
    events = a.ActionSubmitTask().run(out, tracker, {})
    return out, events


def test_objection_is_registered_with_reference_and_due_date(records_db, tracker_factory, dispatcher):
    family = _verify(tracker_factory, dispatcher, reference="DEMO-1002", dob="21/11/2016")["family_id"]
    out, events = _submit(tracker_factory, family, pending_task="objection", purpose="research_and_planning",
                          confirm=True)
    text = _texts(out)[-1]
    with session_scope() as session:
        rows = [r for r in service.list_requests(session) if r.family_id == family]
    assert len(rows) == 1 and rows[0].type == "objection" and rows[0].purpose == "research_and_planning"
    assert rows[0].reference in text and rows[0].reference.startswith("OPT-")
    from bot.content.task_text import nice_date

    assert nice_date(rows[0].due_at) in text
    assert SlotSet("pending_task", None) in events


def test_retried_submit_gives_one_row(records_db, tracker_factory, dispatcher):
    family = _verify(tracker_factory, dispatcher)["family_id"]
    for _ in range(3):
        _submit(tracker_factory, family, pending_task="objection", purpose="predictive_analytics", confirm=True)
    with session_scope() as session:
        rows = [r for r in service.list_requests(session) if r.family_id == family]
    assert len(rows) == 1


def test_no_means_nothing_is_sent(records_db, tracker_factory, dispatcher):
    family = _verify(tracker_factory, dispatcher)["family_id"]
    out, _ = _submit(tracker_factory, family, pending_task="access", confirm=False)
    with session_scope() as session:
        assert [r for r in service.list_requests(session) if r.family_id == family] == []
    assert "not sent" in _texts(out)[-1]


def test_access_and_error_report_then_where_is_my_request(records_db, tracker_factory, dispatcher):
    family = _verify(tracker_factory, dispatcher)["family_id"]
    _submit(tracker_factory, family, pending_task="access", confirm=True)
    out, _ = _submit(tracker_factory, family, pending_task="rectification", confirm=True,
                     error_what="My son's name is spelt wrong", error_where="school letter",
                     error_should="Rhodri", sender="c2")
    reference = next(w.strip("*.") for w in _texts(out)[-1].split() if w.strip("*.").startswith("FIX-"))
    out, _ = _submit(tracker_factory, family, pending_task="request_status", request_reference=reference)
    assert reference in _texts(out)[-1] and "received" in _texts(out)[-1]


def test_where_is_my_request_never_shows_another_familys(records_db, tracker_factory, dispatcher):
    one = _verify(tracker_factory, dispatcher)["family_id"]
    two = _verify(tracker_factory, dispatcher, reference="DEMO-1002", dob="21/11/2016", sender="c9")["family_id"]
    out, _ = _submit(tracker_factory, one, pending_task="access", confirm=True)
    reference = next(w.strip("*.") for w in _texts(out)[-1].split() if w.strip("*.").startswith("SAR-"))
    out, _ = _submit(tracker_factory, two, pending_task="request_status", request_reference=reference)
    assert reference not in _texts(out)[-1]
    assert "could not find" in _texts(out)[-1]


def test_consent_change_is_saved_and_shown_in_the_report(records_db, tracker_factory, dispatcher):
    from bot.content.loader import content

    purpose = next(p for p in content().council.purposes if p.levels)
    level = purpose.levels[-1]
    family = _verify(tracker_factory, dispatcher)["family_id"]
    form = a.ValidateConsentForm()
    tracker = tracker_factory({"purpose": purpose.id, "pending_task": "consent"})
    assert form.validate_level(level.label, dispatcher, tracker, {}) == {"level": level.id}
    out, _ = _submit(tracker_factory, family, pending_task="consent", purpose=purpose.id, level=level.id,
                     confirm=True)
    assert "CON-" in _texts(out)[-1]
    with session_scope() as session:
        choices = service.get_choices(session, family_id=family, conversation_id="c1", channel="rest")
    assert choices[purpose.id].choice == level.id


@pytest.mark.parametrize("said,expected", [
    ("research", "research_and_planning"),
    ("research_and_planning", "research_and_planning"),
    ("Risk scores please", "predictive_analytics"),
])
def test_purpose_is_understood_from_words(said, expected, tracker_factory, dispatcher):
    result = a.ValidateObjectionForm().validate_purpose(said, dispatcher, tracker_factory(), {})
    assert result == {"purpose": expected}


@pytest.mark.parametrize("said", ["", "banana", "🙂", "\x00\x07", "ŵŷ"])
def test_unknown_purpose_is_asked_again(said, tracker_factory, dispatcher):
    result = a.ValidateObjectionForm().validate_purpose(said, dispatcher, tracker_factory(), {})
    assert result == {"purpose": None}
    assert dispatcher.messages


def test_cancel_leaves_the_form(tracker_factory, dispatcher):
    events = a.ActionCancelTask().run(dispatcher, tracker_factory({"pending_task": "access"}), {})
    assert ActiveLoop(None) in events and SlotSet("pending_task", None) in events
    assert dispatcher.messages[0]["response"] == "utter_cancelled"


def test_show_topic_only_shows_known_topics(tracker_factory, dispatcher):
    from bot.content.loader import content

    known = content().topic_ids[0]
    a.ActionShowTopic().run(dispatcher, tracker_factory({"topic_id": known}), {})
    a.ActionShowTopic().run(dispatcher, tracker_factory({"topic_id": "../../etc/passwd"}), {})
    assert [m["response"] for m in dispatcher.messages] == [f"utter_topic/{known}", "utter_default"]


def test_ask_confirm_for_objection_is_honest_about_child_protection(tracker_factory, dispatcher):
    tracker = tracker_factory({"pending_task": "objection", "purpose": "predictive_analytics"})
    a.ActionAskConfirm().run(dispatcher, tracker, {})
    text = dispatcher.messages[0]["text"]
    assert "risk of harm" in text and "not, by itself, a referral" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


@pytest.mark.parametrize("form,method", [
    (a.ValidateIdentityForm, "validate_identity_reference"),
    (a.ValidateIdentityForm, "validate_identity_dob"),
    (a.ValidateObjectionForm, "validate_purpose"),
    (a.ValidateConsentForm, "validate_level"),
    (a.ValidateErrorForm, "validate_error_what"),
    (a.ValidateRequestStatusForm, "validate_request_reference"),
])
def test_an_emptied_slot_is_not_an_error_to_tell_the_parent(form, method, tracker_factory, dispatcher):
    # When a form starts, its slots are emptied; validation then sees None and must stay silent.
    tracker = tracker_factory({"purpose": "research_and_planning"})
    result = getattr(form(), method)(None, dispatcher, tracker, {})
    assert list(result.values()) == [None]
    assert dispatcher.messages == []


def test_an_error_report_reaches_the_council_as_the_parent_wrote_and_approved_it(records_db, tracker_factory,
                                                                                  dispatcher):
    """Names, dates and numbers are the correction itself. The tracker store redacts what it can read between
    turns, so the form keeps each answer sealed: what the parent is shown and what the council stores must both be
    the words the parent typed, not "her name is [NAME], [NAME] [DATE]"."""
    from bot.privacy.tracker_store import redact_event

    family = _verify(tracker_factory, dispatcher, reference="DEMO-1003", dob="9/1/2021")["family_id"]
    said = {"error_what": "it says my daughter is called Amy Jones",
            "error_where": "school report, call me on 07700 900123",
            "error_should": "her name is Aimee Jones, born 09/01/2021"}
    form = a.ValidateErrorForm()
    slots = {}
    for slot, text in said.items():
        value = getattr(form, f"validate_{slot}")(f"  {text} ", dispatcher, tracker_factory(), {})[slot]
        assert is_sealed(value) and "Aimee" not in value and "07700" not in value
        stored = redact_event({"event": "slot", "name": slot, "value": value})["value"]  # as the store keeps it
        assert stored == value
        slots[slot] = stored
    # without the seal the store would have kept the useless version (the bug parents hit)
    assert "[NAME]" in redact_event({"event": "slot", "name": "x", "value": said["error_should"]})["value"]

    ask = CollectingDispatcher()
    a.ActionAskConfirm().run(ask, tracker_factory({"pending_task": "rectification", **slots}), {})
    assert all(text in ask.messages[0]["text"] for text in said.values())
    _submit(tracker_factory, family, pending_task="rectification", confirm=True, **slots)
    with session_scope() as session:
        [row] = [r for r in service.list_requests(session) if r.family_id == family and r.type == "rectification"]
    assert row.details == said


@pytest.mark.parametrize("said", ["i never got a letter, i dont have a reference", "idk", "why do you need that"])
def test_a_parent_without_the_letter_is_told_another_way_in_and_how_to_stop(said, tracker_factory, dispatcher):
    """Asked for the family reference, a parent who has no letter was asked the same thing again and again."""
    from bot.content.loader import content

    result = a.ValidateIdentityForm().validate_identity_reference(said, dispatcher, tracker_factory(), {})
    assert result == {"identity_reference": None}
    reply = _texts(dispatcher)[-1]
    assert content().council.contact.phone in reply and "cancel" in reply


def test_a_crisis_reply_pauses_the_form_and_keeps_its_answers(tracker_factory, dispatcher):
    tracker = tracker_factory({"pending_task": "objection", "identity_reference": "sealed"}, intent="crisis",
                              active_loop="identity_form")
    events = a.ActionPauseTask().run(dispatcher, tracker, {})
    assert events == [ActiveLoop(None), SlotSet("task_paused", True), SlotSet("paused_form", "identity_form")]
    assert dispatcher.messages[0]["response"] == "utter_task_paused"
    assert not any(e.get("name") == "identity_reference" for e in events)  # nothing emptied


def test_a_crisis_reply_outside_a_form_pauses_nothing(tracker_factory, dispatcher):
    assert a.ActionPauseTask().run(dispatcher, tracker_factory(intent="crisis"), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_still_here"


def test_carry_on_starts_the_paused_form_again(tracker_factory, dispatcher):
    tracker = tracker_factory({"task_paused": True, "paused_form": "objection_form"}, intent="resume_task")
    events = a.ActionResumeTask().run(dispatcher, tracker, {})
    assert events == [SlotSet("task_paused", False), SlotSet("paused_form", None), FollowupAction("objection_form")]


def test_carry_on_with_an_unknown_form_offers_help(tracker_factory, dispatcher):
    tracker = tracker_factory({"task_paused": True, "paused_form": "no_such_form"}, intent="resume_task")
    assert FollowupAction("no_such_form") not in a.ActionResumeTask().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_help"


def test_cancel_forgets_a_paused_task(tracker_factory, dispatcher):
    events = a.ActionCancelTask().run(dispatcher, tracker_factory({"task_paused": True}, intent="cancel"), {})
    assert SlotSet("task_paused", False) in events and SlotSet("paused_form", None) in events

def test_data_map_on_the_web_is_the_parts_a_picture_and_next_steps(records_db, tracker_factory):
    family_id = _verify(tracker_factory, CollectingDispatcher(), reference="DEMO-1002", dob="21/11/2016")["family_id"]
    out = CollectingDispatcher()
    events = a.ActionStartTask().run(out, tracker_factory({"pending_task": "data_map", "verified": True,
                                                           "family_id": family_id}), {})
    assert SlotSet("pending_task", "data_map") in events
    assert all(m.get(a.NOT_KEPT) for m in out.messages)  # none of it is kept in the conversation store
    text = "\n".join(t for t in _texts(out) if t)
    assert "**Housing system**" in text and "Since: 1 June 2018." in text
    assert sum(1 for m in out.messages if (m.get("custom") or {}).get("data", {}).get("data_map")) == 1
    assert "/review_reminders" in [b["payload"] for b in out.messages[-1]["buttons"]]


def test_data_map_on_sms_is_a_summary_that_fits_three_texts_first(records_db, tracker_factory):
    from bot.channels.formatting import segment_count

    family_id = _verify(tracker_factory, CollectingDispatcher(), reference="DEMO-1002", dob="21/11/2016")["family_id"]
    out = CollectingDispatcher()
    a.ActionStartTask().run(out, tracker_factory({"pending_task": "data_map", "verified": True,
                                                  "family_id": family_id}, channel="sms"), {})
    assert len(out.messages) == 1 and not out.messages[0].get("custom")
    summary, *details = out.messages[0]["text"].split("\n\n")
    assert segment_count(summary) <= 3 and "3 council systems" in summary
    assert len(details) == 3  # one part per system, after "MORE"


def test_review_answers_keep_or_change_each_choice_then_the_form_ends(records_db, tracker_factory, dispatcher):
    family_id = _verify(tracker_factory, CollectingDispatcher(), reference="DEMO-1003", dob="9/1/2021")["family_id"]
    form = a.ValidateReviewForm()
    answers: dict = {}
    for said in ("keep", "I object to risk scores", "gibberish", "keep", "keep"):
        tracker = tracker_factory({"verified": True, "family_id": family_id, "review_answers": answers},
                                  active_loop="review_form")
        result = form.validate_review_answer(said, dispatcher, tracker, {})
        answers = result.get("review_answers", answers)
    assert answers == {"early_help_targeting": "included", "predictive_analytics": "object",
                       "research_and_planning": "included", "commercial_processors": "included"}
    assert result["review_answer"] == "done"
    assert "Sorry" in _texts(dispatcher)[-1] or any("Sorry" in t for t in _texts(dispatcher))


def test_the_reviews_number_is_sealed_in_the_slot(tracker_factory, dispatcher):
    form = a.ValidateReviewsForm()
    tracker = tracker_factory({"review_channel": "sms"}, active_loop="reviews_form")
    result = form.validate_review_number("07700 900123", dispatcher, tracker, {})
    assert is_sealed(result["review_number"]) and unseal(result["review_number"]) == "+447700900123"
    assert form.validate_review_number("999", dispatcher, tracker, {}) == {"review_number": None}


def test_this_number_is_the_one_the_parent_is_texting_from(tracker_factory, dispatcher):
    form = a.ValidateReviewsForm()
    tracker = tracker_factory({"review_channel": "whatsapp"}, active_loop="reviews_form", channel="sms")
    tracker.latest_message["metadata"] = {"reply_to": seal("+447700900123")}
    result = form.validate_review_number("this number", dispatcher, tracker, {})
    assert unseal(result["review_number"]) == "447700900123"  # a WhatsApp id for a WhatsApp review
    tracker.latest_message["metadata"] = {}  # the web chat has no number to use
    assert form.validate_review_number("this number", dispatcher, tracker, {}) == {"review_number": None}

def test_opting_out_again_is_told_the_objection_already_sent_and_nothing_new_is_sent(records_db, tracker_factory,
                                                                                      dispatcher):
    from bot.content.task_text import nice_date

    family = _verify(tracker_factory, dispatcher, reference="DEMO-1003", dob="9/1/2021")["family_id"]
    with session_scope() as session:
        [seeded] = [r for r in service.list_requests(session, type="objection") if r.family_id == family]
    tracker = tracker_factory({"verified": True, "family_id": family, "pending_task": "objection"}, sender="c3",
                              active_loop="objection_form")
    said = CollectingDispatcher()
    result = a.ValidateObjectionForm().validate_purpose("predictive analytics", said, tracker, {})
    assert result == {"purpose": "predictive_analytics", "confirm": False, "request_reference": seeded.reference}
    text = _texts(said)[-1]
    assert "already asked" in text and seeded.reference in text and nice_date(seeded.created_at) in text
    assert "where is my request" in text
    out, events = _submit(tracker_factory, family, sender="c3", pending_task="objection", **result)
    assert _texts(out) == []  # nothing more to say, and nothing sent
    assert SlotSet("pending_task", None) in events
    with session_scope() as session:
        assert [r.reference for r in service.list_requests(session, type="objection") if r.family_id == family] == [
            seeded.reference]
    # another use is asked about as before
    other = a.ValidateObjectionForm().validate_purpose("research", CollectingDispatcher(), tracker, {})
    assert other == {"purpose": "research_and_planning"}


def _asking(tracker_factory, text: str, topic_id: str, confidence: float, **kwargs):
    tracker = tracker_factory(intent="topic", text=text, active_loop="identity_form", **kwargs)
    tracker.latest_message["response_selector"] = {
        "topic": {"response": {"intent_response_key": f"topic/{topic_id}", "confidence": confidence}}}
    return tracker


def test_a_question_inside_the_identity_check_is_answered_not_called_a_bad_reference(tracker_factory, dispatcher):
    """Issue 23, pattern 2: "does early help mean social services get involved?" while the form waits for a family
    reference gets that topic's answer; the form then asks for the reference again (it stays empty)."""
    text = "does asking for help mean social services get involved?"
    tracker = _asking(tracker_factory, text, "asking_for_help", 0.9)
    result = a.ValidateIdentityForm().validate_identity_reference(text, dispatcher, tracker, {})
    assert result == {"identity_reference": None}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_topic/asking_for_help"]


def test_a_question_the_selector_is_unsure_of_still_gets_the_reference_help(tracker_factory, dispatcher):
    tracker = _asking(tracker_factory, "hmm what", "asking_for_help", 0.2)
    a.ValidateIdentityForm().validate_identity_reference("hmm what", dispatcher, tracker, {})
    assert "does not look like a family reference" in dispatcher.messages[0]["text"]


def test_a_question_instead_of_a_date_is_answered(tracker_factory, dispatcher):
    tracker = _asking(tracker_factory, "which bits can i say no to", "consent_levels", 0.8)
    assert a.ValidateIdentityForm().validate_identity_dob("which bits can i say no to", dispatcher, tracker, {}) == {
        "identity_dob": None}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_topic/consent_levels"]


def test_a_question_instead_of_a_use_to_opt_out_of_is_answered_then_the_choice_is_asked_again(tracker_factory,
                                                                                              dispatcher):
    """Pattern 2 in the task forms: "what happens if I do?" while the objection form waits for which use gets that
    topic's answer, and the use stays empty (the form asks again)."""
    text = "what happens to our support if i do that"
    tracker = _asking(tracker_factory, text, "opting_out_limits", 0.85)
    assert a.ValidateObjectionForm().validate_purpose(text, dispatcher, tracker, {}) == {"purpose": None}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_topic/opting_out_limits"]


def test_a_question_instead_of_a_level_is_answered(tracker_factory, dispatcher):
    text = "what is the difference between them"
    tracker = _asking(tracker_factory, text, "consent_levels", 0.85, slots={"purpose": "research_and_planning"})
    assert a.ValidateConsentForm().validate_level(text, dispatcher, tracker, {}) == {"level": None}
    assert [m.get("response") for m in dispatcher.messages] == ["utter_topic/consent_levels"]


def _after(tracker_factory, previous: dict):
    """A tracker whose last message is "more", after a message with parse data `previous` was answered."""
    tracker = tracker_factory(intent="more", text="more")
    tracker.events = [{"event": "user", "text": previous.get("text", ""), "parse_data": previous},
                      {"event": "action", "name": "utter_topic"}, {"event": "bot", "text": "..."},
                      {"event": "action", "name": "action_listen"}, *tracker.events]
    return tracker


def _topic_question(utter_action: str) -> dict:
    return {"text": "how long will it take to get my records", "intent": {"name": "topic", "confidence": 0.9},
            "response_selector": {"topic": {"response": {"intent_response_key": "topic/see_my_data",
                                                         "utter_action": utter_action}}}}


def test_more_after_a_section_shows_the_rest_of_its_page(tracker_factory, dispatcher):
    a.ActionShowMore().run(dispatcher, _after(tracker_factory, _topic_question("utter_topic/see_my_data/how_long")), {})
    assert _texts(dispatcher) == ["utter_topic_rest/see_my_data/how_long"]


@pytest.mark.parametrize("previous", [
    _topic_question("utter_topic/see_my_data"),  # the page's short answer: no rest held back
    _topic_question("utter_topic/see_my_data/no_such_section"),
    {"text": "hi", "intent": {"name": "greet", "confidence": 1.0}},
])
def test_more_after_anything_else_says_there_is_no_more(tracker_factory, dispatcher, previous):
    a.ActionShowMore().run(dispatcher, _after(tracker_factory, previous), {})
    assert _texts(dispatcher) == ["utter_nothing_more"]


@pytest.mark.parametrize("language, channel, expected", [("cy", "rest", "web"), ("en", "sms", "sms")])
def test_a_switch_says_so_in_the_new_language(tracker_factory, dispatcher, language, channel, expected):
    from bot.content import messages

    tracker = tracker_factory({"language": language}, intent="switch_language", channel=channel)
    assert a.ActionSwitchLanguage().run(dispatcher, tracker, {}) == []
    assert _texts(dispatcher) == [messages.say("language.switched", language, expected)]


def test_a_switch_inside_a_form_leaves_the_form_to_ask_again(tracker_factory, dispatcher):
    tracker = tracker_factory({"language": "cy", "task_paused": True}, intent="switch_language",
                              active_loop="identity_form")
    assert a.ActionSwitchLanguage().run(dispatcher, tracker, {}) == []  # the rule runs the form next
    assert len(dispatcher.messages) == 1


def test_a_switch_while_a_task_is_paused_asks_again_whether_to_carry_on(tracker_factory, dispatcher):
    tracker = tracker_factory({"language": "cy", "task_paused": True}, intent="switch_language")
    a.ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["response"] == "utter_task_paused"


def test_a_reference_and_a_date_of_birth_in_one_message_are_checked_together(records_db, tracker_factory, dispatcher):
    """"DEMO-1003 and my youngest was born 09/01/21": the check runs at once, the date is not asked for again."""
    text = "DEMO-1003 and my youngest was born 09/01/21"
    tracker = tracker_factory(intent="inform", text=text, active_loop="identity_form")
    result = a.ValidateIdentityForm().validate_identity_reference(text, dispatcher, tracker, {})
    assert result["verified"] is True and result["identity_dob"] == a.CHECKED


def test_a_wrong_date_given_with_the_reference_asks_for_both_again(records_db, tracker_factory, dispatcher):
    text = "ref DEMO-1003, born 10/01/2021"
    tracker = tracker_factory(intent="inform", text=text, active_loop="identity_form")
    result = a.ValidateIdentityForm().validate_identity_reference(text, dispatcher, tracker, {})
    assert result == {"identity_reference": None, "identity_dob": None}
