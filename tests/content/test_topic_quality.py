"""Quality checks on the real content library (content/) and on how the loader reports broken content.

Every topic must be readable (grade 6 or below), fit two GSM-7 SMS segments, carry enough example questions,
cite a real https source, never promise that an opt-out stops all sharing, and, where it is about opting out,
consent or sharing, state the child-protection exception together with the not-a-referral reassurance.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.content.loader import CONTENT_DIR, ContentError, load_content
from bot.content.models import SMS_MAX_CHARS, THEMES
from bot.content.readability import MAX_GRADE, grade, plain_text
from bot.content.render import fill, sms_answer, web_answer

CONTENT = load_content()
TOPIC_IDS = sorted(p.stem for p in (CONTENT_DIR / "topics").glob("*.md"))

REQUIRED_TOPICS = {
    "records_school", "records_health", "records_social_care", "records_police", "records_housing_benefits",
    "how_linking_works", "data_warehouses", "supporting_families", "why_councils_link", "who_can_see",
    "how_long_kept", "predictive_analytics", "risk_score_errors", "private_companies", "algorithm_register",
    "accuracy_checks", "your_rights", "see_my_data", "correct_my_data", "object_to_use", "erasure_limits",
    "complain_ico", "opting_out_limits", "consent_levels", "child_protection_exception", "asking_for_help",
    "early_help_voluntary", "after_error_report", "nhs_data_opt_out", "talk_to_person", "assistant_privacy",
}

# Topics about opting out, consent or sharing: the web answer must state the child-protection exception and
# pair it with the true reassurance (asking for help is voluntary, not a referral; independent advice).
SHARING_TOPICS = {
    "records_school", "records_health", "records_social_care", "records_police", "records_housing_benefits",
    "how_linking_works", "data_warehouses", "supporting_families", "why_councils_link", "who_can_see",
    "private_companies", "object_to_use", "opting_out_limits", "consent_levels", "child_protection_exception",
    "asking_for_help", "early_help_voluntary", "nhs_data_opt_out",
}
# Of those, the ones whose short SMS answer must also name the exception.
SMS_EXCEPTION_TOPICS = {
    "opting_out_limits", "object_to_use", "consent_levels", "child_protection_exception", "asking_for_help",
    "early_help_voluntary",
}

# Topics that lead to a task: the web answer ends by telling the parent what to say next.
TASK_PROMPTS = {
    "see_my_data": "see my data",
    "correct_my_data": "report a mistake",
    "risk_score_errors": "report a mistake",
    "after_error_report": "where is my request",
    "opting_out_limits": "opt out",
    "object_to_use": "opt out",
    "consent_levels": "change my choices",
    "talk_to_person": "talk to a person",
    "records_school": "see my data",
    "records_social_care": "see my data",
    "who_can_see": "see my data",
    "how_long_kept": "see my data",
    "records_housing_benefits": "opt out",
    "private_companies": "opt out",
    "predictive_analytics": "opt out",
    "your_rights": "talk to a person",
    "complain_ico": "talk to a person",
    "assistant_privacy": "talk to a person",
}

FRG_NUMBER = "0808 801 0366"

# Sentences that would promise more than the law gives: an opt-out (objection) never stops all sharing.
FALSE_PROMISES = [
    r"\bstops? all (?:the )?sharing\b",
    r"\bstops? (?:any|every) (?:sharing|use)\b",
    r"\bno (?:more )?sharing at all\b",
    r"\b(?:will|can) never be shared\b",
    r"\bnever be (?:shared|seen|used)\b",
    r"\bnot be shared with anyone\b",
    r"\b(?:nobody|no one|no-one) (?:will|can|could) (?:see|share|use)\b",
    r"\bopt(?:ing)?[- ]?outs? (?:will |means |)(?:stop|stops|prevent|prevents|block|blocks) (?:all|any|every)",
    r"\bopt(?:ing)?[- ]?outs? (?:is|are) (?:final|absolute)\b",
    r"\b(?:we|they|the council) (?:can|will) never share\b",
    r"\bguarantee",
    r"\bcompletely (?:private|safe|anonymous)\b",
    r"\b100 ?%",
]

BLAME_OR_THREAT = [
    r"\byour fault\b", r"\byou failed\b", r"\bfailed to\b", r"\bneglectful\b",
    r"\bbad (?:parent|mum|dad|mother|father)s?\b", r"\birresponsible\b", r"\bnon[- ]?compliant\b",
    r"\buncooperative\b", r"\brefuse to co[- ]?operate\b", r"\bor else\b", r"\bmust comply\b",
    r"\bconsequences\b", r"\bpenalt(?:y|ies)\b", r"\bprosecut", r"\bpunish", r"\btroubled families\b",
    r"\bwe will report you\b", r"\bbe reported\b", r"\btake your (?:child|children|kids)\b",
    r"\blose your (?:child|children|kids)\b", r"\bshould have known\b", r"\byou should be ashamed\b",
]

# Task commands belong to the task intents, not to topic examples.
TASK_COMMANDS = [
    r"^(?:please )?opt (?:me|us|my family) out\b", r"^i want to opt out\b", r"^(?:please )?opt out\b",
    r"^i want to see my data\b", r"^see my data\b", r"^(?:please )?(?:change|update) (?:my|our) (?:consent|choices)\b",
    r"^check my status\b", r"^(?:please )?fix my record\b", r"^report a mistake\b", r"^talk to a person\b",
    r"^where is my request\b", r"^(?:please )?(?:delete|remove) (?:my|our) (?:data|records)\b",
    r"^send me (?:a copy|my)\b", r"^give me my data\b",
]

# GSM 03.38 basic character set (no escape-table characters, which cost two and break on some phones).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def _web(topic_id: str) -> str:
    return web_answer(CONTENT.topic(topic_id), CONTENT)


def _sms_text(topic_id: str) -> str:
    return fill(CONTENT.topic(topic_id).sms, CONTENT)


def _normal(text: str) -> str:
    """Lower case, markdown bold removed, hyphens and curly quotes made plain, spaces collapsed."""
    text = text.lower().replace("**", "").replace("\u2019", "'").replace("-", " ")
    return " ".join(text.split())


def test_the_library_has_every_required_topic() -> None:
    assert len(CONTENT.topics) >= 24
    missing = REQUIRED_TOPICS - set(CONTENT.topic_ids)
    assert not missing, f"missing topics: {sorted(missing)}"
    assert TOPIC_IDS == sorted(CONTENT.topic_ids)
    assert {t.theme for t in CONTENT.topics} == set(THEMES), "every theme should have at least one topic"
    for ids in (SHARING_TOPICS, SMS_EXCEPTION_TOPICS, set(TASK_PROMPTS)):
        assert ids <= set(CONTENT.topic_ids)


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_sms_text_reads_at_grade_six_or_below(topic_id: str) -> None:
    score = grade(_sms_text(topic_id))
    assert score <= MAX_GRADE, f"{topic_id}: sms reading grade {score:.1f}"
    sent = grade(sms_answer(CONTENT.topic(topic_id), CONTENT))
    assert sent <= MAX_GRADE, f"{topic_id}: sms as sent (with its link) reads at grade {sent:.1f}"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_web_answer_reads_at_grade_six_or_below(topic_id: str) -> None:
    score = grade(_web(topic_id))
    assert score <= MAX_GRADE, f"{topic_id}: web answer reading grade {score:.1f}"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_sms_answer_fits_two_gsm7_segments(topic_id: str) -> None:
    topic = CONTENT.topic(topic_id)
    sms = sms_answer(topic, CONTENT)
    assert sms.endswith(f" More: {topic.primary_source.url}")
    assert len(sms) <= SMS_MAX_CHARS, f"{topic_id}: {len(sms)} characters"
    outside = sorted(set(sms) - GSM7_BASIC)
    assert not outside, f"{topic_id}: characters outside GSM-7: {outside}"
    assert "**" not in sms and "{{" not in sms


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_web_answer_is_80_to_220_words(topic_id: str) -> None:
    body = fill(CONTENT.topic(topic_id).body, CONTENT)
    words = len(plain_text(body).split())
    assert 80 <= words <= 220, f"{topic_id}: {words} words"
    assert "{{" not in body


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_examples_are_enough_questions_not_commands(topic_id: str) -> None:
    examples = CONTENT.topic(topic_id).examples
    assert len(examples) >= 14, f"{topic_id}: only {len(examples)} examples"
    for example in examples:
        normal = _normal(example).strip(" .?!")
        for pattern in TASK_COMMANDS:
            assert not re.search(pattern, normal), f"{topic_id}: '{example}' is a task command, not a question"


def test_no_example_is_used_by_two_topics() -> None:
    seen: dict[str, str] = {}
    for topic in CONTENT.topics:
        for example in topic.examples:
            key = _normal(example).strip(" .?!")
            assert key not in seen, f"'{example}' is in both {seen[key]} and {topic.id}"
            seen[key] = topic.id


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_topic_cites_an_https_source(topic_id: str) -> None:
    sources = CONTENT.topic(topic_id).sources
    assert any(s.url.scheme == "https" for s in sources)
    assert all(s.title.strip() for s in sources)


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_no_text_promises_that_an_opt_out_stops_all_sharing(topic_id: str) -> None:
    for text in (_normal(_web(topic_id)), _normal(_sms_text(topic_id))):
        for pattern in FALSE_PROMISES:
            match = re.search(pattern, text)
            assert not match, f"{topic_id}: promises too much: '{match.group(0)}'"


@pytest.mark.parametrize("topic_id", sorted(SHARING_TOPICS))
def test_sharing_topics_state_the_exception_and_the_reassurance(topic_id: str) -> None:
    text = _normal(_web(topic_id))
    assert "serious harm" in text or "significant harm" in text, f"{topic_id}: no child-protection exception"
    assert "usually told" in text, f"{topic_id}: does not say families are usually told"
    assert "not a child protection referral" in text, f"{topic_id}: no not-a-referral reassurance"
    assert "only starts if you agree" in text or "your agreement" in text, f"{topic_id}: early help agreement"
    assert FRG_NUMBER in text, f"{topic_id}: no Family Rights Group advice line"


@pytest.mark.parametrize("topic_id", sorted(SMS_EXCEPTION_TOPICS))
def test_opt_out_and_consent_sms_name_the_exception(topic_id: str) -> None:
    assert "serious harm" in _normal(_sms_text(topic_id))


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_any_mention_of_a_referral_says_what_the_family_can_do(topic_id: str) -> None:
    for text in (_web(topic_id), _sms_text(topic_id)):
        if "referral" in text.lower():
            assert FRG_NUMBER in text, f"{topic_id}: mentions a referral without the advice line"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_no_blame_or_threat_words(topic_id: str) -> None:
    for text in (_normal(_web(topic_id)), _normal(_sms_text(topic_id))):
        for pattern in BLAME_OR_THREAT:
            match = re.search(pattern, text)
            assert not match, f"{topic_id}: blame or threat wording '{match.group(0)}'"


@pytest.mark.parametrize("topic_id", sorted(TASK_PROMPTS))
def test_task_topics_end_with_the_next_step(topic_id: str) -> None:
    body = CONTENT.topic(topic_id).body
    last_paragraph = body.strip().split("\n\n")[-1]
    assert f"**{TASK_PROMPTS[topic_id]}**" in last_paragraph, f"{topic_id}: ends with '{last_paragraph}'"


def test_related_topics_do_not_point_at_themselves() -> None:
    for topic in CONTENT.topics:
        assert topic.id not in topic.related
        assert len(set(topic.related)) == len(topic.related)


def test_every_related_topic_gets_a_button() -> None:
    from bot.content.build import MAX_RELATED, related_buttons

    for topic in CONTENT.topics:
        assert 1 <= len(topic.related) <= MAX_RELATED, topic.id
        titles = [b["title"] for b in related_buttons(topic.id, CONTENT)]
        assert titles == [CONTENT.topic(r).title for r in topic.related]


def test_council_purposes_are_exactly_the_five() -> None:
    council = CONTENT.council
    purposes = {p.id: p for p in council.purposes}
    assert list(purposes) == [
        "direct_services", "early_help_targeting", "predictive_analytics", "research_and_planning",
        "commercial_processors",
    ]
    assert purposes["direct_services"].choice == "none"
    assert not purposes["direct_services"].levels
    organisation_ids = {o.id for o in council.organisations}
    for purpose in council.purposes:
        assert purpose.child_protection_exception is True
        assert set(purpose.organisations) <= organisation_ids, purpose.id
        if purpose.choice != "none":
            assert "object" in {level.id for level in purpose.levels}, purpose.id
        assert grade(purpose.plain) <= MAX_GRADE, purpose.id


def test_council_register_labels_invented_figures_and_keeps_a_person_in_charge() -> None:
    council = CONTENT.council
    assert council.conversation_retention_days == 30
    assert 2 <= len(council.processors) <= 3
    for processor in council.processors:
        assert "example" in processor.risk_assessment.lower(), processor.id
    assert 1 <= len(council.algorithms) <= 2
    for algorithm in council.algorithms:
        assert "example figures" in algorithm.accuracy.summary.lower(), algorithm.id
        assert algorithm.accuracy.figures
        assert "decide" in algorithm.how_decisions_are_made.lower(), algorithm.id
    for record in council.retention:
        assert record.days > 0
    chats = [r for r in council.retention if "assistant" in r.record.lower()]
    assert chats and chats[0].days == council.conversation_retention_days


def test_helplines_match_the_facts() -> None:
    numbers = {h.id: h.number for h in CONTENT.helplines.helplines}
    assert numbers == {
        "emergency": "999",
        "nspcc": "0808 800 5000",
        "childline": "0800 1111",
        "family_rights_group": FRG_NUMBER,
        "nhs_111": "111",  # https://111.nhs.uk/
    }


# --- the loader names the file and the field when content is broken -------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_reviewed(path: Path, value: str) -> None:
    """Replace a topic's review date, whatever it is now (it changes whenever the topic is reviewed)."""
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^reviewed: ", text, flags=re.M), f"no review date in {path.name}"
    path.write_text(re.sub(r"^reviewed: .*$", f"reviewed: {value}", text, count=1, flags=re.M), encoding="utf-8")


def _load_error(root: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return str(caught.value)


def test_the_unbroken_copy_loads(content_copy: Path) -> None:
    assert len(load_content(content_copy).topics) == len(CONTENT.topics)


def test_missing_field_names_file_and_field(content_copy: Path) -> None:
    path = content_copy / "topics" / "see_my_data.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^sms: .*\n", "", text, count=1, flags=re.M), encoding="utf-8")
    message = _load_error(content_copy)
    assert "see_my_data.md" in message and "field 'sms'" in message


def test_bad_date_names_file_and_field(content_copy: Path) -> None:
    _set_reviewed(content_copy / "topics" / "how_long_kept.md", "25/11/2026")
    message = _load_error(content_copy)
    assert "how_long_kept.md" in message and "field 'reviewed'" in message


def test_impossible_calendar_date_names_file_and_field(content_copy: Path) -> None:
    _set_reviewed(content_copy / "topics" / "how_long_kept.md", "2026-02-30")
    message = _load_error(content_copy)
    assert "how_long_kept.md" in message
    assert "field 'reviewed'" in message


def test_a_broken_topic_is_reported_once_not_by_every_topic_linking_to_it(content_copy: Path) -> None:
    _set_reviewed(content_copy / "topics" / "see_my_data.md", "[")
    message = _load_error(content_copy)
    assert "see_my_data.md" in message
    assert "unknown topic 'see_my_data'" not in message


def test_duplicate_id_names_file_and_field(content_copy: Path) -> None:
    shutil.copy(content_copy / "topics" / "see_my_data.md", content_copy / "topics" / "see_my_data_copy.md")
    message = _load_error(content_copy)
    assert "see_my_data_copy.md" in message and "field 'id'" in message and "see_my_data" in message


def test_unknown_related_id_names_file_and_field(content_copy: Path) -> None:
    path = content_copy / "topics" / "complain_ico.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^related: .*$", "related: [no_such_topic]", text, count=1, flags=re.M), "utf-8")
    message = _load_error(content_copy)
    assert "complain_ico.md" in message and "field 'related'" in message and "no_such_topic" in message


def test_unknown_theme_names_file_and_field(content_copy: Path) -> None:
    _edit(content_copy / "topics" / "your_rights.md", "theme: rights", "theme: weather")
    message = _load_error(content_copy)
    assert "your_rights.md" in message and "field 'theme'" in message


def test_misspelt_council_field_names_file_and_field(content_copy: Path) -> None:
    _edit(content_copy / "council.yml", "short_name: Example Borough", "short_nam: Example Borough")
    message = _load_error(content_copy)
    assert "council.yml" in message and "short_nam" in message and "short_name" in message
