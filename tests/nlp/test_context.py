"""The conversation's subject as part of what decides a follow-up (bot/nlp/context.py), without a trained model:
the decision on its own, then the component on messages built as the classifiers leave them."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.content.loader import content
from bot.nlp.context import ConversationContext, Weights, decide, points_back

RELATED = {"private_companies": ["data_warehouses", "object_to_use"], "object_to_use": ["opting_out_limits"]}
TASKS = {"private_companies": "opt_out", "object_to_use": "opt_out"}


@pytest.mark.parametrize("text", ["and if I did that?", "what about the school", "can I stop them having it",
                                  "ok", "beth am yr ysgol"])
def test_a_short_message_that_points_back_is_a_follow_up(text):
    assert points_back(text)


@pytest.mark.parametrize("text", ["what do private companies do with council records",
                                  "how long do schools keep records about children", ""])
def test_a_question_that_stands_alone_is_not(text):
    assert not points_back(text)


def test_the_page_just_given_is_not_given_again_for_a_follow_up_its_neighbour_is():
    ranking = [("private_companies", 0.6), ("object_to_use", 0.08), ("records_police", 0.07)]
    decision = decide("can I stop that company having it", "topic", ranking, "private_companies", RELATED, TASKS)
    assert (decision.intent, decision.topic) == ("topic", "object_to_use")


def test_the_same_page_stays_when_no_neighbour_has_a_fair_chance():
    ranking = [("private_companies", 0.95), ("object_to_use", 0.01), ("records_police", 0.01)]
    decision = decide("can I stop that company having it", "topic", ranking, "private_companies", RELATED, TASKS,
                      Weights(related_bonus=0.05))
    assert decision.topic is None and decision.intent is None


def test_a_question_that_stands_alone_is_answered_as_the_classifier_said():
    ranking = [("private_companies", 0.9), ("object_to_use", 0.05)]
    decision = decide("which private companies see our records", "topic", ranking, "private_companies", RELATED,
                      TASKS)
    assert decision.intent is None and decision.topic is None


def test_an_unplaced_follow_up_goes_to_the_related_topic_ranked_highest():
    ranking = [("records_police", 0.2), ("opting_out_limits", 0.15), ("object_to_use", 0.1)]
    decision = decide("and if I did that?", "nlu_fallback", ranking, "object_to_use", RELATED, TASKS)
    assert (decision.intent, decision.topic) == ("topic", "opting_out_limits")


def test_an_unplaced_message_with_no_fair_neighbour_stays_not_understood():
    ranking = [("records_police", 0.5), ("opting_out_limits", 0.02)]
    assert decide("and the bins?", "nlu_fallback", ranking, "object_to_use", RELATED, TASKS).intent is None


@pytest.mark.parametrize("text,intent", [("ok do it", "nlu_fallback"), ("yes", "affirm"),
                                         ("how do i do that", "help")])
def test_asking_to_do_it_after_a_page_that_explains_a_task_starts_the_task(text, intent):
    assert decide(text, intent, [], "private_companies", RELATED, TASKS).intent == "opt_out"


def test_yes_with_no_task_on_the_last_page_is_left_alone():
    assert decide("yes", "affirm", [], "records_police", RELATED, TASKS).intent is None


def test_nothing_changes_without_a_last_topic():
    assert decide("and if I did that?", "nlu_fallback", [("object_to_use", 0.9)], None, RELATED, TASKS).intent is None


def _message(text: str, intent: str, confidence: float = 0.9, ranking: list[tuple[str, float]] = ()) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    if ranking:
        message.set("response_selector", {"topic": {
            "response": {"intent_response_key": f"topic/{ranking[0][0]}", "confidence": ranking[0][1]},
            "ranking": [{"intent_response_key": f"topic/{t}", "confidence": p} for t, p in ranking]}},
            add_to_output=True)
    return message


def _tracker(**slots: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker("test", slots=[])
    from rasa.shared.core.slots import TextSlot

    for name in ("last_topic",):
        tracker.slots[name] = TextSlot(name, mappings=[])
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    return tracker


@pytest.fixture(scope="module")
def component() -> ConversationContext:
    return ConversationContext(ConversationContext.get_default_config())


def test_the_component_reads_the_last_topic_from_the_tracker_and_names_the_new_subject(component):
    related = content().topic("private_companies").related
    assert "object_to_use" in related
    message = _message("can I stop that company having it", "topic",
                       ranking=[("private_companies", 0.6), ("object_to_use", 0.1)])
    component.process([message], tracker=_tracker(last_topic="private_companies"))
    assert message.get("response_selector")["topic"]["response"]["intent_response_key"] == "topic/object_to_use"
    assert {"entity": "last_topic", "value": "object_to_use"}.items() <= message.get("entities")[0].items()


def test_a_task_makes_its_page_the_subject(component):
    message = _message("I want to opt out", "opt_out")
    component.process([message], tracker=_tracker())
    assert [e["value"] for e in message.get("entities") if e["entity"] == "last_topic"] == ["object_to_use"]


def test_a_bare_family_reference_starts_the_identity_check_with_it(component):
    message = _message("demo 1001", "nlu_fallback", confidence=0.2)
    component.process([message], tracker=_tracker())
    assert message.get("intent")["name"] == "check_status"
    assert [e["value"] for e in message.get("entities") if e["entity"] == "family_reference"] == ["DEMO-1001"]


def test_inside_a_form_a_reference_is_the_form_s_answer_not_a_new_task(component):
    tracker = _tracker()
    from rasa.shared.core.events import ActiveLoop

    tracker.update(ActiveLoop("identity_form"))
    message = _message("DEMO-1001", "nlu_fallback", confidence=0.2)
    component.process([message], tracker=tracker)
    assert message.get("intent")["name"] == "nlu_fallback"
    assert not message.get("entities")


def test_a_weakly_placed_follow_up_goes_to_a_neighbour_that_fits_the_subject_better():
    ranking = [("records_police", 0.09), ("opting_out_limits", 0.06)]
    decision = decide("what happens then", "topic", ranking, "object_to_use", RELATED, TASKS)
    assert (decision.intent, decision.topic) == ("topic", "opting_out_limits")


def test_a_confidently_placed_follow_up_keeps_its_topic():
    ranking = [("records_police", 0.7), ("opting_out_limits", 0.06)]
    assert decide("and what about the police", "topic", ranking, "object_to_use", RELATED, TASKS).topic is None


def test_a_follow_up_about_a_part_of_the_page_just_given_keeps_its_section():
    ranking = [("private_companies", 0.6), ("object_to_use", 0.08)]
    decision = decide("do they get paid for it", "topic", ranking, "private_companies", RELATED, TASKS,
                      section_chosen=True)
    assert decision.intent is None and decision.topic is None


def test_a_request_that_holds_a_reference_keeps_its_intent_and_passes_the_reference_on(component):
    message = _message("SAR please. DEMO-1003, 09/01/2021, everything you have", "request_data")
    component.process([message], tracker=_tracker())
    assert message.get("intent")["name"] == "request_data"
    assert [e["value"] for e in message.get("entities") if e["entity"] == "family_reference"] == [
        "SAR please. DEMO-1003, 09/01/2021, everything you have"]
