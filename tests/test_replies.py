"""Every text the assistant can send: reading age, tone, honesty, and the crisis numbers.

Covers the generated responses (topics, and the keyed messages' utter_... in English) and every task message, in
English. The Welsh words of the keyed messages are checked by tests/content/test_messages.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bot.content import task_text as say
from bot.content.loader import REPO_ROOT, content
from bot.content.readability import MAX_GRADE, grade

BLAME = re.compile(
    r"\b(your fault|you failed|bad parent|bad mum|bad dad|neglectful|irresponsible|you should have|"
    r"you must comply|or else|we will take|will be taken|you will lose|punish\w*)\b",
    re.IGNORECASE,
)
FALSE_PROMISES = re.compile(
    r"(never be shared|will never share|never shared with anyone|stops? all sharing|no one will ever see|"
    r"completely private|guarantee)",
    re.IGNORECASE,
)


def _welsh(variation: dict) -> bool:
    """A variation for a Welsh conversation (condition on the slot language): the checks here read English."""
    return any(c.get("name") == "language" and c.get("value") == "cy" for c in variation.get("condition") or [])


def _response_texts(path: Path, welsh: bool = False) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for name, variations in (data.get("responses") or {}).items():
        for i, variation in enumerate(variations):
            if _welsh(variation) == welsh:
                out.append((f"{path.name}:{name}[{i}]", variation.get("text", "")))
    return out


def _task_texts() -> list[tuple[str, str]]:
    c = content()
    due = dt.datetime(2026, 12, 25, tzinfo=dt.timezone.utc)
    purpose = next(p for p in c.council.purposes if p.levels)
    texts = {
        "identity_failed": say.identity_failed(),
        "identity_locked": say.identity_locked(c),
        "reference_not_recognised": say.reference_not_recognised(c),
        "date_not_recognised": say.date_not_recognised(),
        "verified": say.verified(),
        **{f"identity_intro_{task}": say.identity_intro(task) for task in [*say.TASKS, None]},
        "ask_purpose_consent": say.ask_purpose("consent"),
        "ask_purpose_objection": say.ask_purpose("objection"),
        "purpose_not_recognised": say.purpose_not_recognised(),
        "no_choice_offered": say.no_choice_offered(c.council.purposes[0], c),
        "ask_level": say.ask_level(purpose),
        "level_not_recognised": say.level_not_recognised(),
        "confirm_level": say.confirm_level(purpose, purpose.levels[0].label, c),
        "confirm_access": say.confirm_access(due),
        "confirm_error": say.confirm_error("My name is wrong", "A letter", "Ceri"),
        "not_sent": say.not_sent(),
        "request_status": say.request_status("objection", "OPT-7Q2K9", "in_progress", due, [(due, "received")]),
        "request_not_found": say.request_not_found(),
        "talk_to_person": say.talk_to_person(c),
    }
    for kind in say.REQUEST_KINDS:
        texts[f"request_done_{kind}"] = say.request_done(kind, "OPT-7Q2K9", due)
    for p in c.council.purposes:
        texts[f"confirm_objection_{p.id}"] = say.confirm_objection(p, c, due)
    sent = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    for overdue in (False, True):
        texts[f"already_objected_overdue_{overdue}"] = say.already_objected(purpose, "OPT-7Q2K9", sent, due, overdue, c)
    for i, chunk in enumerate(say.status_report(c, {})):
        texts[f"status_report[{i}]"] = chunk
    texts["status_summary"] = say.status_summary(c, {"predictive_analytics": "objected"})
    texts.update(_data_map_and_review_texts())
    return list(texts.items())


def _data_map_and_review_texts() -> dict[str, str]:
    from bot.records.holdings import DEMO_HOLDINGS

    c = content()
    held = [h for h in DEMO_HOLDINGS if h.reference == "DEMO-1002"]
    chosen = {"predictive_analytics": "object"}
    purpose = next(p for p in c.council.purposes if p.levels)
    first = dt.date(2027, 12, 7)
    texts = {f"data_map[{i}]": chunk for i, chunk in enumerate(say.data_map(c, held, chosen))}
    texts.update({
        "data_map_empty": say.data_map(c, [], {})[0],
        "data_map_summary": say.data_map_summary(c, held, chosen),
        "data_map_alt": say.data_map_alt(c, held),
        "review_due_sms": say.review_due_sms(),
        "ask_review_channel": say.ask_review_channel(c),
        "review_channel_not_recognised": say.review_channel_not_recognised(),
        "ask_review_number": say.ask_review_number("sms"),
        "ask_review_number_from_here": say.ask_review_number("whatsapp", from_here=True),
        "review_number_not_recognised": say.review_number_not_recognised(),
        "confirm_reviews": say.confirm_reviews(c, "whatsapp", "123", first),
        "reviews_done": say.reviews_done(first),
        "reviews_stopped": say.reviews_stopped(True),
        "reviews_not_stopped": say.reviews_stopped(False),
        "review_intro": say.review_intro(),
        "ask_review_answer": say.ask_review_answer(purpose, "included", 1, 4),
        "review_answer_not_recognised": say.review_answer_not_recognised(),
        "review_done": say.review_done(3, 1, first),
    })
    return texts


def test_the_review_text_fits_one_sms_and_the_data_map_summary_three():
    from bot.channels.formatting import segment_count
    from bot.records.holdings import DEMO_HOLDINGS

    c = content()
    assert segment_count(say.review_due_sms()) == 1
    for reference in ("DEMO-1001", "DEMO-1002", "DEMO-1003"):
        held = [h for h in DEMO_HOLDINGS if h.reference == reference]
        summary = say.data_map_summary(c, held, {}).split("\n\n")[0]
        assert segment_count(summary) <= 3, reference


ALL_REPLIES = (
    [t for f in sorted((REPO_ROOT / "data" / "responses").glob("*.yml")) for t in _response_texts(f)]
    + _task_texts()
)


def test_the_inventory_is_not_empty():
    assert len(ALL_REPLIES) > 60


@pytest.mark.parametrize("where,text", ALL_REPLIES, ids=[w for w, _ in ALL_REPLIES])
def test_reading_grade_is_six_or_below(where, text):
    assert grade(text) <= MAX_GRADE, f"{where} reads at grade {grade(text):.1f}: {text[:120]}"


@pytest.mark.parametrize("where,text", ALL_REPLIES, ids=[w for w, _ in ALL_REPLIES])
def test_no_blame_no_threats_no_false_promises(where, text):
    assert not BLAME.search(text), f"{where}: {BLAME.search(text).group(0)}"
    assert not FALSE_PROMISES.search(text), f"{where}: {FALSE_PROMISES.search(text).group(0)}"


@pytest.mark.parametrize("where,text", ALL_REPLIES, ids=[w for w, _ in ALL_REPLIES])
def test_a_mention_of_referral_says_what_the_family_can_do(where, text):
    if re.search(r"\breferr", text, re.IGNORECASE):
        # a next step: something to say or do, or a number to call
        assert re.search(r"\b(you can|call|ask|say|talk)\b|\b0\d{3} ?\d{3} ?\d{4}\b", text, re.IGNORECASE), where


WELSH_REPLIES = _response_texts(REPO_ROOT / "data" / "responses" / "messages.yml", welsh=True)


@pytest.mark.parametrize("name", ["utter_crisis", "utter_crisis_child"])
@pytest.mark.parametrize("replies", [ALL_REPLIES, WELSH_REPLIES], ids=["english", "welsh"])
def test_crisis_replies_carry_the_numbers_on_every_channel(name, replies):
    from bot.channels.formatting import segment_count

    c = content()
    texts = [t for w, t in replies if w.startswith(f"messages.yml:{name}[")]
    assert len(texts) == 3  # sms, whatsapp, web
    for text in texts:
        assert c.helpline("emergency") in text
        assert c.helpline("nspcc") in text
        assert c.helpline("childline") in text
    assert segment_count(texts[0]) == 1  # the SMS goes alone, in one text
    if replies is WELSH_REPLIES:  # Meic, the helpline for children and young people in Wales
        assert all(c.helpline("meic") in text for text in texts)


OUT_OF_SCOPE = [t for w, t in ALL_REPLIES if w.startswith("messages.yml:utter_out_of_scope[")]


def test_out_of_scope_names_the_council_contact_on_every_channel():
    assert len(OUT_OF_SCOPE) == 3  # sms, whatsapp, web
    for text in OUT_OF_SCOPE:
        assert content().council.contact.phone in text
        assert "only help" in text


def test_out_of_scope_asks_for_other_words_in_case_it_misread_a_records_question():
    for text in OUT_OF_SCOPE:
        assert "try other words" in text


def test_out_of_scope_sends_a_health_worry_to_nhs_111_and_999():
    """A parent may ask about an ill child here; the out-of-scope reply says where to go."""
    c = content()
    for text in OUT_OF_SCOPE:
        assert f"NHS {c.helpline('nhs_111')}" in text and c.helpline("emergency") in text


def test_out_of_scope_fits_two_sms_segments():
    from bot.channels.formatting import segment_count

    sms = next(t for w, t in ALL_REPLIES if w.startswith("messages.yml:utter_out_of_scope[0"))
    assert segment_count(sms) <= 2
